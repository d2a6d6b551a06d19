"""The hand-off to a call-center officer: the bot only signals it, the gateway does the rest.

The signal is a custom message `{"type": "handoff", "reason": ..., "service": ...}`
(docs/call-center.md): on it the gateway queues the conversation for the officers of `service`,
tells the citizen about the queue and stops forwarding messages to Rasa. When the officer hands
the conversation back, the gateway sends `/handoff_returned`.

- `action_request_human`: the citizen asked for a person (reason `citizen_request`); inside a
  form the form stays active and waits (data/rules/handoff.yml), so that its context survives.
- `action_resume_after_handoff`: back from the officer; a form then asks its question again,
  otherwise the citizen gets the menu.
- `signal_handoff()`: also sent by `action_handle_miss` (`repeated_miss`) and on a second
  identity mismatch in a row (`escalation`, actions/flows.py).
- `handoff_service()`: the team the conversation is for, from the active form or else the latest
  service intent of the session; `TEAMS` is the one mapping of forms and intents to teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import user_intents
from actions.conversation import Action
from actions.menu import SERVICES, service_buttons

Reason = Literal["citizen_request", "repeated_miss", "escalation"]


@dataclass(frozen=True)
class Team:
    """The officers of one service; `key` is the name of its actions module."""

    key: str
    service: str  # the menu's Service.key, whose topics are this team's intents
    forms: tuple[str, ...]


TEAMS: tuple[Team, ...] = (
    Team("health", "health", ("bpjs_status_form", "facility_search_form", "immunization_form")),
    Team("education", "education", ("pip_status_form", "kip_kuliah_form", "spmb_form")),
    Team("social", "social", ("bansos_check_form",)),
    Team(
        "identity",
        "identity",
        ("document_requirements_form", "population_application_form", "application_status_form"),
    ),
    Team("satudata", "data", ("statistics_form", "dataset_search_form")),
    Team("payments", "payments", ("vehicle_tax_form", "pnbp_billing_form", "billing_status_form")),
    Team("complaints", "complaints", ("complaint_form", "complaint_status_form")),
    Team("asn", "asn", ("casn_result_form",)),
    Team("police", "police", ("sim_renewal_form", "sim_fee_form", "skck_form")),
)

_BY_FORM: dict[str, str] = {form: team.key for team in TEAMS for form in team.forms}
_TEAM_OF_SERVICE: dict[str, str] = {team.service: team.key for team in TEAMS}
_BY_INTENT: dict[str, str] = {
    topic.intent: _TEAM_OF_SERVICE[service.key] for service in SERVICES for topic in service.topics
}


def team_of_form(form: str | None) -> str | None:
    return _BY_FORM.get(form or "")


def team_of_intent(intent: str | None) -> str | None:
    """The team of a service intent; None for the general ones (greet, inform, request_human…)."""
    return _BY_INTENT.get(intent or "")


def handoff_service(tracker: Tracker, form: str | None = None) -> str | None:
    """The team of `form` (default: the active form), else of the session's latest service intent."""
    team = team_of_form(form or tracker.active_loop_name)
    if team:
        return team
    for intent in reversed(user_intents(tracker.events)):
        team = team_of_intent(intent)
        if team:
            return team
    return None


def signal_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: Reason, form: str | None = None
) -> None:
    """Ask the gateway to hand the conversation to an officer."""
    dispatcher.utter_message(
        json_message={"type": "handoff", "reason": reason, "service": handoff_service(tracker, form)}
    )


class ActionRequestHuman(Action):
    """The citizen asked for a person: only the signal, the gateway tells them about the queue."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        signal_handoff(dispatcher, tracker, "citizen_request")
        return []


class ActionResumeAfterHandoff(Action):
    """Back from the officer. In a form, its rule then runs the form, which asks its question
    again; otherwise the menu."""

    def name(self) -> str:
        return "action_resume_after_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_handoff_resumed")
        else:
            dispatcher.utter_message(response="utter_handoff_resumed_menu", buttons=service_buttons())
        return []
