"""The call center's opening hours: "mon-fri 08:00-16:00; sat 08:00-12:00" in its time
zone (Asia/Jakarta by default), closed on Indonesian national holidays unless told not to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from api.working_days import is_national_holiday

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@dataclass(frozen=True)
class Window:
    first_day: int  # 0 = Monday
    last_day: int
    opens: time
    closes: time | None  # None: until midnight ("24:00")

    def contains(self, moment: datetime) -> bool:
        if not self.first_day <= moment.weekday() <= self.last_day:
            return False
        now = moment.time()
        return self.opens <= now and (self.closes is None or now < self.closes)

    def describe(self) -> str:
        days = DAY_NAMES[self.first_day]
        if self.last_day != self.first_day:
            days += f"–{DAY_NAMES[self.last_day]}"
        closes = "24.00" if self.closes is None else self.closes.strftime("%H.%M")
        return f"{days} {self.opens.strftime('%H.%M')}–{closes}"


@dataclass(frozen=True)
class OpeningHours:
    windows: tuple[Window, ...]
    zone: ZoneInfo
    closed_on_holidays: bool = True

    @classmethod
    def parse(cls, spec: str, zone: str, *, closed_on_holidays: bool = True) -> OpeningHours:
        """`spec` as validated by the settings: "DAY[-DAY] HH:MM-HH:MM", joined by ";"."""
        windows = []
        for part in filter(None, (piece.strip() for piece in spec.split(";"))):
            days, hours = part.split()
            first, _, last = days.partition("-")
            opens, closes = hours.split("-")
            windows.append(
                Window(
                    DAYS.index(first),
                    DAYS.index(last or first),
                    time.fromisoformat(opens),
                    None if closes == "24:00" else time.fromisoformat(closes),
                )
            )
        return cls(tuple(windows), ZoneInfo(zone), closed_on_holidays)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if self.closed_on_holidays and is_national_holiday(local.date()):
            return False
        return any(window.contains(local) for window in self.windows)

    def describe(self) -> str:
        """For citizens, e.g. "Senin–Jumat 08.00–16.00 WIB"."""
        suffix = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
            self.zone.key, self.zone.key
        )
        return ", ".join(window.describe() for window in self.windows) + f" {suffix}"
