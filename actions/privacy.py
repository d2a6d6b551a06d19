"""The citizen's rights in the chat (docs/privacy.md): "Hapus data saya" and "Siapa yang
melihat data saya", each through the gateway's service API (api/service_api/privacy.py).

Erasure: the rules ask for a confirmation (Ya/Tidak) first; `action_erase_my_data` asks the
gateway to erase, says what goes by the answer's `scope` (a verified citizen's conversations on
every channel, or this conversation), and sends the erase signal (a custom reply the gateway reads and
never shows), on which the gateway erases the conversation's data once Rasa has saved this
turn: doing it here would be undone by that save.

Who looked: `access_log_form` verifies the citizen first, as every form that shows personal
data does (NIK, birth date, then the code or the channel's proof: actions/identity_form.py);
`action_show_access_log` then shows what the gateway's audit log says for the verified NIK.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import Action
from actions.gateway import GatewayError, gateway
from actions.identity_form import OTP_SLOT, VERIFIED_SLOT, IdentityFormValidation
from actions.menu import MAIN_MENU_BUTTON

# The custom reply the gateway erases on (api/privacy/erasure.py ERASE_SIGNAL).
ERASE_SIGNAL = {"type": "erase"}
# The erasure answer's `scope` -> the reply; anything else (an older gateway) claims the least.
ERASED = {"citizen": "utter_data_erased_citizen", "conversation": "utter_data_erased_conversation"}
NOT_VERIFIED = "identity_unverified"  # the gateway's refusal of every personal-data route
# Who looked: the role as the citizen reads it (the agent's name is never shown).
ROLES = {"agent": "Petugas", "supervisor": "Supervisor"}
SERVICES = {
    "health": "Kesehatan (BPJS)", "education": "Pendidikan", "social": "Bantuan Sosial",
    "population": "Kependudukan", "payments": "Pembayaran", "complaints": "Pengaduan",
    "police": "Kepolisian", "civil_service": "ASN/CASN", "satudata": "Satu Data", "console": "Konsol petugas",
}  # fmt: skip


class ActionEraseMyData(Action):
    def name(self) -> str:
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            accepted = await gateway().post("/privacy/erasure")
        except GatewayError:
            dispatcher.utter_message(response="utter_erasure_failed", buttons=[MAIN_MENU_BUTTON])
            return []
        scope = str(accepted.get("scope")) if isinstance(accepted, dict) else ""
        dispatcher.utter_message(response=ERASED.get(scope, ERASED["conversation"]))
        dispatcher.utter_message(json_message=ERASE_SIGNAL)
        return [AllSlotsReset()]


class ValidateAccessLogForm(IdentityFormValidation):
    """The citizen's own NIK and birth date, then the verification step."""

    def name(self) -> str:
        return "validate_access_log_form"


class ActionShowAccessLog(Action):
    def name(self) -> str:
        return "action_show_access_log"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            log = await gateway().get("/privacy/access-log")
        except GatewayError as error:
            if error.code == NOT_VERIFIED:  # the session expired: the next ask verifies again
                dispatcher.utter_message(response="utter_access_log_not_verified", buttons=[MAIN_MENU_BUTTON])
                return [SlotSet(VERIFIED_SLOT, None), SlotSet(OTP_SLOT, None)]
            dispatcher.utter_message(response="utter_access_log_failed", buttons=[MAIN_MENU_BUTTON])
            return []
        items = log.get("items") or []
        if not items:
            dispatcher.utter_message(response="utter_access_log_empty", buttons=[MAIN_MENU_BUTTON])
            return []
        dispatcher.utter_message(
            response="utter_access_log", entries="\n".join(entry_line(item) for item in items),
            buttons=[MAIN_MENU_BUTTON],
        )  # fmt: skip
        return []


def entry_line(item: dict[str, Any]) -> str:
    """One access: when, which service, who (role and number)."""
    at = datetime.fromisoformat(str(item["at"]).replace("Z", "+00:00"))
    service = SERVICES.get(str(item.get("service")), str(item.get("service")))
    if item.get("agent_id") is None:  # the service's look-up for the bot, in the citizen's own chat
        return f"- {at:%d-%m-%Y %H:%M} UTC: {service}, oleh layanan atas permintaan Anda"
    role = ROLES.get(str(item.get("agent_role")), "Petugas")
    return f"- {at:%d-%m-%Y %H:%M} UTC: {service}, oleh {role} nomor {item.get('agent_id')}"
