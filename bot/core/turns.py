"""Per-conversation order for a Redis stream that several consumers share.

A consumer group hands consecutive entries to different consumers. With two Rasa servers
(or two handoff services) that means two messages of one conversation can be handled at
the same time, and the later one can win the race for the conversation's lock. So each
conversation keeps the ids of its unfinished entries in a list, in stream order: ``add``
writes the entry and its id together, ``my_turn`` says whether an entry is the oldest of
its conversation, and ``forget`` removes it when it is done (in the same transaction as
the acknowledgement). A consumer holding an entry whose turn has not come leaves it
pending and looks again; entries of other conversations go on meanwhile.

Used inside Rasa (redis 4.6) and by the handoff service (redis 5+): plain ``EVAL`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# KEYS: stream, order list; ARGV: field, value, ...  Returns the new entry's id.
ADD = """
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV))
redis.call('RPUSH', KEYS[2], id)
return id
"""

# KEYS: stream, order list; ARGV: entry id.  1 when the entry may be handled now.
# A head that is no longer in the stream (deleted by hand) is dropped rather than waited for;
# an entry missing from the list was written before lists existed and is never held back.
TURN = """
while true do
  local head = redis.call('LINDEX', KEYS[2], 0)
  if not head or head == ARGV[1] then return 1 end
  if #redis.call('XRANGE', KEYS[1], head, head) == 0 then
    redis.call('LPOP', KEYS[2])
  elseif not redis.call('LPOS', KEYS[2], ARGV[1]) then
    return 1
  else
    return 0
  end
end
"""


def add(pipe: Any, stream: str, order_key: str, fields: Mapping[str, str]) -> None:
    """Queue the entry and its place in the conversation's order (on a pipeline or a client)."""
    flat = [part for item in fields.items() for part in item]
    pipe.eval(ADD, 2, stream, order_key, *flat)


async def my_turn(client: Any, stream: str, order_key: str, entry_id: str) -> bool:
    return bool(await client.eval(TURN, 2, stream, order_key, entry_id))


def forget(pipe: Any, order_key: str, entry_id: str) -> None:
    pipe.lrem(order_key, 1, entry_id)
