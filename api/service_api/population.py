"""Population (Dukcapil): verifying a citizen, applying for KK changes and birth certificates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api import regions
from api.cases import open_case, register_case_type
from api.db import SessionDep
from api.identifiers import BirthDate, Nik, PastDate, invalid, mask_name
from api.identity.guard import Verified
from api.ministries.dukcapil import DukcapilAdapter
from api.ministries.registry import Ministries, adapter
from api.models import Case, CaseKind
from api.text import clean_text
from knowledge import facts

router = APIRouter(prefix="/population", tags=["population"])
Dukcapil = Annotated[DukcapilAdapter, Depends(adapter(DukcapilAdapter))]

LEGAL_BASIS = facts.get("adminduk.free").basis
BIRTH_REGISTRATION_DAYS = int(facts.get("birth_certificate.registration_deadline").number)
BIRTH_REGISTRATION_TEXT = facts.get("birth_certificate.registration_deadline").text
STATUS_LABELS = {
    "diterima": "Permohonan diterima",
    "diverifikasi": "Berkas sudah diverifikasi",
    "diproses": "Dokumen sedang diproses",
    "selesai": "Selesai: dokumen sudah terbit",
    "ditolak": "Ditolak: berkas belum memenuhi syarat",
}


class ApplicationType(StrEnum):
    KK_CHANGE = "kk_change"
    BIRTH_CERTIFICATE = "birth_certificate"


APPLICATION_LABELS = {
    ApplicationType.KK_CHANGE: "Perubahan Kartu Keluarga",
    ApplicationType.BIRTH_CERTIFICATE: "Akta Kelahiran",
}
KK_REASON_LABELS = {
    "tambah_anggota": "penambahan anggota keluarga",
    "pindah": "pindah domisili",
    "perubahan_data": "perubahan data",
    "pisah_kk": "pisah KK",
}


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    birth_date: BirthDate


class RegionNames(BaseModel):
    province: str | None
    regency: str | None
    district: str | None
    village: str | None


class VerifyOut(BaseModel):
    verified: bool
    name: str
    region: RegionNames


class KkChangeDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["tambah_anggota", "pindah", "perubahan_data", "pisah_kk"]


class BirthCertificateDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")
    child_name: str = Field(min_length=1, max_length=100)
    child_birth_date: PastDate
    place_of_birth: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _clean(self) -> BirthCertificateDetails:
        self.child_name = clean_text(self.child_name)
        self.place_of_birth = clean_text(self.place_of_birth)
        if not self.child_name or not self.place_of_birth:
            raise invalid("Nama anak dan tempat lahir wajib diisi.")
        return self


class ApplicationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": "kk_change",
                    "nik": "3273014508950001",
                    "birth_date": "1995-08-05",
                    "details": {"reason": "tambah_anggota"},
                },
            ]
        },
    )
    type: ApplicationType
    nik: Nik
    birth_date: BirthDate
    details: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _details_fit_the_type(self) -> ApplicationIn:
        try:
            if self.type is ApplicationType.KK_CHANGE:
                self.details = KkChangeDetails.model_validate(self.details).model_dump()
            else:
                self.details = BirthCertificateDetails.model_validate(self.details).model_dump(mode="json")
        except ValidationError as error:
            raise invalid(_details_message(self.type, error)) from None
        return self


def _details_message(application_type: ApplicationType, error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "invalid_input":
        return str(first["msg"])
    if application_type is ApplicationType.KK_CHANGE:
        return "Alasan perubahan KK harus salah satu dari: tambah_anggota, pindah, perubahan_data, pisah_kk."
    return (
        "Data akta kelahiran belum lengkap: isi nama anak, tanggal lahir anak (TTTT-BB-HH) dan tempat lahir."
    )


class ApplicationOut(BaseModel):
    case_number: str
    type: ApplicationType
    status: str
    submitted_at: datetime
    estimated_done_by: date
    next_steps: list[str]
    legal_basis: str


@router.post("/verify")
async def verify(body: VerifyIn, dukcapil: Dukcapil, caller: Verified) -> VerifyOut:
    """For the verified citizen: check that the NIK and birth date belong together; the masked
    name and home region."""
    await caller.require(body.nik)
    identity = await dukcapil.verify(body.nik, body.birth_date)
    found = regions.path(identity.village_code)
    names = {level.value: region.name for level, region in found.items()}
    return VerifyOut(
        verified=True,
        name=mask_name(identity.name),
        region=RegionNames(**{key: names.get(key) for key in ("province", "regency", "district", "village")}),
    )


@router.post("/applications", status_code=status.HTTP_201_CREATED)
async def apply(
    body: ApplicationIn, dukcapil: Dukcapil, session: SessionDep, caller: Verified
) -> ApplicationOut:
    """Submit the verified citizen's KK change or birth certificate application to Dukcapil;
    opens an ADM case. Population documents are free of charge (UU 24/2013 art. 79A)."""
    await caller.require(body.nik)
    submitted = await dukcapil.submit(body.type.value, body.nik, body.birth_date, body.details)
    summary: dict[str, Any] = {"type": body.type.value, "label": APPLICATION_LABELS[body.type]}
    if body.type is ApplicationType.KK_CHANGE:
        summary["reason"] = body.details["reason"]
    case = await open_case(
        session,
        CaseKind.POPULATION_APPLICATION,
        status=submitted.status,
        reference=submitted.number,
        summary=summary,
        at=submitted.submitted_at,
    )
    return ApplicationOut(
        case_number=case.case_number,
        type=body.type,
        status=submitted.status,
        submitted_at=submitted.submitted_at,
        estimated_done_by=submitted.estimated_done_by,
        next_steps=next_steps(body.type, body.details, case.case_number, submitted.submitted_at.date()),
        legal_basis=LEGAL_BASIS,
    )


def next_steps(
    application_type: ApplicationType, details: dict[str, Any], case_number: str, today: date
) -> list[str]:
    """What the citizen does next, in order: documents to bring, then following the case."""
    follow = f"Pantau status permohonan dengan nomor {case_number}. Layanan ini gratis, tidak dipungut biaya."
    if application_type is ApplicationType.BIRTH_CERTIFICATE:
        steps = [
            # Perpres 96/2018 (facts birth_certificate.*): no witnesses' KTP, no parents' KTP-el.
            "Siapkan surat keterangan lahir dari rumah sakit, puskesmas, klinik, dokter, bidan, atau "
            "kepala desa/lurah.",
            "Siapkan KK dan buku nikah/akta perkawinan orang tua.",
            "Bila tidak ada surat keterangan lahir, isi SPTJM kebenaran data kelahiran dengan "
            f"{facts.get('birth_certificate.sptjm_witnesses').text} orang saksi (fotokopi KTP-el saksi "
            "tidak diperlukan); bila tidak ada buku nikah, isi SPTJM kebenaran sebagai pasangan suami istri.",
        ]
        child_born = date.fromisoformat(str(details["child_birth_date"]))
        if today - child_born > timedelta(days=BIRTH_REGISTRATION_DAYS):
            steps.append(
                f"Kelahiran dilaporkan lebih dari {BIRTH_REGISTRATION_TEXT} setelah lahir; petugas "
                "Dukcapil akan memberi tahu jika ada persyaratan tambahan."
            )
        return [*steps, follow]
    documents = {
        "tambah_anggota": "Lampirkan akta kelahiran anggota baru, atau surat keterangan pindah datang.",
        "pindah": "Lampirkan surat keterangan pindah (SKPWNI) dari daerah asal.",
        "perubahan_data": (
            "Lampirkan dokumen pendukung perubahan data (misalnya ijazah, akta, atau buku nikah)."
        ),
        "pisah_kk": "Lampirkan buku nikah/akta perkawinan dan KTP-el calon kepala keluarga baru.",
    }
    return ["Siapkan KK lama dan KTP-el kepala keluarga.", documents[details["reason"]], follow]


async def _track(ministries: Ministries, case: Case) -> list[tuple[str, datetime]]:
    if case.reference is None:
        return []
    return await ministries.get(DukcapilAdapter).history(case.reference)


register_case_type(CaseKind.POPULATION_APPLICATION, STATUS_LABELS, _track)
