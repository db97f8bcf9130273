"""Run by the Rasa venv's Python (bench/nlu_payload_intents.py): a model's NLU on many texts.

    .venv-rasa/bin/python bench/nlu_parse.py MODEL < texts.json > parses.json

Reads a JSON list of texts, prints a JSON list of ``[intent, confidence]``, one per text, as
``action_answer`` would see them (the whole NLU graph, ``RegexMessageHandler`` included).
"""

import asyncio
import json
import sys

from rasa.core.agent import Agent


async def parse_all(model: str, texts: list[str]) -> list[list[object]]:
    agent = Agent.load(model)
    parsed = [await agent.parse_message(text) for text in texts]
    return [[p["intent"]["name"], p["intent"]["confidence"]] for p in parsed]


if __name__ == "__main__":
    print(json.dumps(asyncio.run(parse_all(sys.argv[1], json.load(sys.stdin)))))
