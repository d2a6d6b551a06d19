"""`make cluster`'s settings (scripts/cluster.py) are the production files' own: every variable
endpoints.prod.yml and deploy/haproxy/cluster.cfg read is set, the gateway's settings pass
production's checks, and `haproxy -c` accepts the balancer's configuration."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from api.core.config import Settings
from tests.cluster import ROOT, cluster

VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")


def envs() -> dict[str, dict[str, str]]:
    return cluster.environments(cluster.Ports(), cluster.Servers(), cluster.make_secrets())


def test_rasa_gets_every_variable_of_endpoints_prod():
    wanted = set(VARIABLE.findall((ROOT / "endpoints.prod.yml").read_text()))
    assert wanted and wanted <= set(envs()["rasa"])
    assert {"EVENT_BROKER_QUEUE", "LOCK_STORE_REDIS_DB", "TRACKER_DB_NAME"} <= wanted


def test_the_balancer_gets_every_port_it_reads():
    wanted = set(VARIABLE.findall(cluster.HAPROXY_CONFIG.read_text()))
    assert wanted == set(cluster.Ports().haproxy_env())


def test_ports_stay_in_the_clusters_range():
    ports = [int(port) for port in cluster.Ports().haproxy_env().values()]
    assert len(set(ports)) == len(ports) and all(18300 <= port <= 18399 for port in ports)


def test_the_gateway_settings_pass_productions_checks(monkeypatch):
    gateway = envs()["gateway"]
    for name in [name for name in os.environ if name.startswith("AW_")]:
        monkeypatch.delenv(name)
    for name, value in gateway.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.environment == "production"
    assert settings.database_url.endswith("/aw_cluster_gateway")
    assert settings.redis_url == "redis://127.0.0.1:6379/9"


def test_haproxy_accepts_the_configuration():
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(haproxy):
        pytest.skip("haproxy is not installed (make haproxy)")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(cluster.HAPROXY_CONFIG)],
        env={**os.environ, **cluster.Ports().haproxy_env()}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
