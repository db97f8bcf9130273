"""The assistant's own code, one room per thing that runs (docs/architecture.md, "Rooms").

- ``bot.core``: shared contracts (Redis keys, turn order, conversation ids, text, language,
  FAQ and archive formats, settings helpers); imports nothing else of ours and no ML library.
- ``bot.rasa_side``: inside the Rasa server (Python 3.10, ``.venv-rasa``): channels, stores, patches.
- ``bot.brain``: inside the action server (Python 3.11, ``.venv``): answer, clarify or hand off.
- ``bot.learning``: the retraining loop, run by admins and the handoff service's jobs.

``bot.admin``, ``bot.build_index`` and ``bot.archive_import`` keep the commands' names.
Nothing here does work at import time; ``tests/test_layout.py`` holds the import rules.
"""
