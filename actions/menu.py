"""The service menu: the nine priority services and their topics, defined once.

The greeting, `action_show_menu` and `action_handle_miss` all build their buttons from
`SERVICES`; the domain's responses never repeat the menu.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import Action

Button = dict[str, str]

MAIN_MENU_BUTTON: Button = {"title": "Menu utama", "payload": "/ask_menu"}
OFFICE_BUTTON: Button = {"title": "Jam & alamat kantor", "payload": "/office_info"}


@dataclass(frozen=True)
class Topic:
    """One topic of a service; choosing it sends the service intent `intent`."""

    intent: str
    title: str

    def button(self) -> Button:
        return {"title": self.title, "payload": f"/{self.intent}"}


@dataclass(frozen=True)
class Service:
    """One of the nine priority services; `key` is the value of the `service` entity."""

    key: str
    title: str
    topics: tuple[Topic, ...]
    aliases: tuple[str, ...] = ()

    def button(self) -> Button:
        entities = json.dumps({"service": self.key}, separators=(",", ":"))
        return {"title": self.title, "payload": f"/ask_menu{entities}"}


SERVICES: tuple[Service, ...] = (
    Service(
        "health",
        "Kesehatan (BPJS)",
        (
            Topic("health_bpjs_status", "Cek status BPJS"),
            Topic("health_bpjs_contribution", "Iuran BPJS"),
            Topic("health_facility_search", "Cari faskes"),
            Topic("health_immunization_record", "Riwayat imunisasi"),
            Topic("health_bpjs_info", "Tanya seputar BPJS"),
        ),
        ("kesehatan", "bpjs"),
    ),
    Service(
        "education",
        "Pendidikan (PIP/KIP)",
        (
            Topic("edu_pip_status", "Cek penerima PIP"),
            Topic("edu_kip_kuliah", "KIP Kuliah"),
            Topic("edu_school_admission", "Penerimaan murid (SPMB)"),
        ),
        ("pendidikan", "sekolah"),
    ),
    Service(
        "social",
        "Bantuan Sosial",
        (
            Topic("bansos_check", "Cek penerima bansos"),
            Topic("bansos_register", "Daftar bansos"),
            Topic("bansos_info", "Tanya seputar bansos"),
        ),
        ("bansos", "bantuan sosial", "sosial"),
    ),
    Service(
        "identity",
        "KTP & Dokumen",
        (
            Topic("id_ikd_activation", "Aktivasi KTP digital (IKD)"),
            Topic("id_document_requirements", "Syarat dokumen"),
            Topic("id_application_status", "Status permohonan"),
        ),
        ("identitas", "ktp", "dukcapil", "adminduk"),
    ),
    Service(
        "data",
        "Data & Statistik",
        (
            Topic("data_statistics", "Statistik resmi"),
            Topic("data_dataset_search", "Cari dataset"),
        ),
        ("satu data", "statistik"),
    ),
    Service(
        "payments",
        "Pembayaran",
        (
            Topic("pay_vehicle_tax", "Pajak kendaraan"),
            Topic("pay_billing_status", "Cek status billing"),
            Topic("pay_create_billing", "Buat kode billing"),
        ),
        ("pembayaran", "pajak", "billing"),
    ),
    Service(
        "complaints",
        "Pengaduan (LAPOR!)",
        (
            Topic("complaint_submit", "Buat pengaduan"),
            Topic("complaint_status", "Status pengaduan"),
            Topic("case_status", "Cek nomor tiket"),
        ),
        ("pengaduan", "lapor", "aduan"),
    ),
    Service(
        "asn",
        "ASN/CPNS",
        (
            Topic("asn_casn_registration", "Pendaftaran CASN"),
            Topic("asn_selection_result", "Hasil seleksi"),
        ),
        ("cpns", "pppk", "casn"),
    ),
    Service(
        "police",
        "SIM & SKCK",
        (
            Topic("police_sim_renewal", "Perpanjang SIM"),
            Topic("police_sim_fee", "Biaya SIM"),
            Topic("police_skck", "SKCK"),
        ),
        ("polisi", "sim", "skck"),
    ),
)

_BY_NAME: dict[str, Service] = {
    name: service for service in SERVICES for name in (service.key, *service.aliases)
}


def find_service(value: Any) -> Service | None:
    """The service named by a `service` entity value (key or Indonesian alias), if any."""
    if not isinstance(value, str):
        return None
    return _BY_NAME.get(" ".join(value.lower().split()))


def service_buttons() -> list[Button]:
    """One button per service, opening that service's topics."""
    return [service.button() for service in SERVICES]


def topic_buttons(service: Service) -> list[Button]:
    """The service's topics, then a way back to the main menu."""
    return [topic.button() for topic in service.topics] + [MAIN_MENU_BUTTON]


def requested_service(tracker: Tracker) -> Service | None:
    """The first recognised `service` entity of the latest user message."""
    for value in tracker.get_latest_entity_values("service"):
        service = find_service(value)
        if service:
            return service
    return None


class ActionShowMenu(Action):
    """Lists the nine services, or one service's topics when a `service` entity came along."""

    def name(self) -> str:
        return "action_show_menu"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        service = requested_service(tracker)
        if service is None:
            dispatcher.utter_message(response="utter_main_menu", buttons=service_buttons())
        else:
            dispatcher.utter_message(
                response="utter_topic_menu", title=service.title, buttons=topic_buttons(service)
            )
        return []
