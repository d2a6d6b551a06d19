"""Plays the conversation files through the gateway's public HTTP API and reports (issue 18).

`python -m tests.conversations.harness [PATH ...]` (`make eval-conversations`) starts the whole
stack on the trained model as tests/e2e does (`bench.load.stack.running`), plays every
conversation as the web widget would (create a web conversation, send each message with the
session token, click buttons by title), checks each turn and writes docs/conversations.md and
var/reports/conversations.json. PATH: files or folders (default: the corpus).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conversations import placeholders
from tests.conversations.checks import Failure, choices, failures, find_choice, reply_text
from tests.conversations.model import CORPUS_DIR, Conversation, FormatError, Turn, files, load

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "asisten-warga.tar.gz"
PRIVACY_NOTICE = "Privasi Anda:"  # the first contact's notice (api/privacy/notice.py), not the bot's reply
# As tests/e2e/conftest.py: a timeout above the longest action chain on a loaded 2-core machine,
# and the call center open so that a hand-off queues.
STACK_SETTINGS = {
    "AW_RASA_TIMEOUT_SECONDS": "20",
    "AW_CALL_CENTER_HOURS": "mon-sun 00:00-24:00",
    "AW_CALL_CENTER_CLOSED_ON_HOLIDAYS": "false",
}
_CODE = re.compile(r"\b(\d{6})\b")


def persona_data(name: str | None) -> dict[str, Any] | None:
    if name is None:
        return None
    from simulators.seed import sample

    return sample(name)


def paths_of(arguments: Iterable[Path]) -> list[Path]:
    """Files as given, and the *.yml files of folders."""
    found: list[Path] = []
    for path in arguments:
        found += files(path) if path.is_dir() else [path]
    return found


def load_checked(paths: Iterable[Path]) -> list[Conversation]:
    """`model.load` plus every placeholder resolvable against its persona; FormatError otherwise."""
    conversations = load(paths)
    problems = []
    for conversation in conversations:
        persona = persona_data(conversation.persona)
        templates = [
            text for turn in conversation.turns for text in (turn.template, *turn.expect.templates())
        ]
        where = f"{conversation.source} ({conversation.id})"
        problems += [f"{where}: {problem}" for problem in placeholders.problems(templates, persona)]
    if problems:
        raise FormatError("\n".join(problems))
    return conversations


@dataclass
class Result:
    conversation: Conversation
    transcript: list[str] = field(default_factory=list)
    failed_turn: int | None = None  # 1-based; None when every turn held
    message: str = ""  # the failed turn's message (resolved)
    failure: Failure | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failed_turn is None


@dataclass
class Endpoints:
    """Where the harness talks to the running assistant."""

    gateway_url: str  # the public API
    service_url: str  # the internal service API, for the simulated SMS
    service_headers: dict[str, str]


class Player:
    """Plays conversations against one running stack."""

    def __init__(self, endpoints: Endpoints, timeout: float = 60) -> None:
        self.public = httpx.Client(base_url=endpoints.gateway_url, timeout=timeout)
        self.service = httpx.Client(
            base_url=f"{endpoints.service_url}/api/v1", headers=endpoints.service_headers, timeout=timeout
        )

    def close(self) -> None:
        self.public.close()
        self.service.close()

    def otp(self, phone: str) -> str:
        response = self.service.get("/identity/simulated-sms", params={"to": phone})
        response.raise_for_status()
        messages = response.json()["messages"]
        code = _CODE.search(messages[-1]["text"]) if messages else None
        if code is None:
            raise LookupError(f"no code sent by SMS to {phone[:4]}…")
        return code[1]

    def play(self, conversation: Conversation) -> Result:
        result = Result(conversation)
        started = time.monotonic()
        persona = persona_data(conversation.persona)
        try:
            created = self.public.post("/api/v1/conversations", json={"channel": conversation.channel})
            created.raise_for_status()
            ident, token = created.json()["id"], created.json().get("session_token")
            replies: list[dict[str, Any]] = []
            for number, turn in enumerate(conversation.turns, 1):
                failure, message, replies, token = self._turn(ident, token, turn, persona, replies, result)
                if failure is not None:
                    result.failed_turn, result.message, result.failure = number, message, failure
                    break
        except (httpx.HTTPError, LookupError, KeyError, ValueError) as error:
            result.failed_turn = result.failed_turn or len(result.transcript) // 2 + 1
            result.failure = Failure("reply", "a reply", f"{type(error).__name__}: {error}")
        result.seconds = round(time.monotonic() - started, 2)
        return result

    def _turn(
        self,
        ident: str,
        token: str | None,
        turn: Turn,
        persona: dict[str, Any] | None,
        previous: list[dict[str, Any]],
        result: Result,
    ) -> tuple[Failure | None, str, list[dict[str, Any]], str | None]:
        otp_phone = str((persona or {}).get("otp_phone") or "")
        body: dict[str, Any]
        if turn.click is not None:
            title = placeholders.resolve(turn.click, persona)
            offered = choices(previous)
            match = find_choice(title, offered)
            result.transcript.append(f"warga [tombol]: {title}")
            if match is None:
                absent = Failure("click", f"a button {title!r}", f"buttons {sorted(offered)}")
                return absent, title, previous, token
            message, body = title, {"text": offered[match], "metadata": {"button_title": match}}
        else:
            message = placeholders.resolve(turn.user or "", persona, lambda: self.otp(otp_phone))
            result.transcript.append(f"warga: {message}")
            body = {"text": message}
        response = self.public.post(
            f"/api/v1/conversations/{ident}/messages", json=body, headers={"X-Session-Token": token or ""}
        )
        if response.status_code >= 400:
            failure = Failure("reply", "a reply", f"HTTP {response.status_code}: {response.text[:300]}")
            result.transcript.append(f"bot: HTTP {response.status_code}")
            return failure, message, [], token
        token = response.json().get("session_token", token)
        replies = list(response.json().get("replies") or [])
        first = replies[0] if replies else {}
        if first.get("author") == "system" and str(first.get("text")).startswith(PRIVACY_NOTICE):
            replies.pop(0)
        text, offered = reply_text(replies), choices(replies)
        result.transcript.append(f"bot: {text}" + (f"\n  tombol: {list(offered)}" if offered else ""))
        authors = {reply.get("author") for reply in replies}
        if not replies or authors != {"bot"}:
            silent = Failure("reply", "a reply of the bot", f"authors {sorted(map(str, authors))}: {text}")
            return silent, message, replies, token
        found = failures(turn.expect, text, offered, lambda template: placeholders.resolve(template, persona))
        return (found[0] if found else None), message, replies, token


def play_all(conversations: list[Conversation], endpoints: Endpoints, progress: bool = False) -> list[Result]:
    player = Player(endpoints)
    results = []
    try:
        for index, conversation in enumerate(conversations, 1):
            result = player.play(conversation)
            results.append(result)
            if progress:
                mark = "ok " if result.passed else f"FAIL turn {result.failed_turn}"
                print(
                    f"[{index}/{len(conversations)}] {conversation.id}: {mark}", file=sys.stderr, flush=True
                )
    finally:
        player.close()
    return results


@contextmanager
def stack(model: Path = MODEL) -> Iterator[Endpoints]:
    """The whole assistant started as tests/e2e does, in a temporary folder."""
    from bench.load.stack import running

    with (
        tempfile.TemporaryDirectory(prefix="conversations-") as workdir,
        running(model, Path(workdir), env=STACK_SETTINGS) as started,
    ):
        yield Endpoints(started.gateway_url, started.service_url, started.service_headers)


def main(argv: list[str] | None = None) -> int:
    from tests.conversations.report import summary, write

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[CORPUS_DIR], help="files or folders")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--markdown", type=Path, default=ROOT / "docs" / "conversations.md")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "reports" / "conversations.json")
    args = parser.parse_args(argv)
    paths = paths_of(args.paths)
    if not paths:
        parser.error(f"no conversation files in {', '.join(map(str, args.paths))}")
    if not args.model.exists():
        parser.error(f"no trained model at {args.model}: run `make train` first")
    try:
        conversations = load_checked(paths)
    except FormatError as error:
        print(f"invalid conversation files:\n{error}", file=sys.stderr)
        return 2
    held_out = any(path.resolve().is_relative_to(CORPUS_DIR.resolve()) for path in paths)
    with stack(args.model) as endpoints:
        results = play_all(conversations, endpoints, progress=not held_out)
    sources = [
        str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
        for path in args.paths
    ]
    report = summary(results, sources, held_out=held_out)
    write(report, args.markdown, args.json)
    overall = report["overall"]
    print(f"{overall['passed']}/{overall['conversations']} conversations passed ({overall['rate']:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
