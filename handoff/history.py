"""The tickets' history: every change of every ticket appended to one stream, and the console told.

Called inside the change's own transaction (``handoff.tickets``, ``handoff.intake``), so a change and
its history entry are written together or not at all."""

from __future__ import annotations

import json
from typing import Any

from bot.core import keys

HISTORY_MAX = 1_000_000  # entries kept (approximately); older ones go as new ones come


def record(pipe: Any, ticket_id: str, action: str, login: str, now: float, **extra: str) -> None:
    """Queue on ``pipe``: the history entry of a change, and its notice to the live console feed."""
    pipe.xadd(keys.HISTORY, {"ticket": ticket_id, "action": action, "by": login, "at": repr(now), **extra},
              maxlen=HISTORY_MAX, approximate=True)
    pipe.publish(keys.LIVE, json.dumps({"ticket": ticket_id, "action": action}))
