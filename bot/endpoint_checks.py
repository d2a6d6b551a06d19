"""What bot.server refuses in an endpoints file before Rasa starts: settings Rasa would read
without complaint and then ignore or replace, leaving the assistant to fail open.

- `nlg` must be the fact registry's generator (bot/nlg.py): Rasa's own would send citizens the
  responses' `{fact.<id>}` placeholders as written.
- The tracker and lock stores: a `type` that does not import (Rasa then keeps conversations in
  memory, with a warning), a key the store's class does not take (Rasa passes it on and it is
  dropped), and a Redis `key_prefix` that is not alphanumeric (Rasa logs a warning and uses
  its default prefix, shared with any other assistant on that Redis).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import (
    DynamoTrackerStore,
    InMemoryTrackerStore,
    MongoTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
)
from rasa.shared.constants import DEFAULT_ENDPOINTS_PATH
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.common import class_from_module_path

FACT_NLG = "bot.nlg.FactNaturalLanguageGenerator"
# Rasa's own names for its stores (rasa/core/tracker_store.py, lock_store.py).
BUILT_IN = {
    "tracker_store": {
        None: InMemoryTrackerStore, "sql": SQLTrackerStore, "redis": RedisTrackerStore,
        "mongod": MongoTrackerStore, "dynamo": DynamoTrackerStore,
    },
    "lock_store": {None: InMemoryLockStore, "in_memory": InMemoryLockStore, "redis": RedisLockStore},
}  # fmt: skip
# Keys every store endpoint may have: `type`, and `url`, which Rasa passes as `host`.
ENDPOINT_KEYS = {"type", "url"}


class EndpointsRefused(RasaException):
    """The endpoints file holds a setting Rasa would ignore or replace."""


class EndpointsWithoutFacts(EndpointsRefused):
    """The endpoints do not configure the fact registry's response generator."""


def check_endpoints(endpoints_path: str | None) -> None:
    """Refuse the endpoints file at `endpoints_path` (default endpoints.yml) when a setting
    would be ignored or replaced; see the module's docstring."""
    path = Path(endpoints_path or DEFAULT_ENDPOINTS_PATH)
    endpoints = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    nlg = endpoints.get("nlg") or {}
    if nlg.get("type") != FACT_NLG:
        raise EndpointsWithoutFacts(
            f"{path} does not set `nlg: type: {FACT_NLG}`: the responses' facts ({{fact.<id>}}) "
            "would reach citizens unfilled. Add it as endpoints.yml does."
        )
    for section in ("tracker_store", "lock_store"):
        store = endpoints.get(section)
        if store:
            check_store(path, section, store)


def check_store(path: Path, section: str, store: dict[str, Any]) -> None:
    kind = store.get("type")
    store_class = BUILT_IN[section].get(kind.lower() if isinstance(kind, str) else kind)
    if store_class is None:
        try:
            store_class = class_from_module_path(str(kind))
        except (AttributeError, ImportError) as error:
            raise EndpointsRefused(
                f"{path}: {section} type {kind!r} does not import ({error}); Rasa would keep "
                "conversations in memory instead."
            ) from error
    unknown = sorted(set(store) - ENDPOINT_KEYS - accepted_keys(store_class))
    if unknown:
        raise EndpointsRefused(
            f"{path}: {section} {kind!r} takes no {', '.join(unknown)}; Rasa would ignore "
            f"{'them' if len(unknown) > 1 else 'it'}."
        )
    prefix = store.get("key_prefix")
    if store_class is RedisLockStore and prefix is not None and not str(prefix).isalnum():
        raise EndpointsRefused(
            f"{path}: lock_store key_prefix {prefix!r} is not alphanumeric; Rasa would use its "
            "default prefix instead."
        )


def accepted_keys(store_class: type) -> set[str]:
    """The named parameters of the first constructor in `store_class`'s line that has any
    (our subclasses pass theirs on as *args and **kwargs)."""
    for owner in store_class.__mro__:
        if "__init__" not in vars(owner):
            continue
        parameters = inspect.signature(vars(owner)["__init__"]).parameters.values()
        named = {
            parameter.name
            for parameter in parameters
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
        } - {"self", "domain", "event_broker", "host"}
        if named:
            return named
    return set()
