"""The archive record's vocabulary (``faq_corpus/archive/FORMAT.md``): its keys and allowed values.

Constants only, standard library only: ``faq_corpus/archive/tools/validate.py`` imports this
module under a bare ``python3``, outside the project's virtualenv.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# Every key, always present, in this order.
TOP_KEYS = ("id", "channel", "lang", "started_at", "ended_at", "customer", "turns", "outcome", "handoff",
            "faq_ids", "approved_qa")
CUSTOMER_KEYS = ("display_name",)
TURN_KEYS = ("role", "text", "at")
MODERATOR_TURN_KEYS = (*TURN_KEYS, "author")
HANDOFF_KEYS = ("at", "reasons")
QA_KEYS = ("question", "answer", "faq_id", "approved_by", "approved_at")

MESSENGER, WEB = "messenger", "web"
CHANNELS = (MESSENGER, WEB)
LANGS = ("pl", "en")

CUSTOMER, BOT, MODERATOR = "customer", "bot", "moderator"
ROLES = (CUSTOMER, BOT, MODERATOR)

BOT_RESOLVED, MODERATOR_RESOLVED, ABANDONED = "bot_resolved", "moderator_resolved", "abandoned"
OUTCOMES = (BOT_RESOLVED, MODERATOR_RESOLVED, ABANDONED)

HUMAN_REQUEST, OUT_OF_SCOPE = "human_request", "out_of_scope"
# In the order FORMAT.md lists them (the validator's report follows it).
REASONS = (HUMAN_REQUEST, "negative_sentiment", "legal_threat", "compensation", "multiple_problems",
           "low_confidence", "repeated_question", OUT_OF_SCOPE)

# The display name when the channel showed none.
GUEST: Mapping[str, str] = MappingProxyType({"pl": "Gość", "en": "Guest"})

ID_PREFIX = "conv-"
ID_RE = re.compile(r"^conv-(\d{6})$")
MAX_ID = 999_999

# Whole seconds in UTC with a ``Z``, as every time in a record is written.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
