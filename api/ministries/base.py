"""The adapter base: one HTTP client per ministry, and the errors of the service API.

Each adapter is a thin client of one ministry's own API, and knows only its base URL: its
`httpx.AsyncClient` is made by `registry.Ministries`, pointed at `AW_<KEY>_URL` or at the
ministry's simulated backend (docs/gateway.md). Adapters translate
the ministry's shapes and error codes into ours (docs/service-api.md) and raise the
`ServiceError` subclasses below; one exception handler turns those into
`{"code", "detail"}` responses. Logs carry the ministry, method, status and duration, never
paths, parameters or bodies (they may hold a NIK).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, ClassVar

import httpx

from api.metrics import instruments as metrics

logger = logging.getLogger(__name__)


class ServiceError(Exception):
    """An error of the service API: `{"code", "detail", **extra}` with an HTTP status."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_detail: ClassVar[str] = "Mohon maaf, terjadi kesalahan pada sistem. Silakan coba lagi."

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        self.detail = detail or self.default_detail
        self.error_code = code or self.code
        self.extra = extra or {}
        super().__init__(self.error_code)

    def body(self) -> dict[str, Any]:
        return {"code": self.error_code, "detail": self.detail, **self.extra}


class Unauthorized(ServiceError):
    status_code = 401
    code = "unauthorized"
    default_detail = "Akses ditolak: token layanan tidak ada atau salah."


class IdentityMismatch(ServiceError):
    status_code = 403
    code = "identity_mismatch"
    default_detail = (
        "Data tidak cocok: tanggal lahir tidak sesuai dengan nomor yang Anda masukkan. Mohon periksa kembali."
    )


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"
    default_detail = "Data tidak ditemukan. Mohon periksa kembali nomor yang Anda masukkan."


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"
    default_detail = "Permintaan tidak dapat diproses karena bertentangan dengan status data saat ini."


class InvalidInput(ServiceError):
    status_code = 422
    code = "invalid_input"
    default_detail = "Data yang dikirim tidak valid. Mohon periksa kembali."


class MinistryUnavailable(ServiceError):
    status_code = 503
    code = "ministry_unavailable"
    default_detail = "Mohon maaf, layanan instansi sedang mengalami gangguan. Silakan coba lagi nanti."

    def __init__(self, ministry: str | None = None, **kwargs: Any) -> None:
        detail = kwargs.pop("detail", None) or (
            f"Mohon maaf, layanan {ministry} sedang mengalami gangguan. Silakan coba lagi nanti."
            if ministry
            else None
        )
        super().__init__(detail, **kwargs)


class MinistryTimeout(ServiceError):
    status_code = 504
    code = "ministry_timeout"
    default_detail = "Mohon maaf, layanan instansi tidak menjawab tepat waktu. Silakan coba lagi nanti."

    def __init__(self, ministry: str | None = None, **kwargs: Any) -> None:
        detail = kwargs.pop("detail", None) or (
            f"Mohon maaf, layanan {ministry} tidak menjawab tepat waktu. "
            "Silakan coba lagi beberapa saat lagi."
            if ministry
            else None
        )
        super().__init__(detail, **kwargs)


class MinistryAdapter:
    """Base of every ministry adapter. Subclasses set `key` and `name`, and
    add typed methods that call `self._request(...)` and return our API's shapes.

    Subclasses register themselves by `key` (see `api.ministries.registry`)."""

    key: ClassVar[str]  # settings `<key>_url`, the simulator's key: "bpjs"
    name: ClassVar[str]  # for citizens: "BPJS Kesehatan"

    registered: ClassVar[dict[str, type[MinistryAdapter]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "key" in cls.__dict__:
            MinistryAdapter.registered[cls.key] = cls

    def __init__(self, client: httpx.AsyncClient, timeout_seconds: float) -> None:
        self.client = client
        self.timeout_seconds = timeout_seconds

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Call the ministry and return its decoded JSON body.

        Raises `MinistryTimeout` past the deadline (on any transport), `MinistryUnavailable`
        on a connection failure, a 5xx or a body that is not JSON, and whatever
        `_error_for` makes of a 4xx."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                response = await self.client.request(method, path, json=json, params=params)
        except (TimeoutError, httpx.TimeoutException):
            self._log(method, "timeout", started, logging.WARNING)
            metrics.ministry_call(self.key, "timeout", time.monotonic() - started)
            raise MinistryTimeout(self.name) from None
        except httpx.HTTPError as error:
            self._log(method, type(error).__name__, started, logging.WARNING)
            metrics.ministry_call(self.key, "unavailable", time.monotonic() - started)
            raise MinistryUnavailable(self.name) from None
        outcome = "unavailable"  # a 5xx, a body that is not JSON, an unexpected 4xx
        try:
            if response.status_code >= 500:
                self._log(method, str(response.status_code), started, logging.WARNING)
                raise MinistryUnavailable(self.name)
            self._log(method, str(response.status_code), started, logging.DEBUG)
            body = self._decode(response)
            if response.status_code >= 400:
                refusal = self._error_for(response.status_code, body)
                outcome = "unavailable" if isinstance(refusal, MinistryUnavailable) else "rejected"
                raise refusal
            outcome = "ok"
            return body
        finally:
            metrics.ministry_call(self.key, outcome, time.monotonic() - started)

    def _decode(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            logger.warning("ministry=%s answered a body that is not JSON", self.key)
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        """Our error for a ministry's 4xx answer. Override to read the ministry's codes."""
        if status_code == 404:
            return NotFound()
        if status_code == 403:
            return IdentityMismatch()
        if status_code == 409:
            return Conflict()
        if status_code in (400, 422):
            return InvalidInput()
        logger.warning("ministry=%s unexpected status=%s", self.key, status_code)
        return MinistryUnavailable(self.name)

    def _log(self, method: str, outcome: str, started: float, level: int) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.log(level, "ministry=%s %s -> %s in %.0f ms", self.key, method, outcome, elapsed_ms)
