"""The retraining loop: archive import, redaction, mining, review, the gate, publishing and
the admin CLI (``python -m bot.admin``). Admins run it; the handoff service runs mining and
publishing as child processes and imports only the light parts (``paths``, ``review``,
``redact``), never the brain. Imports ``bot.brain`` and ``bot.core`` of ours.
"""
