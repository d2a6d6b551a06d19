"""Fixtures for the action tests: the real domain as Rasa sends it, and a dispatcher."""

from __future__ import annotations

import warnings

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from tests.actions.builders import ROOT


@pytest.fixture(scope="session")
def domain() -> DomainDict:
    """The domain (domain/) in the form Rasa sends it to the action server."""
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        # Rasa 3.6 warns "Slot auto-fill has been removed" for every domain with slots.
        warnings.filterwarnings("ignore", message="Slot auto-fill", category=UserWarning)
        return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
