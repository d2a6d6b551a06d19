"""The status answers of case numbers, shared by the status flows and the case-number router
(actions/case_status.py): a LAPOR! complaint (`follow_complaint`), and any case the gateway keeps
(`case_reply`: population applications, SKCK, billings, tickets)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import rupiah, tanggal, waktu
from actions.applications import KK_REASON_TITLES
from actions.complaints import (
    FOLLOW_UP_DAYS,
    NEW_COMPLAINT_BUTTON,
    SERVICE,
    VERIFY_DAYS,
    category_labels,
    deadline,
)
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON

CASE_NOUNS = {
    "population_application": "Permohonan",
    "complaint": "Pengaduan",
    "skck": "Permohonan SKCK",
    "billing": "Tagihan",
    "contact_request": "Tiket layanan petugas",
    "casn_result": "Hasil seleksi CASN",
}
HISTORY_LINES = 5

# Each status has `utter_complaint_status_<status>`: where the complaint is, and what comes next.
STATUSES = frozenset(
    {
        "diterima",
        "terverifikasi",
        "diteruskan",
        "ditindaklanjuti",
        "selesai",
        "bukan_kewenangan",
        "diarsipkan",
    }
)

FOLLOW_FAILURE = Failure(
    SERVICE,
    "pantau pengaduan Anda langsung di lapor.go.id.",
    not_found="utter_complaint_not_found",
    not_found_buttons=({"title": "Cek nomor lain", "payload": "/complaint_status"}, MAIN_MENU_BUTTON),
)


def summary_text(summary: Any) -> str:
    """What the case is about, from the gateway's `summary` (a dict whose fields depend on the
    kind of case): "Perubahan Kartu Keluarga (perubahan data)", "Kategori: Kesehatan", ..."""
    if not isinstance(summary, dict):
        return str(summary or "")
    if summary.get("label"):  # population application: type, label, reason of a KK change
        reason = KK_REASON_TITLES.get(str(summary.get("reason")))
        return f"{summary['label']} ({reason.lower()})" if reason else str(summary["label"])
    if summary.get("category_label"):  # complaint
        return f"Kategori: {summary['category_label']}"
    if summary.get("purpose"):  # SKCK
        station = f"; diambil di {summary['police_station']}" if summary.get("police_station") else ""
        return f"Keperluan: {summary['purpose']}{station}"
    if summary.get("description"):  # billing
        return f"{summary['description']}: {rupiah(summary.get('amount'))}"
    if summary.get("position"):  # CASN result
        return f"Formasi {summary['position']} di {summary.get('agency') or 'instansi tujuan'}"
    return ""


def case_reply(case: dict[str, Any]) -> str:
    noun = CASE_NOUNS.get(str(case.get("kind")), "Permohonan")
    lines = [f"{noun} {case.get('case_number')}: {case.get('status_label') or case.get('status')}."]
    summary = summary_text(case.get("summary"))
    if summary:
        lines.append(summary)
    lines.append(
        f"Diajukan {tanggal(case.get('created_at'))}; terakhir diperbarui {waktu(case.get('updated_at'))}."
    )
    history = (case.get("history") or [])[-HISTORY_LINES:]
    if history:
        lines.append(
            "\nRiwayat:\n" + "\n".join(f"• {tanggal(h.get('at'))}: {h.get('status_label')}" for h in history)
        )
    return "\n".join(lines)


def complaint_status(complaint: dict[str, Any], labels: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Where the complaint is in the LAPOR! lifecycle, and what happens next: the response and
    its values; `labels` names the categories (the API gives the key)."""
    status = str(complaint.get("status") or "")
    agency = complaint.get("agency")
    category = str(complaint.get("category") or "")
    return f"utter_complaint_status_{status if status in STATUSES else 'unknown'}", {
        "case_number": complaint.get("case_number") or f"nomor pelacakan {complaint.get('tracking_id')}",
        "category": labels.get(category) or category.replace("_", " ") or "tanpa kategori",
        "status_label": (complaint.get("status_label") or status.replace("_", " ")).lower(),
        "agency": f", ditangani {agency}" if agency else "",
        "verify_by": deadline(complaint.get("verify_by"), VERIFY_DAYS),
        "follow_up_by": deadline(complaint.get("follow_up_by"), FOLLOW_UP_DAYS),
    }


async def follow_complaint(dispatcher: CollectingDispatcher, case_number: str) -> list[EventType]:
    """Where the complaint `case_number` (or lapor.go.id tracking number) stands; an unknown
    number is said and forgotten."""
    path = f"/complaints/{case_number}"
    found = await lookup(dispatcher, gateway().get(path), FOLLOW_FAILURE, case_number=case_number)
    if found.failed:
        return [] if found.error is not None and found.error.unavailable else [SlotSet("ticket_id", None)]
    labels = await category_labels()
    response, values = complaint_status(found.data, labels)
    dispatcher.utter_message(response=response, buttons=[NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON], **values)
    return []
