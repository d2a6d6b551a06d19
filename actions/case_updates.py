""" "Berhenti kabari saya": the citizen stops the case updates the gateway pushes to this
conversation (api/notifications, docs/notifications.md), through the service API's
`POST /notifications/stop`. A case number in the message stops that case only."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import Action
from actions.gateway import GatewayError, gateway
from actions.menu import MAIN_MENU_BUTTON

CASE_NUMBER_ENTITY = "ticket_id"  # the extractor's name for any case number (bot/entities.py)


class ActionStopCaseUpdates(Action):
    def name(self) -> str:
        return "action_stop_case_updates"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        case_number = next(tracker.get_latest_entity_values(CASE_NUMBER_ENTITY), None)
        body = {"case_number": str(case_number)} if case_number else {}
        try:
            answer = await gateway().post("/notifications/stop", body)
        except GatewayError as error:
            unknown = error.code == "not_found"
            response = "utter_case_updates_unknown_case" if unknown else "utter_case_updates_stop_failed"
            dispatcher.utter_message(response=response, buttons=[MAIN_MENU_BUTTON])
            return []
        stopped = answer.get("stopped") if isinstance(answer, dict) else 0
        if not stopped:
            dispatcher.utter_message(response="utter_case_updates_none", buttons=[MAIN_MENU_BUTTON])
        elif case_number:
            dispatcher.utter_message(response="utter_case_updates_stopped_one", case_number=str(case_number))
        else:
            dispatcher.utter_message(response="utter_case_updates_stopped")
        return []
