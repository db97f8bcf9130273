"""The Rasa server's Prometheus metrics, defined once (served by ``patches.metrics``).

Outside the patches package so that the stores' retry (``bot.rasa_side.retry``) can count Redis
errors without importing every patch.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)  # a message: tens of ms to seconds
REQUEST_SECONDS = Histogram("volta_rasa_http_request_duration_seconds", "Rasa server request latency by route pattern",
                            ["method", "route"], buckets=BUCKETS)
REQUESTS = Counter("volta_rasa_http_requests", "Rasa server requests by route pattern and status class",
                   ["method", "route", "status"])
MESSAGES = Counter("volta_rasa_messages", "Customer messages handled by Rasa, per input channel", ["channel"])
MESSAGE_SECONDS = Histogram("volta_rasa_message_seconds", "Time to handle one message (prediction and actions)",
                            ["channel"], buckets=BUCKETS)
REDIS_ERRORS = Counter("volta_rasa_redis_errors", "Redis errors met by the Rasa server's stores, by where",
                       ["where"])


def redis_error(where: str) -> None:
    REDIS_ERRORS.labels(where).inc()
