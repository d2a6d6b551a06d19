"""What the service API's personal-data routes require: a verified session (api/identity/
sessions.py) for the conversation named in `X-Conversation-ID`, whose NIK is the subject's, or
for a child's immunisation or PIP record, a member of the subject's KK.

Every refusal is the same `Unverified` (403 `identity_unverified`, one sentence), whether the
conversation was never verified, its session expired, the NIK is someone else's or unknown:
nothing tells whether a NIK exists.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from api.db import SessionDep
from api.identity.sessions import verified_nik
from api.ministries.base import ServiceError
from api.ministries.dukcapil import DukcapilAdapter
from api.ministries.registry import adapter


class Unverified(ServiceError):
    status_code = 403
    code = "identity_unverified"
    default_detail = (
        "Data tidak dapat ditampilkan sebelum identitas Anda terverifikasi. "
        "Mohon lakukan verifikasi dengan kode yang dikirim ke nomor HP yang terdaftar."
    )


def conversation_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@dataclass
class VerifiedCaller:
    """The verified NIK of the calling conversation; `require()` checks a subject against it."""

    nik: str | None  # None: the conversation holds no live verified session
    dukcapil: DukcapilAdapter
    # Where a granted access is noted for the audit log (api/callcenter/access.py).
    request: Request | None = None

    async def require(self, subject_nik: str | None, *, family: bool = False) -> None:
        """`Unverified` unless `subject_nik` is the verified NIK (or with `family`, a member
        of the same KK)."""
        if subject_nik is None or self.nik is None:
            raise Unverified()
        if secrets.compare_digest(subject_nik.encode(), self.nik.encode()) or (
            family and await self.same_family(subject_nik)
        ):
            if self.request is not None:
                self.request.state.personal_data_of = subject_nik
            return
        raise Unverified()

    def require_session(self) -> None:
        """`Unverified` unless the conversation holds a live verified session."""
        if self.nik is None:
            raise Unverified()

    async def same_family(self, subject_nik: str) -> bool:
        if self.nik is None:
            return False
        subject = await self.dukcapil.contact(subject_nik)
        own = await self.dukcapil.contact(self.nik)
        return subject is not None and own is not None and subject.kk_number == own.kk_number


async def _verified_caller(
    request: Request,
    session: SessionDep,
    dukcapil: Annotated[DukcapilAdapter, Depends(adapter(DukcapilAdapter))],
    x_conversation_id: Annotated[str | None, Header()] = None,
) -> VerifiedCaller:
    conversation = conversation_id(x_conversation_id)
    nik = await verified_nik(session, conversation) if conversation is not None else None
    return VerifiedCaller(nik, dukcapil, request)


def granted_subject(request: Request) -> str | None:
    """The NIK whose personal data a route opened in this request (`require` let it), if any."""
    subject = getattr(request.state, "personal_data_of", None)
    return subject if isinstance(subject, str) else None


# A personal-data route's dependency; the route calls `require()` (or `require_session()`)
# before any ministry is asked, after its body was validated (a malformed one stays a 422).
Verified = Annotated[VerifiedCaller, Depends(_verified_caller)]
