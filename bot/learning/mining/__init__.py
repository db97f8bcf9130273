"""Turn handed-off conversations into FAQ proposals for an admin to review.

A moderator-resolved conversation gives one pair: the question the bot could not
handle and the moderator's answer. Similar questions are grouped; a group that
the brain confidently maps to one topic proposes new ways of asking that topic,
any other group proposes a new entry with the most representative answer.

One module per step: ``answers`` cleans a moderator's answer, ``pairs`` finds the
question and answer in a conversation, ``similarity`` groups alike questions,
``proposals`` turns a group into a proposal, and ``miner`` runs them in order.
"""

from bot.learning.mining.answers import clean_answer, first_name
from bot.learning.mining.miner import mine
from bot.learning.mining.pairs import (
    Pair,
    approved_questions,
    extract_pairs,
    is_approved,
    mined_pairs,
    question_focus,
)
from bot.learning.mining.proposals import (
    Proposal,
    confident_topic,
    fitting_topic,
    merge_paraphrases,
    proposal_id,
    propose,
)
from bot.learning.mining.similarity import (
    Space,
    derive_similarity,
    embed,
    group_similar,
    index_vectors,
    precision_threshold,
)

__all__ = [
    "Pair",
    "Proposal",
    "Space",
    "approved_questions",
    "clean_answer",
    "confident_topic",
    "derive_similarity",
    "embed",
    "extract_pairs",
    "first_name",
    "fitting_topic",
    "group_similar",
    "index_vectors",
    "is_approved",
    "merge_paraphrases",
    "mine",
    "mined_pairs",
    "precision_threshold",
    "proposal_id",
    "propose",
    "question_focus",
]
