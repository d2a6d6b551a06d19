"""IndonesianNormalizer: gives every token a normalised lemma before featurisation.

It runs after the tokenizer and only sets `Token.lemma` (which LinearIntentClassifier reads, as
would Rasa's CountVectorsFeaturizers), so the message text and the tokens' offsets stay as the
citizen typed them and entity spans keep pointing at the right characters.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import WordNormalizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class IndonesianNormalizer(GraphComponent):
    """Slang to standard words, elongations collapsed, regional words mapped, words stemmed."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"stem": True}

    def __init__(self, config: dict[str, Any]) -> None:
        self._words = WordNormalizer(stem=config["stem"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IndonesianNormalizer:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:
                continue
            for token in tokens:
                token.lemma = self._words.normalize(token.text)
            # Set the tokens again: it resets the message's cached fingerprint, so Rasa's
            # training cache sees the new lemmas (and a changed normaliser retrains what follows).
            message.set(TOKENS_NAMES[TEXT], tokens)
        return messages
