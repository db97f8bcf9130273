"""The assistant's brain and its Rasa-side parts.

The brain (``bot.core.faq``, ``bot.brain.embeddings``, ``bot.brain.index``, ``bot.brain.brain``) runs in the
action server's Python 3.11 environment; the Rasa-side modules (channels, NLU
components) run inside the Rasa 3.10 environment. Nothing here imports either
framework at package import time.
"""
