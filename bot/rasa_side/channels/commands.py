"""Which customer messages may be Rasa intent commands (``/intent{...}``).

Rasa treats any text that starts with "/" as a command, so a customer typing "/restart"
would restart the conversation and silently take it back from a moderator. Only the
commands the product's own buttons send pass; anything else that starts with "/" is
shown to Rasa as text, with the slash replaced by a look-alike (U+2215).
"""

from __future__ import annotations

import re

ALLOWED = re.compile(r'^/choose_topic\{"faq_id":\s*"[a-z0-9_]{1,64}"\}$'
                     # the satisfaction survey after a resolution (handoff/ratings.py) and its "skip"
                     r'|^/rate_conversation\{"ticket":\s*"T[0-9]{1,18}",\s*"score":\s*[1-5]\}$|^/skip_comment$')
LOOKALIKE_SLASH = "\u2215"


def customer_text(text: str, internal: frozenset[str] = frozenset()) -> str:
    """``text`` as Rasa should get it; ``internal`` lists commands the channel itself made."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped in internal or ALLOWED.match(stripped):
        return text
    return text.replace("/", LOOKALIKE_SLASH, 1)
