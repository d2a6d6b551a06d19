"""`/metrics` is Prometheus' alone: the public HAProxy frontend (compose) refuses it however it is
spelled while passing everything else to the gateways; the chart's Ingress sends it nowhere."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.artefacts import ROOT, manifest, render_chart

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REFUSED = [
    "/metrics",
    "/metrics/",
    "/metrics?format=text",
    "/METRICS",
    "/%6detrics",
    "//metrics",
    "/Metrics/x",
]
PASSED = ["/health", "/metricsx", "/api/v1/metrics-info", "/"]


class Gateway(BaseHTTPRequestHandler):
    """Stands for a gateway replica: answers every path, saying which one it was asked."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = f"gateway {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def public_sections(config: str, public_port: int, gateway_port: int) -> str:
    """compose's haproxy.cfg reduced to global, defaults, `frontend public` and its backend, with
    the Docker DNS names replaced by the stand-in gateway (the rules are kept as shipped)."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in config.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            current = sections.setdefault(line.strip(), [])
        current.append(line)
    kept = [
        *sections["global"],
        *sections["defaults"],
        *sections["frontend public"],
        *sections["backend gateways"],
    ]
    text = "\n".join(kept) + "\n"
    assert "    bind :8080\n" in text and "server-template gateway 4 gateway:8000 resolvers docker" in text
    text = text.replace("    bind :8080\n", f"    bind 127.0.0.1:{public_port}\n")
    return text.replace(
        "server-template gateway 4 gateway:8000 resolvers docker", f"server gateway1 127.0.0.1:{gateway_port}"
    )


@pytest.fixture(scope="module")
def balancer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if not Path(HAPROXY).exists():
        pytest.skip("haproxy is not installed (make haproxy)")
    gateway = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    port = free_port()
    config = tmp_path_factory.mktemp("haproxy") / "haproxy.cfg"
    config.write_text(
        public_sections((ROOT / "deploy/haproxy/haproxy.cfg").read_text(), port, gateway.server_port)
    )
    process = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        gateway.shutdown()


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Authorization": "Bearer mt-6Pf2Qg8Rh4Si0Tj5Uk"})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@pytest.mark.parametrize("path", REFUSED)
def test_the_public_frontend_refuses_metrics(balancer: int, path: str) -> None:
    status, body = get(balancer, path)
    assert status == 404
    assert "gateway" not in body  # refused by the balancer, never forwarded


@pytest.mark.parametrize("path", PASSED)
def test_the_public_frontend_passes_the_rest(balancer: int, path: str) -> None:
    assert get(balancer, path) == (200, f"gateway {path}")


def test_the_ingress_sends_metrics_to_no_pod() -> None:
    manifests = render_chart({"ingress": {"enabled": True, "host": "asisten.layanan.go.id"}})
    paths = manifest(manifests, "Ingress", "aw")["spec"]["rules"][0]["http"]["paths"]
    routes = {path["path"]: (path["pathType"], path["backend"]["service"]["name"]) for path in paths}
    assert routes == {"/metrics": ("Prefix", "aw-no-backend"), "/": ("Prefix", "aw-gateway")}
    nowhere = manifest(manifests, "Service", "aw-no-backend")
    assert "selector" not in nowhere["spec"]  # no pods, no endpoints: the controller answers 503


def prometheus_peers(manifests: list[dict[str, object]], name: str) -> list[dict[str, object]]:
    policy = manifest(manifests, "NetworkPolicy", name)  # type: ignore[arg-type]
    peers = policy["spec"]["ingress"][0]["from"]
    return [peer for peer in peers if "namespaceSelector" in peer]


def test_prometheus_may_scrape_rasa_and_the_action_servers() -> None:
    selectors = {"namespaceSelector": {"team": "observability"}, "podSelector": {"app": "prom"}}
    manifests = render_chart({"monitoring": {"prometheus": selectors}})
    for name in ("aw-rasa-5005", "aw-actions-5055"):
        assert prometheus_peers(manifests, name) == [
            {
                "namespaceSelector": {"matchLabels": {"team": "observability"}},
                "podSelector": {"matchLabels": {"app": "prom"}},
            }
        ]
    # Not the balancer, not the service API: Prometheus scrapes pods, not those.
    assert prometheus_peers(manifests, "aw-rasa-balancer-5005") == []
    assert prometheus_peers(manifests, "aw-gateway-8001") == []
    usual = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
             "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}  # fmt: skip
    assert prometheus_peers(render_chart({}), "aw-rasa-5005") == [usual]
    closed = render_chart({"monitoring": {"prometheus": {"enabled": False}}})
    assert prometheus_peers(closed, "aw-rasa-5005") == prometheus_peers(closed, "aw-actions-5055") == []
