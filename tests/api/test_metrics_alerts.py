"""The shipped monitoring (deploy/monitoring/): every alert and every dashboard panel asks for
metrics the gateway exports, each alert has a runbook entry in docs/operations.md, and, where
Debian's promtool is installed (`make promtool`), the rules pass `promtool check rules` and
their unit tests (alerts.test.yml)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.metrics.instruments import REGISTRY
from api.metrics.snapshot import Admission, Snapshot, SnapshotCollector

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
OPERATIONS = ROOT / "docs" / "operations.md"
# Series Prometheus makes itself for every target.
SCRAPE_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
# Names of our exporter in an expression (label values, in quotes, are removed first).
METRIC = re.compile(r"\b((?:aw|process|python)_[a-z0-9_]+|up)\b")


def exported_names() -> set[str]:
    """Every series name the gateway's /metrics can hold, labelled or not yet observed."""
    snapshot = Snapshot(admission=Admission(0, 0, 1, 0))
    families = [*REGISTRY.collect(), *SnapshotCollector(snapshot).collect()]
    names: set[str] = set()
    for family in families:
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_count", "_sum", "_created"),
        }.get(family.type, ("",))
        names.update(family.name + suffix for suffix in suffixes)
    return names


def metrics_in(expr: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(METRIC.findall(without_strings))


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_every_alert_asks_for_exported_metrics() -> None:
    exported = exported_names() | SCRAPE_SERIES
    assert {"aw_turn_seconds_bucket", "aw_rasa_errors_total", "aw_handoff_queue_length"} <= exported
    found = rules()
    assert len(found) >= 10
    for rule in found:
        asked = metrics_in(rule["expr"])
        assert asked, rule["alert"]
        assert asked <= exported, (rule["alert"], asked - exported)


def test_the_issue_s_alerts_are_shipped() -> None:
    names = {rule["alert"] for rule in rules()}
    # Error rate, p95 above target, a ministry down, the queue over its limit.
    issue = {"TurnErrorRateHigh", "TurnLatencyP95AboveTarget", "MinistryDown", "HandoffQueueOverLimit"}
    assert issue <= names


def test_every_alert_has_a_severity_and_a_runbook_entry() -> None:
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in OPERATIONS.read_text().splitlines()
        if line.startswith("#")
    }
    for rule in rules():
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        runbook = rule["annotations"]["runbook"]
        assert runbook == f"docs/operations.md#{rule['alert'].lower()}"
        assert runbook.split("#")[1] in headings, f"docs/operations.md has no section {rule['alert']}"


def test_every_dashboard_panel_asks_for_exported_metrics() -> None:
    exported = exported_names() | SCRAPE_SERIES
    exprs = dashboard_exprs()
    assert len(exprs) >= 20
    for expr in exprs:
        asked = metrics_in(expr)
        assert asked and asked <= exported, (expr, asked - exported)


def test_dashboard_is_importable() -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"] and dashboard["schemaVersion"] >= 36
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


def test_scrape_configs_name_the_job_the_alerts_use() -> None:
    for name in ("prometheus.yml", "prometheus.compose.yml"):
        config = yaml.safe_load((MONITORING / name).read_text())
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        assert set(jobs) == {"asisten-warga-gateway", "asisten-warga-actions", "asisten-warga-rasa"}
        for job in jobs.values():
            assert job["metrics_path"] == "/metrics"
            assert job["authorization"]["type"] == "Bearer"
        assert config["rule_files"] == ["alerts.yml"]


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is missing: make promtool (Debian's prometheus package)")
        pytest.skip("promtool is missing: make promtool (Debian's prometheus package)")
    return found


@pytest.mark.parametrize(
    "command",
    [
        ("check", "rules", "alerts.yml"),
        ("test", "rules", "alerts.test.yml"),
        # Debian's build leaves out Kubernetes discovery, so prometheus.yml is read as YAML above.
        ("check", "config", "--syntax-only", "prometheus.compose.yml"),
    ],
    ids=lambda command: " ".join(command[:2]) + " " + command[-1],
)
def test_promtool(command: tuple[str, ...]) -> None:
    done = subprocess.run(
        [_promtool(), *command], cwd=MONITORING, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
