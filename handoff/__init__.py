"""The human queue and moderator console service (aiohttp + Redis)."""
