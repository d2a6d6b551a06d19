"""Checks the deployment artefacts offline (no container runtime, no cluster): `make check-deploy`.

    .venv/deploy/bin/python deploy/check.py [--root DIR]

- Dockerfiles: hadolint (every finding, info included, fails), plus our rules: base images
  pinned to a version, the shipped stages run as a numeric non-root user with a HEALTHCHECK.
- compose.yaml: the Compose Specification's JSON schema (check-jsonschema's vendored copy),
  images pinned, secrets required (`${NAME:?...}`), one published port (the balancer's).
- The Helm chart: `helm lint --strict` and rendering (helm's own library, helm-python-sdk), each
  manifest validated against the Kubernetes schemas (kubernetes-validate, strict), and every
  container non-root, read-only, with liveness and readiness probes and resource requests.
- HAProxy configurations (compose's and the chart's): `haproxy -c` (Debian's haproxy).
Prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.30.0"
DOCKERFILES = ("deploy/rasa.Dockerfile", "deploy/gateway.Dockerfile")
SHIPPED_STAGES = {"deploy/rasa.Dockerfile": ("rasa", "actions"), "deploy/gateway.Dockerfile": ("gateway",)}
CHART = "deploy/helm/asisten-warga"
PINNED = re.compile(r"^[\w./-]+:v?\d+(\.\d+)+[\w.-]*(@sha256:[0-9a-f]{64})?$")
# `haproxy -c` cannot resolve the replicas' names offline; it says so and disables them.
UNRESOLVED = re.compile(r"could not resolve address")
BIN = Path(sys.executable).parent
REQUIRED_SECRETS = (
    "POSTGRES_PASSWORD",
    "AW_DATA_KEY",
    "AW_IDENTITY_KEY",
    "AW_SERVICE_TOKEN",
    "ACTION_SERVER_TOKEN",
    "RABBITMQ_PASSWORD",
    "AW_ANALYTICS_SALT",
    "AW_METRICS_TOKEN",
)


def run(*command: str) -> tuple[int, str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, (done.stdout + done.stderr).strip()


def stages(text: str) -> dict[str, list[str]]:
    """The instructions of each named stage of a Dockerfile (continuation lines joined)."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if match := re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.I):
            current = found.setdefault(match.group(2) or match.group(1), [])
        current.append(line)
    return found


def check_dockerfiles(root: Path) -> Iterator[str]:
    files = (str(root / name) for name in DOCKERFILES)
    code, output = run(str(BIN / "hadolint"), "--no-color", "--failure-threshold", "info", *files)
    if code:
        yield f"hadolint: {output}"
    for name in DOCKERFILES:
        by_stage = stages((root / name).read_text())
        for stage, lines in by_stage.items():
            base = lines[0].split()[1]
            if base not in by_stage and not PINNED.match(base):
                yield f"{name} stage {stage}: base image {base} is not pinned to a version"
        for stage in SHIPPED_STAGES[name]:
            lines = by_stage.get(stage, [])
            users = [line.split()[1] for line in lines if line.upper().startswith("USER ")]
            if not users or not re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]):
                yield f"{name} stage {stage}: does not run as a numeric non-root USER"
            if not any(line.upper().startswith("HEALTHCHECK ") for line in lines):
                yield f"{name} stage {stage}: no HEALTHCHECK"


def check_compose(root: Path) -> Iterator[str]:
    path = root / "deploy/compose.yaml"
    code, output = run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    if code:
        yield f"compose schema: {output}"
    text = path.read_text()
    compose = yaml.safe_load(text)
    for name, service in compose["services"].items():
        image = re.sub(r"\$\{[^}]+\}", "1.0", service.get("image", ""))
        if not PINNED.match(image):
            yield f"compose service {name}: image {service.get('image')!r} is not pinned"
        if name != "lb" and service.get("ports"):
            yield f"compose service {name}: publishes a port (only the balancer may)"
    for secret in REQUIRED_SECRETS:
        if re.search(rf"\$\{{{secret}(:-|-)", text) or f"${{{secret}:?" not in text:
            yield f"compose: {secret} must be required from the environment (${{{secret}:?...}})"


def containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    spec = manifest.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", []))


def check_chart(root: Path) -> Iterator[str]:
    chart_dir = root / CHART
    report = helm.lint(str(chart_dir), strict=True, kube_version=f"v{KUBERNETES_VERSION}")
    for message in report.get("messages", []):
        if message["severity"] >= 2:
            yield f"helm lint: {message['path']}: {message['error']}"
    chart = helm.Chart.load(str(chart_dir))
    variants: list[dict[str, Any]] = [{}, {"ingress": {"enabled": True, "tlsSecret": "tls"}}]
    for values in variants:
        rendered = chart.render(values, name="aw", namespace="layanan", is_install=True)
        for template, text in rendered.items():
            for manifest in yaml.safe_load_all(text):
                if not manifest:
                    continue
                where = f"{template} {manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
                try:
                    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
                except kubernetes_validate.ValidationError as error:
                    yield f"{where}: {error.message}"
                yield from check_workload(where, manifest)
                if manifest.get("kind") == "ConfigMap" and "haproxy.cfg" in manifest.get("data", {}):
                    yield from check_haproxy_text(where, manifest["data"]["haproxy.cfg"])


def check_workload(where: str, manifest: dict[str, Any]) -> Iterator[str]:
    if manifest.get("kind") != "Deployment":
        return
    pod = manifest["spec"]["template"]["spec"]
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        yield f"{where}: pod may run as root"
    for container in containers(manifest):
        name = f"{where} container {container['name']}"
        for probe in ("livenessProbe", "readinessProbe"):
            if probe not in container:
                yield f"{name}: no {probe}"
        if not container.get("resources", {}).get("requests"):
            yield f"{name}: no resource requests"
        security = container.get("securityContext", {})
        escalates = security.get("allowPrivilegeEscalation") is not False
        if escalates or not security.get("readOnlyRootFilesystem"):
            yield f"{name}: privilege escalation or a writable root file system"
        if not PINNED.match(container["image"]):
            yield f"{name}: image {container['image']} is not pinned"


def check_haproxy_text(where: str, text: str) -> Iterator[str]:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    with tempfile.NamedTemporaryFile("w", suffix=".cfg") as config:
        config.write(text)
        config.flush()
        code, output = run(haproxy, "-c", "-f", config.name)
    warnings = [line for line in output.splitlines() if "[WARNING]" in line and not UNRESOLVED.search(line)]
    if code or warnings or "ALERT" in output:
        yield f"{where}: haproxy -c: {output}"


def problems(root: Path) -> list[str]:
    found = [*check_dockerfiles(root), *check_compose(root), *check_chart(root)]
    balancer = "deploy/haproxy/haproxy.cfg"
    found += check_haproxy_text(balancer, (root / balancer).read_text())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    found = problems(parser.parse_args().root)
    for problem in found:
        print(problem)
    print(f"deployment artefacts: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
