"""The service tests check each ministry's data as the verified citizen whose record they ask
for (tests/api/identity_support.py); tests/security checks who may ask."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.identity_support import VerifiedClient


@pytest.fixture
def client(app_client: tuple[FastAPI, httpx.AsyncClient]) -> VerifiedClient:
    return VerifiedClient(*app_client)
