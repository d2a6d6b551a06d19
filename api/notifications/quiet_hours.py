"""Quiet hours: no case update is pushed between 21.00 and 06.00 WIB unless it is urgent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from api.cases import WIB


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end`, Western Indonesian Time; a window across midnight when `start`
    is later than `end`. `start == end`: no quiet hours."""

    start: time = time(21, 0)
    end: time = time(6, 0)

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(WIB).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, at: datetime) -> datetime:
        """`at` itself outside the quiet hours, else the moment they end (UTC)."""
        if not self.contains(at):
            return at
        local = at.astimezone(WIB)
        end = datetime.combine(local.date(), self.end, WIB)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)

    def due(self, at: datetime, *, urgent: bool) -> datetime:
        """When an update found at `at` may be pushed."""
        return at if urgent else self.next_allowed(at)
