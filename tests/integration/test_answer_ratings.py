"""A customer rates the bot's FAQ answers through the widget channel on the real Rasa server
(bot/rasa_side/channels/answer_ratings.py, webchat.py): once per answer, only their own."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from tests.integration.test_webchat_catch_up import IdCustomer, customers, stored, stored_bot_event, web_id
from tests.stack import Stack

__all__ = ["customers", "stored"]  # fixtures shared with the catch-up tests


class Rater(IdCustomer):
    """The widget, also recording the channel's ``answer_rated`` confirmations."""

    def __init__(self) -> None:
        super().__init__()
        self.client.on("answer_rated", self._recorder("answer_rated"))


async def test_an_faq_answer_is_rated_once_and_only_by_its_own_conversation(
    stack: Stack, customers: list[IdCustomer], stored: aioredis.Redis,
) -> None:
    mine, other = web_id(), web_id()
    widget, neighbour = Rater(), Rater()
    customers += [widget, neighbour]
    await widget.start(stack.rasa_url, mine)
    await neighbour.start(stack.rasa_url, other)
    await widget.client.emit("user_uttered", {"message": "Jak zwrócić produkt?"})
    answer = await widget.next("bot_uttered")
    stored_answer = await stored_bot_event(stored, mine, answer["id"])
    assert answer["rateable"] is True and stored_answer is not None

    await neighbour.client.emit("rate_answer", {"id": answer["id"], "helpful": False})  # not its conversation
    assert (await neighbour.next("error"))["code"] == "bad_id"
    for bad, code in (({"id": answer["id"], "helpful": "no"}, "bad_helpful"), ({"id": "x", "helpful": False}, "bad_id"),
                      ({"id": answer["id"] + 1, "helpful": False}, "bad_id"), (None, "bad_id")):
        await widget.client.emit("rate_answer", bad)
        assert (await widget.next("error"))["code"] == code, bad
    await widget.client.emit("rate_answer", {"id": answer["id"], "helpful": False})
    assert await widget.next("answer_rated") == {"id": answer["id"]}
    await widget.client.emit("rate_answer", {"id": answer["id"], "helpful": True})
    assert (await widget.next("error"))["code"] == "already_rated"

    entries = [f for _, f in await stored.xrange(TrackerKeys().answer_ratings) if f["conversation"] in (mine, other)]
    assert [(e["conversation"], e["faq_id"], e["helpful"]) for e in entries] == [
        (mine, stored_answer["metadata"]["bot_faq_id"], "0")]
    question = await stored.lindex(TrackerKeys().events(mine), int(entries[0]["question_index"]))
    assert question is not None and '"Jak zwr' in question
