"""Metrics and logs of the running stack (tests/stack.py runs it with LOG_FORMAT=json): every metric
the alerts and the dashboard query is exported by a service, and every log line is one JSON
object, with the conversation id on a message's lines and the customer's text never at INFO."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.ops.test_prometheus import referenced_metrics
from tests.stack import SERVICE_TOKEN, Stack

pytestmark = pytest.mark.integration
FAMILY = re.compile(r"^# (?:HELP|TYPE) (\S+)", re.M)
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", re.M)
INFO_AND_ABOVE = {"INFO", "WARNING", "ERROR", "CRITICAL"}


async def scrape(url: str, token: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/metrics") as refused:
            assert refused.status == 401  # the figures are for Prometheus only
        async with http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            return await r.text()


def exported(text: str) -> set[str]:
    return set(FAMILY.findall(text)) | {m for m in SAMPLE.findall(text) if not m.startswith("#")}


async def a_message(stack: Stack, sender: str, text: str) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as http, http.post(url, json={"sender": sender, "message": text}) as r:
        assert r.status == 200, await r.text()


def log_lines(stack: Stack, name: str) -> list[dict[str, Any]]:
    lines = []
    for number, line in enumerate((Path(stack.log_dir) / f"{name}.log").read_text(errors="replace").splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            pytest.fail(f"{name}.log line {number + 1} is not JSON: {line[:300]!r}")
        assert isinstance(record, dict) and {"level", "logger", "message", "time"} <= record.keys(), line
        lines.append(record)
    return lines


async def test_every_metric_the_alerts_and_the_dashboard_use_is_exported(stack: Stack) -> None:
    await a_message(stack, f"rest-{uuid.uuid4().hex[:8]}", "Jak zwrócić produkt?")  # a decision, a message
    texts = {"handoff": await scrape(stack.handoff_url, SERVICE_TOKEN),
             "actions": await scrape(stack.action_url, SERVICE_TOKEN),
             "rasa": await scrape(stack.rasa_url, stack.token)}
    names = set().union(*map(exported, texts.values()))
    missing = {m for m in referenced_metrics() if not {m, re.sub(r"_(bucket|sum|count)$", "", m)} & names}
    assert missing == set(), f"queried by ops/prometheus or ops/grafana but exported by no service: {sorted(missing)}"
    assert re.search(r'^volta_rasa_messages_total\{channel="rest"\} [1-9]', texts["rasa"], re.M)
    assert re.search(r'^volta_brain_step_seconds_count\{step="embed"\} [1-9]', texts["actions"], re.M)
    assert re.search(r'^volta_brain_index_info\{version="[^"]+"\} 1\.0$', texts["actions"], re.M)
    assert 'route="/webhooks/rest/webhook"' in texts["rasa"] and 'route="/webhook"' in texts["actions"]


async def test_logs_are_json_with_the_conversation_id_and_no_customer_text_at_info(stack: Stack) -> None:
    sender, secret = f"rest-{uuid.uuid4().hex[:8]}", f"mój numer zamówienia to {uuid.uuid4().hex[:12]}"
    await a_message(stack, sender, f"Chcę rozmawiać z człowiekiem, {secret}")
    await a_message(stack, sender, "Jak zwrócić produkt?")
    records = {name: log_lines(stack, name) for name in ("rasa", "actions", "handoff")}
    for name, lines in records.items():
        loud = [r for r in lines if r["level"] in INFO_AND_ABOVE and secret in json.dumps(r, ensure_ascii=False)]
        assert loud == [], f"{name} logged a customer's text at INFO or above: {loud[:3]}"
    tagged = {name: [r for r in lines if r.get("conversation_id") == sender] for name, lines in records.items()}
    assert tagged["rasa"], "no Rasa line about the message carries its conversation id"
    assert tagged["actions"], "no action-server line about the message carries its conversation id"
