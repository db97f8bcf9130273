"""Run by the Rasa venv's Python (see test_command_examples.py): what CommandExamplesDropped
passes on from data/nlu.yml in training, and at inference. Prints one JSON object."""

import json

from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_side.command_examples import CommandExamplesDropped

component = CommandExamplesDropped()
data = load_data("data/nlu.yml")
kept = component.process_training_data(data)
messages = [Message(data={"text": text}) for text in ("/attachment", "cześć")]
print(json.dumps({
    "commands_in_data": sorted({m.get("intent") for m in data.intent_examples if m.get("text").startswith("/")}),
    "kept_commands": [m.get("text") for m in kept.training_examples if m.get("text").startswith("/")],
    "kept": len(kept.training_examples),
    "others": sum(not m.get("text").startswith("/") for m in data.training_examples),
    "inference": [m.get("text") for m in component.process(messages)],
}))
