"""The case updates' rules as pure functions: quiet hours, the update's words, the callback
signature, and the WhatsApp template message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from api.cases import WIB
from api.conversations.model import REPLY, TemplateReply, TextReply, needs_window
from api.models import Case, CaseKind
from api.notifications import signature
from api.notifications.quiet_hours import QuietHours
from api.notifications.texts import NEXT_STEPS, SERVICES, update_for
from connectors.telegram.render import render as telegram_render
from connectors.whatsapp.render import render as whatsapp_render

QUIET = QuietHours(time(21, 0), time(6, 0))


def wib(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        (wib(20, 59), False),
        (wib(21, 0), True),
        (wib(23, 59), True),
        (wib(0, 0), True),
        (wib(5, 59), True),
        (wib(6, 0), False),
        (wib(12, 0), False),
    ],
)
def test_quiet_hours_are_21_to_6_wib(at: datetime, quiet: bool) -> None:
    assert QUIET.contains(at) is quiet
    assert QUIET.contains(at.astimezone(UTC)) is quiet  # whatever the zone it is given in


def test_an_update_found_at_night_is_due_at_six_the_next_morning_unless_urgent() -> None:
    assert QUIET.due(wib(22, 15), urgent=False) == wib(6, 0, day=8)
    assert QUIET.due(wib(3, 0), urgent=False) == wib(6, 0)  # after midnight: the same morning
    assert QUIET.due(wib(22, 15), urgent=True) == wib(22, 15)
    assert QUIET.due(wib(10, 0), urgent=False) == wib(10, 0)
    assert QuietHours(time(6, 0), time(6, 0)).due(wib(23, 0), urgent=False) == wib(23, 0)  # none
    daytime = QuietHours(time(12, 0), time(13, 0))
    assert daytime.contains(wib(12, 30)) and not daytime.contains(wib(13, 0))


def _case(kind: CaseKind, number: str) -> Case:
    return Case(case_number=number, kind=kind, status="x", summary={})


@pytest.mark.parametrize("kind", list(CaseKind))
def test_every_kind_has_a_polite_update_with_its_number_and_a_next_step(kind: CaseKind) -> None:
    case = _case(kind, "ADM-2026-000123")
    update = update_for(case, "selesai")
    assert kind in SERVICES
    assert "ADM-2026-000123" in update.text and "berhenti kabari saya" in update.text
    assert "Bapak/Ibu" in update.text
    assert len(update.text) <= 480  # short: one screen of a phone


def test_updates_state_no_amounts_or_regulations() -> None:
    # Fees and legal bases come from the fact registry, never from these sentences.
    for sentence in NEXT_STEPS.values():
        assert not re.search(r"Rp|\d", sentence), sentence


def test_the_update_names_the_status_label_and_the_next_step() -> None:
    update = update_for(_case(CaseKind.BILLING, "BIL-2026-000007"), "lunas")
    assert update.text.startswith("Kabar terbaru Tagihan BIL-2026-000007: Lunas.\n")
    assert update.parameter("next_step") == NEXT_STEPS[(CaseKind.BILLING, "lunas")]
    with pytest.raises(KeyError):
        update.parameter("nik")


def test_a_signature_holds_for_its_body_secret_and_time_only() -> None:
    now = 1_800_000_000
    body = b'{"reference": "1234567"}'
    header = signature.sign("s3cret", body, now)
    assert signature.verify("s3cret", body, header, now + 10)
    assert not signature.verify("s3cret", body + b" ", header, now)
    assert not signature.verify("other", body, header, now)
    assert not signature.verify("s3cret", body, header, now + signature.TOLERANCE_SECONDS + 1)
    assert not signature.verify("", body, header, now)  # a ministry without a secret: refused
    for broken in (None, "", "t=abc,v1=00", "t=²,v1=00", "v1=" + "0" * 64, "x" * 500, "t=1800000000"):
        assert not signature.verify("s3cret", body, broken, now)


def test_callback_secrets_are_read_per_ministry() -> None:
    assert signature.parse_secrets(" simponi = a1 ,lapor=b2,broken,=x,empty= ") == {
        "simponi": "a1",
        "lapor": "b2",
    }


TEMPLATE = TemplateReply(
    text="Kabar terbaru Tagihan BIL-2026-000007: Lunas.",
    template="kabar_kasus",
    language="id",
    parameters=["BIL-2026-000007", "Lunas", "Simpan bukti bayar."],
)


def test_a_template_goes_as_a_whatsapp_template_and_as_text_elsewhere() -> None:
    assert REPLY.validate_python(TEMPLATE.model_dump(mode="json")) == TEMPLATE
    assert not needs_window(TEMPLATE) and needs_window(TextReply(text="halo"))
    [message] = whatsapp_render(TEMPLATE, 42)
    assert message == {
        "type": "template",
        "template": {
            "name": "kabar_kasus",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "BIL-2026-000007"},
                        {"type": "text", "text": "Lunas"},
                        {"type": "text", "text": "Simpan bukti bayar."},
                    ],
                }
            ],
        },
    }
    [call] = telegram_render(TEMPLATE, 42)
    assert call.params["text"] == TEMPLATE.text


def test_a_notification_due_date_is_never_before_it_was_found() -> None:
    start = wib(0, 0)
    for minutes in range(0, 24 * 60, 7):
        at = start + timedelta(minutes=minutes)
        due = QUIET.due(at, urgent=False)
        assert due >= at and not QUIET.contains(due)
