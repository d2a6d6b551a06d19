"""Questions about LAPOR! itself (actions/complaint_info.py)."""

from __future__ import annotations

import pytest

from actions.complaint_info import ActionComplaintInfo, topic
from tests.actions.builders import user
from tests.actions.flow_helpers import submit_tracker, texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("identitas saya dirahasiakan nggak?", "privacy"),
        ("bisa lapor anonim?", "privacy"),
        ("kalau tidak ditanggapi instansi saya harus ke mana", "escalation"),
        ("bisa ke ombudsman?", "escalation"),
        ("berapa lama sampai ditanggapi?", "deadline"),
        ("bisa lapor lewat sms?", "channels"),
        ("apa itu sp4n lapor", "general"),
    ],
)
def test_the_topic_of_a_question_about_lapor(text, expected) -> None:
    assert topic(text) == expected


async def test_the_deadline_answer_gives_the_working_days_and_their_source(dispatcher, domain) -> None:
    message = user("complaint_info", "Kalau saya lapor lewat LAPOR!, berapa lama sampai ditanggapi?")

    await ActionComplaintInfo().run(dispatcher, submit_tracker({}, message), domain)

    text = texts(dispatcher)
    assert "3 hari kerja" in text and "5 hari kerja" in text and "prosedur SP4N-LAPOR!" in text


async def test_the_channels_answer_gives_the_sms_number(dispatcher, domain) -> None:
    await ActionComplaintInfo().run(
        dispatcher, submit_tracker({}, user("complaint_info", "bisa lapor lewat sms?")), domain
    )

    assert "SMS ke 1708" in texts(dispatcher)
