"""The background loops' helper (api/core/background.py): ticks, pauses, failures, start and stop."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from api.core.background import BackgroundTask, Periodic

pytestmark = pytest.mark.asyncio

WORKER_LOG = logging.getLogger("tests.background.worker")


class Ticks:
    """A `run_once` that returns the given counts in turn (then 0), or raises where one is an error."""

    def __init__(self, *results: int | Exception) -> None:
        self._results = list(results)
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        if not self._results:
            return 0
        result = self._results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


async def _until(condition: object, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.001)


def _tasks(name: str) -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == name and not task.done()]


async def test_a_failing_tick_is_logged_on_the_workers_logger_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticks = Ticks(RuntimeError("database gone"), 0, 0)
    loop = Periodic("test-loop", ticks, lambda: 0.001, log=WORKER_LOG, failed="test round failed")
    with caplog.at_level(logging.ERROR):
        loop.start()
        await _until(lambda: ticks.calls >= 3)
        await loop.aclose()
    failures = [record for record in caplog.records if record.getMessage() == "test round failed"]
    assert len(failures) == 1
    assert failures[0].name == WORKER_LOG.name
    assert failures[0].exc_info is not None and "database gone" in str(failures[0].exc_info[1])


async def test_start_and_close_are_idempotent() -> None:
    ticks = Ticks()
    loop = Periodic("idempotent-loop", ticks, lambda: 60.0, log=WORKER_LOG, failed="failed")
    await loop.aclose()  # never started: nothing to do
    loop.start()
    loop.start()
    assert len(_tasks("idempotent-loop")) == 1
    assert loop.running
    await loop.aclose()
    await loop.aclose()
    assert not loop.running
    assert _tasks("idempotent-loop") == []
    loop.start()  # started again after a stop
    assert loop.running
    await loop.aclose()


async def test_a_busy_tick_is_followed_at_once_only_when_asked() -> None:
    draining = Ticks(3, 2, 1)
    loop = Periodic("busy", draining, lambda: 60.0, log=WORKER_LOG, failed="failed", again_while_busy=True)
    loop.start()
    await _until(lambda: draining.calls == 4)  # 3, 2, 1, then idle: the pause
    await asyncio.sleep(0.02)
    assert draining.calls == 4
    await loop.aclose()

    steady = Ticks(3, 2, 1)
    loop = Periodic("steady", steady, lambda: 60.0, log=WORKER_LOG, failed="failed")
    loop.start()
    await _until(lambda: steady.calls == 1)
    await asyncio.sleep(0.02)
    assert steady.calls == 1  # returned 3, yet pauses
    await loop.aclose()


async def test_a_failed_tick_counts_as_idle_while_draining() -> None:
    ticks = Ticks(RuntimeError("boom"), 5)
    loop = Periodic("drain-fail", ticks, lambda: 60.0, log=WORKER_LOG, failed="failed", again_while_busy=True)
    loop.start()
    await _until(lambda: ticks.calls == 1)
    await asyncio.sleep(0.02)
    assert ticks.calls == 1
    await loop.aclose()


async def test_the_first_tick_waits_one_pause_when_asked() -> None:
    later = Ticks()
    loop = Periodic("later", later, lambda: 60.0, log=WORKER_LOG, failed="failed", pause_first=True)
    loop.start()
    await asyncio.sleep(0.02)
    assert later.calls == 0
    await loop.aclose()

    now = Ticks()
    loop = Periodic("now", now, lambda: 60.0, log=WORKER_LOG, failed="failed")
    loop.start()
    await _until(lambda: now.calls == 1)
    await loop.aclose()


async def test_the_pause_is_read_each_time_and_jittered_with_the_given_rng() -> None:
    seconds = [2.0]
    plain = Periodic("plain", Ticks(), lambda: seconds[0], log=WORKER_LOG, failed="failed")
    assert plain.pause_seconds() == 2.0
    seconds[0] = 5.0
    assert plain.pause_seconds() == 5.0

    jittered = Periodic(
        "jittered", Ticks(), lambda: 2.0, log=WORKER_LOG, failed="failed", jitter=0.25, rng=random.Random(7)
    )
    expected = random.Random(7)
    pauses = [jittered.pause_seconds() for _ in range(200)]
    assert pauses == [2.0 * expected.uniform(0.75, 1.25) for _ in range(200)]
    assert all(1.5 <= pause <= 2.5 for pause in pauses)
    assert len(set(pauses)) > 1


async def test_close_cancels_a_tick_in_progress_without_logging_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def slow() -> int:
        started.set()
        await asyncio.Event().wait()
        return 0

    loop = Periodic("slow", slow, lambda: 60.0, log=WORKER_LOG, failed="slow round failed")
    with caplog.at_level(logging.ERROR):
        loop.start()
        await started.wait()
        async with asyncio.timeout(1):
            await loop.aclose()
    assert not loop.running
    assert "slow round failed" not in caplog.text


async def test_a_background_task_runs_until_closed() -> None:
    entered, finished = asyncio.Event(), []

    async def follow() -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        finally:
            finished.append(True)

    task = BackgroundTask("follower", follow)
    task.start()
    await entered.wait()
    assert task.running
    await task.aclose()
    assert finished == [True]
    assert not task.running
