"""`python -m bench.long_conversation` (gateway runtime): does a turn cost more the longer the
conversation? One citizen holds one conversation of N turns (600) straight to Rasa's REST
channel, without think time, on the stack `bench.load` starts; writes long_conversation.json.

The conversation cycles through info questions, a form started and cancelled (TED and the
rules run on every step of a form) and small talk, all within one Rasa session (60 minutes).
For each bucket of 20 turns ending at turn 20, 100, 200, 400 and 600: the median latency and
the Rasa server's CPU time per turn (its process tree's utime + stime from /proc, more robust
than wall time on a shared machine), and the same for the action server. The target (issue
19): the median of the turns up to 600 within 1.2 times that of the turns up to 20.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import ROOT, results_dir, tree_hash, write_result
from bench.load.procstat import cpu_seconds
from bench.load.stack import running

# Typed as citizens type them; each is answered without a ministry call.
CYCLE = (
    "Selamat pagi",
    "Berapa biaya perpanjang SIM A?",
    "Kantor Samsat buka jam berapa ya?",
    "Apa syarat membuat akta kelahiran anak?",
    "Berapa iuran BPJS kelas 3 per bulan?",
    "Kartu BPJS Kesehatan saya masih aktif atau tidak ya?",  # the form asks for the NIK
    "batal",
    "Layanan apa saja yang bisa dibantu di sini?",
    "Bagaimana cara mendaftar CPNS tahun ini?",
    "Oke, terima kasih banyak",
)
BUCKET = 20
ENDS = (20, 100, 200, 400, 600)
TARGET_RATIO = 1.2


def buckets(turns: int) -> list[tuple[int, int]]:
    """(first, last) turn numbers (1-based) of each bucket that fits in `turns`."""
    return [(end - BUCKET + 1, end) for end in ENDS if end <= turns] or [(1, turns)]


def play(
    rasa_url: str, gateway_url: str, turns: int, timeout: float, rasa: list[int], actions: list[int]
) -> dict[str, Any]:
    with httpx.Client(timeout=timeout) as http:
        opened = http.post(f"{gateway_url}/api/v1/conversations", json={"channel": "web"})
        opened.raise_for_status()
        sender = str(opened.json()["id"])  # a conversation the gateway knows (the actions check it)
        laps: list[dict[str, Any]] = []
        for number in range(1, turns + 1):
            text = CYCLE[(number - 1) % len(CYCLE)]
            cpu_before = cpu_seconds(rasa), cpu_seconds(actions)
            started = time.perf_counter()
            response = http.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "input_channel": "web", "metadata": {}},
            )
            seconds = time.perf_counter() - started
            cpu_after = cpu_seconds(rasa), cpu_seconds(actions)
            replies = response.json() if response.status_code == 200 else []
            laps.append({
                "turn": number,
                "ms": round(1000 * seconds, 2),
                "rasa_cpu_ms": round(1000 * (cpu_after[0] - cpu_before[0]), 1),
                "actions_cpu_ms": round(1000 * (cpu_after[1] - cpu_before[1]), 1),
                "status": response.status_code,
                "replied": bool(replies),
                "reply": str((replies or [{}])[0].get("text", ""))[:60],
            })  # fmt: skip
    return {"sender": sender, "laps": laps}


def summarise(laps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for first, last in buckets(len(laps)):
        inside = laps[first - 1 : last]
        rows.append({
            "turns": f"{first}–{last}",
            "last": last,
            "p50_ms": round(statistics.median(lap["ms"] for lap in inside), 1),
            # /proc counts in clock ticks (10 ms): the mean over the bucket, not the median.
            "rasa_cpu_ms_per_turn": round(statistics.fmean(lap["rasa_cpu_ms"] for lap in inside), 1),
            "actions_cpu_ms_per_turn": round(statistics.fmean(lap["actions_cpu_ms"] for lap in inside), 1),
            "errors": sum(1 for lap in inside if lap["status"] != 200),
            "unanswered": sum(1 for lap in inside if not lap["replied"]),
        })  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.long_conversation", description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "asisten-warga.tar.gz")
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--name", default="long_conversation", help="the result file's name")
    args = parser.parse_args(argv)
    workdir = results_dir() / "long_conversation-stack"
    with running(args.model, workdir) as stack:
        services = stack.services
        played = play(
            stack.rasa_url, stack.gateway_url, args.turns, args.timeout, services["rasa"], services["actions"]
        )
    rows = summarise(played["laps"])
    ratio = rows[-1]["p50_ms"] / rows[0]["p50_ms"] if len(rows) > 1 else None
    result = {
        "turns": args.turns,
        "bucket": BUCKET,
        "cycle": list(CYCLE),
        "buckets": rows,
        "ratio_last_to_first": round(ratio, 2) if ratio else None,
        "target_ratio": TARGET_RATIO,
        "rasa_cpu_ms_per_turn": round(statistics.fmean(lap["rasa_cpu_ms"] for lap in played["laps"]), 1),
        "errors": sum(row["errors"] for row in rows),
        "laps": played["laps"],
        "model": str(args.model),
        "config_hash": tree_hash("config.yml", "bot"),
    }
    path = write_result(args.name, result)
    for row in rows:
        print(
            f"long conversation: turns {row['turns']:>9}  p50 {row['p50_ms']:7.1f} ms  "
            f"Rasa CPU {row['rasa_cpu_ms_per_turn']:6.1f} ms/turn  "
            f"actions {row['actions_cpu_ms_per_turn']:5.1f}  "
            f"errors {row['errors']}  unanswered {row['unanswered']}"
        )
    print(
        f"long conversation: last bucket / first = {result['ratio_last_to_first']}; {path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
