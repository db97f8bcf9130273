"""Every change this product makes to Rasa 3.6's own code, installed in one place.

The Rasa server starts through ``python -m bot.rasa_side run …`` (``ops/processes.py``, the
Procfile), which calls ``install()`` before Rasa starts. Started as plain ``rasa run``, the
tracker store installs them on creation, with a warning (``require``). The patches, one module
each, all measured or needed for "nothing accepted is lost":

- ``validation``: action-server responses checked with a validator built once (68% of the
  Rasa server's CPU under load was ``jsonschema`` re-checking its schema);
- ``events``: an event's class found in a table instead of by walking every subclass (19%);
- ``tracker_store``: a tracker store failure refuses the message instead of keeping it in
  memory, so the channel reports it and Messenger's inbox retries it;
- ``sessions``: one keep-alive HTTP session per endpoint and event loop, instead of a new
  connection per call to the action server (7%);
- ``graph``: the model graph run in dependency order without dask's scheduler (10%);
- ``prefetch``: each customer message posted to the action server's ``/prefetch`` as it
  arrives, so the action server embeds it while Rasa reads the tracker and predicts;
- ``fair_share``: at most ``RASA_CONCURRENT_MESSAGES`` messages handled at once, the next
  one from the client that used the server least lately, so a flood waits its turn instead
  of slowing every real customer's answer;
- ``api_token``: the HTTP API token compared in constant time, and accepted as
  ``Authorization: Bearer`` as well as ``?token=``;
- ``readiness``: ``/health`` and ``/ready`` (model, Redis, the Messenger inbox worker) for
  HAProxy and the systemd units, outside the token;
- ``metrics``: ``GET /metrics`` (Prometheus, behind the API token), request latency per route,
  messages per channel, Redis errors of the stores;
- ``logs``: ``LOG_FORMAT=json`` for Rasa's and Sanic's lines, each message handled with its
  conversation id in the log lines.
"""

from __future__ import annotations

import logging

from bot.rasa_side.patches import (
    api_token,
    events,
    fair_share,
    graph,
    logs,
    metrics,
    prefetch,
    readiness,
    sessions,
    tracker_store,
    validation,
)

logger = logging.getLogger(__name__)
# logs last: its wrapper of Agent.handle_message is the outermost, so every line has the id
PATCHES = (validation, events, tracker_store, sessions, graph, prefetch, fair_share, api_token, readiness,
           metrics, logs)
_installed = False


def install() -> None:
    """Apply every patch once per process (idempotent)."""
    global _installed
    if _installed:
        return
    for patch in PATCHES:
        patch.install()
    _installed = True
    logger.info("installed Rasa patches: %s", ", ".join(p.__name__.rsplit(".", 1)[-1] for p in PATCHES))


def require() -> None:
    """Called where Rasa loads this product's code: installs the patches when the server was
    started without ``python -m bot.rasa_side``, and says so."""
    if not _installed:
        logger.warning("Rasa was started without `python -m bot.rasa_side`; installing the patches now")
        install()
