"""The Rasa REST client on its own, against the fake Rasa (no database)."""

import time

import pytest

from api.rasa_client import RasaClient, RasaUnavailableError
from tests.api.fake_rasa import FakeRasa, closed_port_url

pytestmark = pytest.mark.asyncio

TIMEOUT = 0.3


async def send(url: str) -> list[object]:
    client = RasaClient(url, TIMEOUT)
    try:
        return list(await client.send("sender-1", "halo", "web", {"locale": "id"}))
    finally:
        await client.aclose()


async def test_names_the_sender_for_the_load_balancer(fake_rasa: FakeRasa) -> None:
    """A load balancer in front of several Rasa replicas hashes on this header (deploy/haproxy)."""
    fake_rasa.reply({"text": "Halo!"})
    await send(fake_rasa.url)
    assert fake_rasa.senders_in_header == ["sender-1"]


async def test_parses_replies(fake_rasa: FakeRasa) -> None:
    fake_rasa.reply(
        {"text": "Halo!"},
        {"text": "Pilih:", "buttons": [{"title": "Ya", "payload": "/affirm", "type": "postback"}]},
        {"image": "https://example.invalid/peta.png"},
        {"custom": {"kind": "map"}},
    )
    replies = await send(fake_rasa.url)
    assert [(r.text, [b.title for b in r.buttons], r.image) for r in replies] == [  # type: ignore[attr-defined]
        ("Halo!", [], None),
        ("Pilih:", ["Ya"], None),
        (None, [], "https://example.invalid/peta.png"),
        (None, [], None),
    ]
    assert fake_rasa.received == [
        {
            "sender": "sender-1",
            "message": "halo",
            "input_channel": "web",
            "metadata": {"locale": "id"},
        }
    ]


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"{}", "http 500"),
        (404, b"{}", "http 404"),
        (200, b"not json", "malformed response"),
        (200, b'{"text": "x"}', "malformed response"),
    ],
)
async def test_errors_are_typed(fake_rasa: FakeRasa, status: int, body: bytes, reason: str) -> None:
    fake_rasa.status, fake_rasa.body = status, body
    with pytest.raises(RasaUnavailableError) as error:
        await send(fake_rasa.url)
    assert error.value.reason == reason


async def test_connection_refused_is_typed() -> None:
    with pytest.raises(RasaUnavailableError) as error:
        await send(closed_port_url())
    assert error.value.reason.startswith("connection")


async def test_timeout_is_typed_and_on_time(fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = TIMEOUT * 10
    started = time.monotonic()
    with pytest.raises(RasaUnavailableError) as error:
        await send(fake_rasa.url)
    assert error.value.reason == "timeout"
    assert time.monotonic() - started < TIMEOUT + 0.5


async def test_is_up(fake_rasa: FakeRasa) -> None:
    up, down = RasaClient(fake_rasa.url, TIMEOUT), RasaClient(closed_port_url(), TIMEOUT)
    try:
        # Up within a generous bound (a loaded 2-core CI machine); a closed port is refused at once.
        assert await up.is_up(5.0) is True
        assert await down.is_up(TIMEOUT) is False
    finally:
        await up.aclose()
        await down.aclose()


async def test_a_turns_answer_is_read_from_the_tracker(fake_rasa: FakeRasa) -> None:
    """What Rasa answered to the message with a turn id, from the tracker's events: the bot's
    utterances up to the next user message; None when the tracker has no such message or the
    HTTP API is off (no token)."""
    sender = "conv-tracker"
    fake_rasa.events[sender] = [
        {"event": "user", "text": "halo", "metadata": {"turn_id": "7.0"}},
        {"event": "action", "name": "utter_greet"},
        {"event": "bot", "text": "Halo!", "data": {"buttons": [{"title": "Menu", "payload": "/menu"}]}},
        {"event": "bot", "text": None, "data": {"custom": {"type": "handoff", "reason": "citizen_request"}}},
        {"event": "user", "text": "menu", "metadata": {"turn_id": "8.0"}},
        {"event": "bot", "text": "Pilih layanan:", "data": {}},
    ]
    client = RasaClient(fake_rasa.url, TIMEOUT, token=fake_rasa.token)
    try:
        first = await client.replies_of_turn(sender, "7.0")
        second = await client.replies_of_turn(sender, "8.0")
        unknown = await client.replies_of_turn(sender, "9.0")
    finally:
        await client.aclose()
    without_token = RasaClient(fake_rasa.url, TIMEOUT)
    try:
        assert await without_token.replies_of_turn(sender, "7.0") is None
    finally:
        await without_token.aclose()

    assert first is not None and [(r.text, r.custom) for r in first] == [
        ("Halo!", None),
        (None, {"type": "handoff", "reason": "citizen_request"}),
    ]
    assert [(b.title, b.payload) for b in first[0].buttons] == [("Menu", "/menu")]
    assert second is not None and [r.text for r in second] == ["Pilih layanan:"]
    assert unknown is None
