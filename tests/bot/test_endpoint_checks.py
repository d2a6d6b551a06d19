"""bot.endpoint_checks: the endpoints bot.server refuses before Rasa starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.endpoint_checks import EndpointsRefused, EndpointsWithoutFacts, check_endpoints

ROOT = Path(__file__).parents[2]
FACTS = "nlg:\n  type: bot.nlg.FactNaturalLanguageGenerator\n"
PROD_TRACKER = (
    "tracker_store:\n  type: bot.tracker_store.SQLTrackerStore\n  dialect: postgresql\n"
    "  url: ${TRACKER_DB_HOST}\n  db: rasa\n  login_db: postgres\n"
)
REDIS_LOCKS = "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  key_prefix: asistenwarga\n"


def endpoints(tmp_path: Path, text: str) -> str:
    path = tmp_path / "endpoints.yml"
    path.write_text(text)
    return str(path)


def test_the_shipped_endpoints_pass() -> None:
    for shipped in ("endpoints.yml", "endpoints.prod.yml"):
        check_endpoints(str(ROOT / shipped))


def test_endpoints_without_the_fact_generator_are_refused(tmp_path: Path) -> None:
    bare = 'action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n'
    with pytest.raises(EndpointsWithoutFacts, match="would reach citizens unfilled"):
        check_endpoints(endpoints(tmp_path, bare))
    with pytest.raises(EndpointsWithoutFacts):
        check_endpoints(endpoints(tmp_path, bare + "nlg:\n  type: callback\n  url: http://127.0.0.1:1/nlg\n"))
    with pytest.raises(EndpointsWithoutFacts):
        check_endpoints(str(tmp_path / "missing.yml"))


def test_stores_rasa_would_read_as_configured_pass(tmp_path: Path) -> None:
    check_endpoints(endpoints(tmp_path, FACTS + PROD_TRACKER + REDIS_LOCKS))


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (
            PROD_TRACKER.replace("bot.tracker_store.SQLTrackerStore", "bot.tracker_store.SQLStore"),
            "does not import",
        ),
        (PROD_TRACKER + "  pool_size: 10\n", "takes no pool_size"),
        (PROD_TRACKER.replace("login_db", "logindb"), "takes no logindb"),
        (REDIS_LOCKS.replace("asistenwarga", "asisten_warga"), "not alphanumeric"),
        (REDIS_LOCKS + "  prefix: aw\n", "takes no prefix"),
    ],
    ids=["store type", "tracker key", "misspelt key", "lock prefix", "lock key"],
)
def test_settings_rasa_would_ignore_or_replace_are_refused(tmp_path: Path, text: str, refusal: str) -> None:
    with pytest.raises(EndpointsRefused, match=refusal):
        check_endpoints(endpoints(tmp_path, FACTS + text))
