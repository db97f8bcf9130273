"""ops/prometheus and ops/grafana checked by Debian's promtool: the scrape configuration, the alert
rules and their unit tests (alerts_test.yml), and every dashboard query as PromQL.

Whether the metrics they name are exported by the running services is checked against the real
stack in tests/integration/test_observability.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.processes import REPO

PROMETHEUS = REPO / "ops" / "prometheus"
DASHBOARD = REPO / "ops" / "grafana" / "careassist.json"
METRIC = re.compile(r"\b(?:volta|process)_[a-z0-9_]+\b")
JOBS = {"volta-handoff", "volta-actions", "volta-rasa"}


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("promtool not found: bin/setup installs Debian's prometheus package (apt-get install prometheus)")
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, timeout=60, check=False)


def dashboard_queries() -> list[str]:
    panels: list[dict[str, Any]] = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def alert_queries() -> list[str]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [str(rule["expr"]) for group in groups for rule in group["rules"]]


def referenced_metrics() -> set[str]:
    """Every ``volta_*`` and ``process_*`` name the alerts and the dashboard query."""
    return {name for query in [*alert_queries(), *dashboard_queries()] for name in METRIC.findall(query)}


def test_the_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", PROMETHEUS / "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 11 rules found" in result.stdout


def test_the_alerts_fire_when_they_should(tmp_path: Path) -> None:
    """SLA breaches, queue growth, a long wait, a dead service, a stalled loop, errors, Redis errors,
    writes no replica held."""
    result = promtool("test", "rules", PROMETHEUS / "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8")))
    rules = {rule["alert"] for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
             for rule in group["rules"]}
    assert rules <= tested, f"alerts without a unit test: {sorted(rules - tested)}"


def test_the_scrape_configuration_is_valid(tmp_path: Path) -> None:
    """Checked where it is installed: beside the rules and the two credential files it names."""
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(PROMETHEUS / name, tmp_path / name)
    for secret in ("volta-service-token", "volta-rasa-token"):
        (tmp_path / secret).write_text("a-token-for-the-check\n")
    result = promtool("check", "config", tmp_path / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert {job["job_name"] for job in config["scrape_configs"]} == JOBS
    assert all(job["authorization"]["credentials_file"] for job in config["scrape_configs"])


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule's expression."""
    queries = dashboard_queries()
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:query_{i}", "expr": q}
                                                          for i, q in enumerate(queries)]}]}
    (tmp_path / "dashboard_rules.yml").write_text(yaml.safe_dump(rules))
    result = promtool("check", "rules", tmp_path / "dashboard_rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(queries) >= 20


def test_the_dashboard_imports_with_a_datasource_choice() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "volta-careassist"
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    assert {p["datasource"]["uid"] for p in dashboard["panels"]} == {"${DS_PROMETHEUS}"}
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    shared = {"volta_handoff_queue_length", "volta_handoff_oldest_wait_seconds", "volta_handoff_sla_breaches_open"}
    for query in [*alert_queries(), *dashboard_queries()]:
        if shared & set(METRIC.findall(query)):
            assert "sum(" not in query.replace(" ", ""), f"a shared figure is summed across replicas: {query}"


def test_the_referenced_metrics_are_ours() -> None:
    names = referenced_metrics()
    assert {"volta_brain_step_seconds_bucket", "volta_brain_decisions_total", "volta_rasa_messages_total",
            "volta_handoff_first_response_seconds_bucket", "volta_brain_index_info"} <= names
