"""The gateway's settings as compose and the chart hand them over: the gateway starts with them
(production validation included), required secrets are required, optional ones stay optional."""

from __future__ import annotations

from typing import Any

import pytest

from api.core.config import Settings
from tests.deploy.artefacts import compose_service, manifest, render_chart

# Secrets a production operator sets (strong, distinct); `Settings` refuses weak ones.
SECRETS = {
    "POSTGRES_PASSWORD": "pg-Qv7rT2mXk9Lw4Zb8",
    "RABBITMQ_PASSWORD": "mq-Hs3nJ8pVc6Ye1Ru5",
    "AW_DATA_KEY": "dk-9fK2mQ7vX4bN8cL1zR6t",
    "AW_IDENTITY_KEY": "ik-4Gh8Jk2Lm6Np0Qr4St8Uv2Wx6Yz0Ab4Cd",
    "AW_WIDGET_SESSION_KEY": "wk-7Tb3Nc9Md5Pf1Rg8Sh",
    "AW_SERVICE_TOKEN": "sv-2Kd8Lf4Mg0Nh6Pj3Qk",
    "AW_RASA_TOKEN": "rs-5Wm1Xn7Yp3Zq9Ar4Bs",
    "ACTION_SERVER_TOKEN": "ac-8Ct4Du0Ev6Fw2Gx7Hy",
    "AW_ANALYTICS_SALT": "as-3Jz9Ka5Lb1Mc7Nd2Oe",
    "AW_METRICS_TOKEN": "mt-6Pf2Qg8Rh4Si0Tj5Uk",
    "RELEASE": "1.0.0",
    "AW_PUBLIC_URL": "https://asisten.layanan.go.id",
}
# The gateway's own secrets in the chart's Secret.
CHART_SECRETS = {
    "DATABASE_PASSWORD": SECRETS["POSTGRES_PASSWORD"],
    **{name: value for name, value in SECRETS.items() if name.startswith("AW_")},
}


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def chart_env(values: dict[str, Any], secret: dict[str, str]) -> dict[str, str]:
    """The gateway container's environment, secret references resolved like the kubelet does
    (`$(NAME)` expanded; an optional key missing from the Secret: the variable is unset)."""
    container = manifest(render_chart(values), "Deployment", "aw-gateway")["spec"]["template"]["spec"]
    env: dict[str, str] = {}
    for variable in container["containers"][0]["env"]:
        if "valueFrom" in variable:
            reference = variable["valueFrom"]["secretKeyRef"]
            if reference["key"] in secret:
                env[variable["name"]] = secret[reference["key"]]
            else:
                assert reference.get("optional"), f"{reference['key']} is required but missing"
            continue
        value = variable["value"]
        for name, known in env.items():
            value = value.replace(f"$({name})", known)
        env[variable["name"]] = value
    return env


def test_compose_gateway_starts_with_this_rounds_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = compose_service("gateway", SECRETS)
    settings = settings_from({k: str(v) for k, v in gateway["environment"].items()}, monkeypatch)
    assert settings.metrics_token.get_secret_value() == SECRETS["AW_METRICS_TOKEN"]
    assert settings.analytics_salt.get_secret_value() == SECRETS["AW_ANALYTICS_SALT"]
    assert settings.analytics_source == "broker"
    # The consumer hashes with the very same salt.
    analytics = compose_service("analytics", SECRETS)["environment"]
    assert analytics["AW_ANALYTICS_SALT"] == gateway["environment"]["AW_ANALYTICS_SALT"]
    # Attachments on the shared named volume, mounted where the setting points.
    assert f"attachments:{settings.attachments_dir}" in gateway["volumes"]
    # Optional notification settings: unset = off, with the code's defaults.
    assert settings.smtp_host == "" and settings.whatsapp_display_number == ""
    assert settings.ministry_callback_secrets.get_secret_value() == ""
    assert settings.whatsapp_update_template_parameters == ["case_number", "status", "next_step"]
    assert not settings.whatsapp_enabled and not settings.telegram_enabled


def test_compose_carries_the_optional_notification_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = {
        "AW_MINISTRY_CALLBACK_SECRETS": "simponi=cb-Xy7Zk3Qm9Wr2",
        "AW_WHATSAPP_DISPLAY_NUMBER": "6281100001111",
        "AW_WHATSAPP_UPDATE_TEMPLATE": "kabar_layanan",
        "AW_WHATSAPP_UPDATE_TEMPLATE_PARAMETERS": '["case_number","service"]',
        "AW_SMTP_HOST": "smtp.layanan.go.id",
        "AW_SMTP_PORT": "465",
        "AW_SMTP_PASSWORD": "smtp-Pw4Kd8Lx2",
        "AW_SMTP_STARTTLS": "false",
    }
    gateway = compose_service("gateway", {**SECRETS, **chosen})
    settings = settings_from({k: str(v) for k, v in gateway["environment"].items()}, monkeypatch)
    assert settings.ministry_callback_secrets.get_secret_value() == chosen["AW_MINISTRY_CALLBACK_SECRETS"]
    assert settings.whatsapp_display_number == "6281100001111"
    assert settings.whatsapp_update_template == "kabar_layanan"
    assert settings.whatsapp_update_template_parameters == ["case_number", "service"]
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.layanan.go.id",
        465,
        False,
    )
    assert settings.smtp_password.get_secret_value() == "smtp-Pw4Kd8Lx2"


@pytest.mark.parametrize("name", ["AW_METRICS_TOKEN", "AW_ANALYTICS_SALT", "AW_PUBLIC_URL"])
def test_compose_requires(name: str) -> None:
    with pytest.raises(KeyError, match=name):
        compose_service("gateway", {k: v for k, v in SECRETS.items() if k != name})


def test_chart_gateway_starts_with_this_rounds_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(chart_env({}, CHART_SECRETS), monkeypatch)
    assert settings.public_url is None  # no Ingress, no address: unset rather than empty
    assert settings.metrics_token.get_secret_value() == SECRETS["AW_METRICS_TOKEN"]
    assert settings.analytics_salt.get_secret_value() == SECRETS["AW_ANALYTICS_SALT"]
    assert settings.analytics_source == "broker"
    assert settings.smtp_host == "" and settings.ministry_callback_secrets.get_secret_value() == ""
    assert settings.whatsapp_update_template_parameters == ["case_number", "status", "next_step"]


def test_chart_carries_the_optional_notification_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "gateway": {
            "whatsapp": {
                "phoneNumberId": "1098765432",
                "displayNumber": "6281100001111",
                "updateTemplateParameters": ["case_number", "next_step"],
            },
            "smtp": {"host": "smtp.layanan.go.id", "port": 465, "starttls": False},
        }
    }
    secret = {
        **CHART_SECRETS,
        "AW_MINISTRY_CALLBACK_SECRETS": "simponi=cb-Xy7Zk3Qm9Wr2",
        "AW_SMTP_PASSWORD": "smtp-Pw4Kd8Lx2",
        "AW_WHATSAPP_TOKEN": "wa-Tk5Lm9Np3Qr7",
        "AW_WHATSAPP_APP_SECRET": "wa-As2Bd6Cf0Dg4",
        "AW_WHATSAPP_VERIFY_TOKEN": "wa-Vt8Ew2Fx6Gy0",
    }
    values["ingress"] = {"enabled": True, "host": "asisten.layanan.go.id"}
    settings = settings_from(chart_env(values, secret), monkeypatch)
    assert str(settings.public_url) == "https://asisten.layanan.go.id/"
    assert settings.whatsapp_enabled and settings.whatsapp_phone_number_id == "1098765432"
    assert settings.whatsapp_display_number == "6281100001111"
    assert settings.whatsapp_update_template_parameters == ["case_number", "next_step"]
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.layanan.go.id",
        465,
        False,
    )
    assert settings.ministry_callback_secrets.get_secret_value() == "simponi=cb-Xy7Zk3Qm9Wr2"


def test_chart_shares_one_read_write_many_volume_for_attachments() -> None:
    manifests = render_chart({"gateway": {"attachments": {"storageClass": "nfs-client", "size": "50Gi"}}})
    claim = manifest(manifests, "PersistentVolumeClaim", "aw-attachments")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"]["storageClassName"] == "nfs-client"
    assert claim["spec"]["resources"]["requests"]["storage"] == "50Gi"
    pod = manifest(manifests, "Deployment", "aw-gateway")["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "attachments"]
    assert volume["persistentVolumeClaim"]["claimName"] == "aw-attachments"
    container = pod["containers"][0]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "attachments"]
    (setting,) = [e for e in container["env"] if e["name"] == "AW_ATTACHMENTS_DIR"]
    assert mount["mountPath"] == setting["value"]
    # An operator's own claim: the chart makes none.
    mine = render_chart({"gateway": {"attachments": {"existingClaim": "berkas-warga"}}})
    assert not [m for m in mine if m["kind"] == "PersistentVolumeClaim"]
    pod = manifest(mine, "Deployment", "aw-gateway")["spec"]["template"]["spec"]
    assert {"name": "attachments", "persistentVolumeClaim": {"claimName": "berkas-warga"}} in pod["volumes"]
