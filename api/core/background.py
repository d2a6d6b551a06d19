"""The gateway's background loops: one task each, started once and cancelled on shutdown.

`BackgroundTask` holds one named asyncio task (a follower of events, a reader); `Periodic` runs
a worker's `run_once` every few seconds, logs a failing tick on the worker's own logger and goes
on. Both start and stop idempotently: a second `start` is ignored, `aclose` without `start` or
twice does nothing. The order the workers stop in is the composition root's (api/composition.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable


class BackgroundTask:
    """One named task running `run`; `aclose` cancels it and waits for it to end."""

    def __init__(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self._run = run
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._body(), name=self.name)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _body(self) -> None:
        await self._run()


class Periodic(BackgroundTask):
    """`tick` forever, pausing `interval()` seconds between ticks (read each time, so a changed
    policy applies at the next pause).

    - `failed`: logged with the traceback on `log` when a tick raises; the loop goes on.
    - `jitter`: the pause is scaled by a uniform factor in [1 - jitter, 1 + jitter] drawn from
      `rng`, so replicas' ticks spread out.
    - `pause_first`: the first tick comes after one pause rather than at start.
    - `again_while_busy`: a tick that returns a truthy count is followed by the next one at
      once (a backlog drains without waiting); a failed tick counts as idle.
    """

    def __init__(
        self,
        name: str,
        tick: Callable[[], Awaitable[object]],
        interval: Callable[[], float],
        *,
        log: logging.Logger,
        failed: str,
        jitter: float = 0.0,
        rng: random.Random | None = None,
        pause_first: bool = False,
        again_while_busy: bool = False,
    ) -> None:
        super().__init__(name, self._loop)
        self._tick = tick
        self._interval = interval
        self._log = log
        self._failed = failed
        self._jitter = jitter
        self._rng = rng or random.Random()
        self._pause_first = pause_first
        self._again_while_busy = again_while_busy

    def pause_seconds(self) -> float:
        seconds = self._interval()
        if self._jitter:
            seconds *= self._rng.uniform(1 - self._jitter, 1 + self._jitter)
        return seconds

    async def _loop(self) -> None:
        if self._pause_first:
            await asyncio.sleep(self.pause_seconds())
        while True:
            try:
                busy = await self._tick()
            except Exception:  # CancelledError is no Exception: shutdown passes through
                self._log.exception(self._failed)
                busy = None
            if not (self._again_while_busy and busy):
                await asyncio.sleep(self.pause_seconds())
