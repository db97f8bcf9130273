"""Run by the Rasa venv's Python (see test_patches.py): the trained model gives the same
intents and the same next actions with ``bot.rasa_side.patches``'s graph runner as with dask.

Prints one JSON object; argv[1] is the model archive."""

import asyncio
import json
import sys

from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, UserUttered

from bot.rasa_side import patches

TEXTS = ["cześć", "gdzie jest moja paczka?", "jak zwrocic towar", "chcę rozmawiać z człowiekiem",
         "How much is delivery?", "dzięki", "/restart", "asdfgh"]


async def outcomes(agent: Agent) -> list[object]:
    found: list[object] = []
    for n, text in enumerate(TEXTS):
        parsed = await agent.parse_message(text)
        tracker = await agent.processor.get_tracker(f"graph-{n}")  # type: ignore[union-attr]
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(text, parsed["intent"], parsed.get("entities", []), parse_data=parsed))
        prediction = agent.processor._predict_next_with_tracker(tracker)  # type: ignore[union-attr]
        found.append([parsed["intent"]["name"], round(parsed["intent"]["confidence"], 6),
                      prediction.max_confidence_index, round(prediction.max_confidence, 6)])
    return found


async def main(model: str) -> dict[str, object]:
    agent = Agent.load(model)
    with_dask = await outcomes(agent)
    patches.install()
    without = await outcomes(agent)
    return {"same": with_dask == without, "with_dask": with_dask, "without": without}


print(json.dumps(asyncio.run(main(sys.argv[1]))))
