"""NLU examples that are intent commands ("/attachment") are kept from the NLU components.

data/nlu.yml lists, for each payload-only intent, the commands the channels send, so that
``rasa data validate`` knows the intent. Rasa's RegexMessageHandler reads a command without
the classifier, so training on them teaches it nothing it uses, and its
``class_weight="balanced"`` gives a two-example intent as much weight as the 48 question examples:
trained on them, it put 3 of 1,253 customer texts into ``rate_conversation``, changed the
intent of 28 and one small-talk reply (bench/results/nlu_payload_intents_unfiltered.md).
First in config.yml's pipeline, this drops them from the training data every later component
gets, so the model gives customers' words the same intents and confidences as without them
(bench/results/nlu_payload_intents.md); at inference it passes every message on untouched.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def is_command(message: Message) -> bool:
    return str(message.get(TEXT) or "").startswith(INTENT_MESSAGE_PREFIX)


# A featurizer for the recipe: the only kinds whose process_training_data feeds the next component.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CommandExamplesDropped(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CommandExamplesDropped:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data.filter_training_examples(lambda message: not is_command(message))

    def process(self, messages: list[Message]) -> list[Message]:
        return messages
