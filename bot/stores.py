"""Rasa tracker store for this product (runs inside the Rasa server, Python 3.10).

``endpoints.yml`` names it as ``type: bot.stores.RedisTrackerStore``. Besides
storing conversations like Rasa's own Redis store, it

- lists conversation ids without the key prefix, so ``rasa export`` finds them
  (Rasa 3.6's ``keys()`` returns prefixed keys and the exporter then finds nothing);
- installs the per-message fixes in ``bot.rasa_patches`` when Rasa creates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore as _RasaRedisTrackerStore

from bot import rasa_patches


class RedisTrackerStore(_RasaRedisTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasa_patches.install()

    async def keys(self) -> Iterable[str]:
        prefix = self.key_prefix
        return [key[len(prefix):] for key in self.red.scan_iter(match=prefix + "*")]
