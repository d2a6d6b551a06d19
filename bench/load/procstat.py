"""CPU time and resident memory of process trees, read from Linux's /proc (no dependency).

A service is a process and its descendants (found once, after start-up). CPU is the sum of
user and system time; memory is the sum of the resident set sizes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str]:
    # The command name (2nd field) may hold spaces: split after its closing parenthesis.
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError):
                continue
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
        except OSError:
            continue
    return total


def peak_rss_bytes(pids: list[int]) -> int:
    """The largest resident size each process ever had (VmHWM), summed."""
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in lines if line.startswith("VmHWM:")), 0)
    return total


@dataclass
class Sample:
    at: float  # time.monotonic()
    cpu: dict[str, float]  # service → CPU seconds so far
    rss: dict[str, int]  # service → bytes


@dataclass
class Sampler:
    """Samples named process trees; `window` summarises the samples between two times."""

    services: dict[str, list[int]]
    samples: list[Sample] = field(default_factory=list)

    def sample(self) -> None:
        self.samples.append(
            Sample(
                time.monotonic(),
                {name: cpu_seconds(pids) for name, pids in self.services.items()},
                {name: rss_bytes(pids) for name, pids in self.services.items()},
            )
        )

    def window(self, start: float, end: float) -> dict[str, dict[str, float]]:
        """Per service: mean CPU % (100 = one core) and peak RSS (MB) between start and end."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        return {
            name: {
                "cpu_percent": round(100 * (last.cpu[name] - first.cpu[name]) / (last.at - first.at), 1),
                "peak_rss_mb": round(max(s.rss[name] for s in inside) / 2**20, 1),
            }
            for name in self.services
        }
