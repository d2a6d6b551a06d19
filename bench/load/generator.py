"""N concurrent citizens playing the conversations (asyncio + httpx), against the gateway or
straight against Rasa's REST channel.

Each citizen waits a random part of one think time (so the N do not all start together), then
plays the scripts one after the other from its own place in the mix, waiting a think time
(uniform between the two bounds: reading the reply and typing) before each message. A
turn is one message and its replies. Errors: an HTTP error status, a timeout or connection
failure, and the gateway's "assistant unavailable" reply (`rasa_status` failed). After an
error, or when a button the script needs is missing (a *deviation*: the bot took another
path), the citizen drops that conversation and starts the next one. No new turn starts after
the level's duration; turns under way then are awaited (bounded by the request timeout).

The identity check's code (`SmsCode`) is read from the simulated SMS outbox through the gateway's
service API, for both targets: straight to Rasa, each conversation is still opened through the
gateway (untimed), so that the conversation Rasa and the actions see is one the gateway knows and
can verify. Reading the code is not part of the turn's time.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bench.load.conversations import CASE_NUMBER, Click, Say, Script, SmsCode, Step

SIX_DIGITS = re.compile(r"\b(\d{6})\b")
READ_AGAIN_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # between reads of the SMS outbox cut off


@dataclass
class Turn:
    seconds: float
    error: str | None  # None, "http_<status>", "timeout", "connection" or "rasa_unavailable"


@dataclass
class Reply:
    replies: list[dict[str, Any]]
    error: str | None = None

    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies)

    def buttons(self) -> dict[str, str]:
        return {b["title"]: b["payload"] for r in self.replies for b in r.get("buttons") or []}


@dataclass(frozen=True)
class Outbox:
    """The simulated SMS provider's outbox, read through the gateway's service API."""

    url: str  # the service API's root (bench.load.stack.Stack.service_url)
    headers: dict[str, str]

    async def code(self, http: httpx.AsyncClient, phone: str) -> str | None:
        """The latest code sent to `phone`; None when there is none. The code is on the
        citizen's phone whatever happens to a gateway replica, so a read cut off by one (a
        kill test) is made again, as the citizen would look again."""
        response = None
        for delay in READ_AGAIN_SECONDS:
            try:
                response = await http.get(
                    f"{self.url}/api/v1/identity/simulated-sms",
                    params={"to": phone},
                    headers=self.headers,
                )
                break
            except httpx.TransportError:
                await asyncio.sleep(delay)
        if response is None or response.status_code != 200:
            return None
        messages = response.json().get("messages") or []
        found = SIX_DIGITS.search(messages[-1].get("text") or "") if messages else None
        return found[1] if found else None


class Target(Protocol):
    name: str
    outbox: Outbox | None

    async def open(self, http: httpx.AsyncClient) -> str: ...

    async def send(
        self, http: httpx.AsyncClient, conversation: str, message: str, title: str | None
    ) -> Reply: ...


class Gateway:
    """The gateway's HTTP API, as the web widget uses it."""

    name = "gateway"

    def __init__(self, url: str, outbox: Outbox | None = None) -> None:
        self.url = url
        self.outbox = outbox
        self._tokens: dict[str, str] = {}  # each conversation's session token, as the widget keeps it

    async def open(self, http: httpx.AsyncClient) -> str:
        response = await http.post(f"{self.url}/api/v1/conversations", json={"channel": "web"})
        response.raise_for_status()
        conversation = str(response.json()["id"])
        self._tokens[conversation] = response.json()["session_token"]
        return conversation

    async def send(
        self, http: httpx.AsyncClient, conversation: str, message: str, title: str | None
    ) -> Reply:
        body: dict[str, Any] = {"text": message, **({"metadata": {"button_title": title}} if title else {})}
        response = await http.post(
            f"{self.url}/api/v1/conversations/{conversation}/messages",
            json=body,
            headers={"X-Session-Token": self._tokens.get(conversation, "")},
        )
        if response.status_code != 200:
            return Reply([], f"http_{response.status_code}")
        answer = response.json()
        self._tokens[conversation] = answer["session_token"]
        replies = answer["replies"]
        # The gateway says when Rasa failed; a system reply alone may be the privacy notice of
        # the first contact (api/privacy/notice.py), not a failure.
        unavailable = answer.get("rasa_status") == "failed"
        return Reply(replies, "rasa_unavailable" if unavailable else None)


class DirectRasa:
    """Rasa's REST channel, with the body the gateway sends (`input_channel`, `metadata`).

    With `gateway_url`, each conversation is opened through the gateway (untimed) and Rasa gets
    its id as the sender: the identity check (the actions call the gateway's service API with
    the sender id) needs a conversation the gateway knows. Without it, a random sender id."""

    name = "direct"

    def __init__(self, url: str, outbox: Outbox | None = None, gateway_url: str | None = None) -> None:
        self.url = url
        self.outbox = outbox
        self.gateway_url = gateway_url

    async def open(self, http: httpx.AsyncClient) -> str:
        if self.gateway_url is None:
            return f"bench-{uuid.uuid4().hex}"
        response = await http.post(f"{self.gateway_url}/api/v1/conversations", json={"channel": "web"})
        response.raise_for_status()
        return str(response.json()["id"])

    async def send(
        self, http: httpx.AsyncClient, conversation: str, message: str, title: str | None
    ) -> Reply:
        body = {
            "sender": conversation,
            "message": message,
            "input_channel": "web",
            "metadata": {"button_title": title} if title else {},
        }
        response = await http.post(f"{self.url}/webhooks/rest/webhook", json=body)
        if response.status_code != 200:
            return Reply([], f"http_{response.status_code}")
        return Reply(response.json())


@dataclass
class Level:
    target: str
    citizens: int
    seconds: float
    turns: list[Turn] = field(default_factory=list)
    conversations: Counter[str] = field(default_factory=Counter)  # "completed", "abandoned"
    deviations: Counter[str] = field(default_factory=Counter)  # "script:step" → count
    open_errors: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Think:
    low: float
    high: float

    def wait(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


async def run_level(
    target: Target,
    scripts: list[Script],
    citizens: int,
    seconds: float,
    think: Think,
    timeout: float,
    seed: int,
) -> Level:
    """N citizens talking to one target."""
    [level] = await run_mixed([target], scripts, citizens, seconds, think, timeout, seed)
    return level


async def run_mixed(
    targets: list[Target],
    scripts: list[Script],
    citizens: int,
    seconds: float,
    think: Think,
    timeout: float,
    seed: int,
) -> list[Level]:
    """N citizens at once, shared out over `targets`: citizen i talks to target i mod T and
    plays the scripts from where citizen i div T starts, so every target carries the same
    conversations while the machine is in the same state. Think times are each citizen's own
    (twins that always wrote together would queue behind each other). One Level per target."""
    levels = [Level(target.name, citizens, seconds) for target in targets]
    limits = httpx.Limits(max_connections=citizens + 10, max_keepalive_connections=citizens + 10)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        start = time.monotonic()
        await asyncio.gather(*(
            _citizen(
                i // len(targets), targets[i % len(targets)], http, scripts, levels[i % len(targets)],
                start, think, random.Random(f"{seed}:{i}"),
            )
            for i in range(citizens)
        ))  # fmt: skip
    return levels


async def run_sequential(
    targets: list[Target], scripts: list[Script], rounds: int, timeout: float
) -> list[Level]:
    """One citizen without think time plays every script through each target in turn, `rounds`
    times: both targets see the same machine state, so their medians compare turn for turn."""
    levels = {target.name: Level(target.name, 1, 0.0) for target in targets}
    no_think, rng = Think(0, 0), random.Random(0)
    async with httpx.AsyncClient(timeout=timeout) as http:
        start = time.monotonic()
        for _ in range(rounds):
            for script in scripts:
                for target in targets:
                    level = levels[target.name]
                    conversation = await target.open(http)
                    outcome = await _conversation(
                        target, http, conversation, script, level, math.inf, no_think, rng
                    )
                    level.conversations[outcome] += 1
        elapsed = round(time.monotonic() - start, 1)
    for level in levels.values():
        level.seconds = elapsed
    return list(levels.values())


async def play_once(target: Target, script: Script, timeout: float) -> tuple[list[str], str | None]:
    """Play `script` once without think time: (the bot's replies, the first problem or None)."""
    replies: list[str] = []
    async with httpx.AsyncClient(timeout=timeout) as http:
        conversation = await target.open(http)
        last = Reply([])
        for step in script.steps:
            message = await next_message(target, http, step, last, replies)
            if message is None:
                if isinstance(step, SmsCode):
                    return replies, "no SMS code in the outbox"
                return replies, f"no button {step.title!r} in {sorted(last.buttons())}"  # type: ignore[union-attr]
            last = await target.send(http, conversation, *message)
            replies.append(last.text())
            if last.error:
                return replies, last.error
    return replies, None


async def _citizen(
    index: int,
    target: Target,
    http: httpx.AsyncClient,
    scripts: list[Script],
    level: Level,
    start: float,
    think: Think,
    rng: random.Random,
) -> None:
    deadline = start + level.seconds
    await asyncio.sleep(rng.uniform(0, think.high))
    next_script = index % len(scripts)
    while time.monotonic() < deadline:
        script = scripts[next_script]
        next_script = (next_script + 1) % len(scripts)
        try:
            conversation = await target.open(http)
        except httpx.HTTPError as error:
            level.open_errors[type(error).__name__] += 1
            await asyncio.sleep(think.wait(rng))
            continue
        outcome = await _conversation(target, http, conversation, script, level, deadline, think, rng)
        level.conversations[outcome] += 1
        await asyncio.sleep(think.wait(rng))


async def _conversation(
    target: Target,
    http: httpx.AsyncClient,
    conversation: str,
    script: Script,
    level: Level,
    deadline: float,
    think: Think,
    rng: random.Random,
) -> str:
    last, said = Reply([]), []
    for number, step in enumerate(script.steps):
        if number:
            await asyncio.sleep(think.wait(rng))
        if time.monotonic() >= deadline:
            return "cut"
        message = await next_message(target, http, step, last, said)
        if message is None:
            level.deviations[f"{script.name}:{number}"] += 1
            return "deviated"
        sent = time.monotonic()
        try:
            last = await target.send(http, conversation, *message)
        except httpx.TimeoutException:
            last = Reply([], "timeout")
        except httpx.HTTPError:
            last = Reply([], "connection")
        level.turns.append(Turn(round(time.monotonic() - sent, 4), last.error))
        said.append(last.text())
        if last.error:
            return "error"
    return "completed"


async def next_message(
    target: Target, http: httpx.AsyncClient, step: Step, last: Reply, replies: list[str]
) -> tuple[str, str | None] | None:
    """`step_message`, and for `SmsCode` the code read from the outbox (None without one)."""
    if isinstance(step, SmsCode):
        code = await target.outbox.code(http, step.phone) if target.outbox is not None else None
        return (code, None) if code is not None else None
    return step_message(step, last, replies)


def step_message(step: Say | Click, last: Reply, replies: list[str]) -> tuple[str, str | None] | None:
    """(what to send, the button's title) for a step, or None when its button is missing."""
    if isinstance(step, Click):
        payload = last.buttons().get(step.title)
        return (payload, step.title) if payload is not None else None
    cases = [number for text in replies for number in CASE_NUMBER.findall(text)]
    return step.text.replace("{case}", cases[-1] if cases else ""), None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(level: Level, processes: dict[str, dict[str, float]]) -> dict[str, Any]:
    seconds = [t.seconds for t in level.turns]
    errors: dict[str, int] = {}
    for turn in level.turns:
        if turn.error:
            errors[turn.error] = errors.get(turn.error, 0) + 1
    return {
        "target": level.target,
        "citizens": level.citizens,
        "seconds": level.seconds,
        "turns": len(level.turns),
        "turns_per_second": round(len(level.turns) / level.seconds, 2),
        "latency_ms": {f"p{q}": round(1000 * percentile(seconds, q), 1) for q in (50, 95, 99)}
        | {"max": round(1000 * max(seconds, default=0), 1)},
        "errors": sum(errors.values()) + sum(level.open_errors.values()),
        "errors_by_kind": errors | {f"open_{k}": v for k, v in level.open_errors.items()},
        "conversations": dict(level.conversations),
        "deviations": dict(level.deviations),
        "processes": processes,
    }
