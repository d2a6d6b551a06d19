"""`python -m bench.report` (Rasa runtime, for matplotlib): docs/benchmarks.md and the plots
docs/img/bench-*.png from the results of the last run (var/bench/*.json), with the
full-length trainings of `bench/run --full` (var/bench/full/) when there are any, and the
hand-written findings in bench/findings.md as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.common import RESULTS, ROOT, tree_hash  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
IMAGES = ROOT / "docs" / "img"
FINDINGS = ROOT / "bench" / "findings.md"
TARGETS = {
    "gateway_overhead": 0.10,  # issue 19 (was 15%)
    "p95_ms": 300.0,
    "rasa_rss_mb": 1536.0,
    "training_s": 300.0,
    "rasa_cpu_ms_per_turn": 12.0,  # issue 19
    "long_conversation_ratio": 1.2,  # issue 19: turn 600 within 1.2x of turn 20
    "capacity_turns_per_second": 60.0,  # issue 19: through the cluster, p95 <= 300 ms
}
SYSTEM_ORDER = ("ours", "default", "baseline")


def load(folder: Path, name: str) -> dict[str, Any] | None:
    path = folder / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- Plots ----------------------------------------------------------------------------------


def plot_confusion(system: dict[str, Any], path: Path) -> None:
    labels, matrix = system["confusion"]["labels"], system["confusion"]["matrix"]
    totals = [sum(row) or 1 for row in matrix]
    shares = [[cell / total for cell in row] for row, total in zip(matrix, totals, strict=True)]
    fig, ax = plt.subplots(figsize=(11, 10))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, cell in enumerate(row):
            if cell and i != j:
                ax.text(j, i, str(cell), ha="center", va="center", fontsize=6, color="crimson")
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    ax.set_title(f"{system['label']}: test split, share of each true intent (errors in red)")
    fig.colorbar(image, ax=ax, fraction=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(levels: list[dict[str, Any]], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"gateway": ("-", "o"), "direct": ("--", "s")}
    colours = {"p50": "tab:blue", "p95": "tab:orange", "p99": "tab:red"}
    for target, (style, marker) in styles.items():
        rows = [level for level in levels if level["target"] == target]
        citizens = [level["citizens"] for level in rows]
        for q, colour in colours.items():
            label = f"{q} {'through the gateway' if target == 'gateway' else 'straight to Rasa'}"
            ax.plot(
                citizens,
                [level["latency_ms"][q] for level in rows],
                style,
                marker=marker,
                color=colour,
                label=label,
            )
    ax.axhline(TARGETS["p95_ms"], color="grey", linewidth=0.8, linestyle=":", label="target p95 300 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(
        sorted({level["citizens"] for level in levels}),
        [str(c) for c in sorted({level["citizens"] for level in levels})],
    )
    ax.set_xlabel("concurrent citizens")
    ax.set_ylabel("latency per turn (ms)")
    ax.set_title("Turn latency by concurrency")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_processes(load_result: dict[str, Any], path: Path) -> None:
    series = load_result["series"]
    t = series["t"]
    fig, (cpu_ax, rss_ax) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    for name, cpu in series["cpu_seconds"].items():
        percent = [0.0] + [100 * (cpu[i] - cpu[i - 1]) / max(t[i] - t[i - 1], 1e-6) for i in range(1, len(t))]
        smooth = [
            sum(percent[max(0, i - 3) : i + 1]) / len(percent[max(0, i - 3) : i + 1])
            for i in range(len(percent))
        ]
        cpu_ax.plot(t, smooth, label=name, linewidth=1)
        rss_ax.plot(t, series["rss_mb"][name], label=name, linewidth=1)
    # Mark where each level starts: g = through the gateway, d = straight to Rasa.
    top = max(max(series["rss_mb"][name]) for name in series["rss_mb"])
    for level in load_result["levels"]:
        start = level["window_seconds"][0]
        for ax in (cpu_ax, rss_ax):
            ax.axvline(start, color="grey", linewidth=0.5, linestyle=":")
        rss_ax.text(start + 1, top * 0.5, f"{level['target'][:1]}×{level['citizens']}", fontsize=7)
    cpu_ax.set_ylabel("CPU % (100 = one core)")
    rss_ax.set_ylabel("resident memory (MB)")
    rss_ax.set_xlabel("seconds since the first level started (g = gateway, d = direct; × citizens)")
    cpu_ax.legend(fontsize=7, loc="upper left")
    cpu_ax.set_title("CPU and memory per process during the load levels")
    for ax in (cpu_ax, rss_ax):
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- Sections -------------------------------------------------------------------------------


def stale(recorded: str | None, *paths: str) -> str:
    """A warning when a result was measured on other files than the current ones."""
    if recorded is None or recorded == tree_hash(*paths):
        return ""
    return " (measured on other data or config: rerun)"


def training_seconds(
    train: dict[str, Any] | None, full_train: dict[str, Any] | None
) -> tuple[float, str] | None:
    """Our config's training time: a full-length measurement if there is one, else the projection."""
    if full_train and not full_train["shortened"]:
        measured = full_train["measured_at"][:10]
        return full_train["training"]["wall_seconds"], f"measured at full length ({measured})"
    if train and not train["shortened"]:
        return train["training"]["wall_seconds"], "measured at full length"
    if train:
        epochs = max((c["epochs"] or 0 for c in train["training"]["components"]), default=0)
        return train["projected_full_seconds"], f"projected from a {epochs}-epoch training"
    return None


# A median of fewer turns than this, on either target, is too noisy to hold against the
# 15% target: turns are a mix of quick answers and ministry calls, so the median of 50 turns
# moves by ±10% or more (10 citizens for 40 s, shared out over both targets, play about 50 each).
MIN_TURNS_TO_COMPARE = 100


def gateway_overheads(result: dict[str, Any]) -> list[tuple[int, float, bool]]:
    """(citizens, gateway p50 / direct p50 − 1, both targets played enough turns to compare)
    for each level measured on both targets."""
    by_key = {(level["target"], level["citizens"]): level for level in result["levels"]}
    rows = []
    for citizens in result["settings"]["levels"]:
        gateway, direct = by_key.get(("gateway", citizens)), by_key.get(("direct", citizens))
        if gateway is None or direct is None:
            continue
        enough = min(gateway["turns"], direct["turns"]) >= MIN_TURNS_TO_COMPARE
        rows.append((citizens, gateway["latency_ms"]["p50"] / direct["latency_ms"]["p50"] - 1, enough))
    return rows


def _paired_overhead(pair: list[dict[str, Any]]) -> tuple[float, int] | None:
    """(gateway p50 / direct p50 − 1, the fewer turns of the two) of two runs side by side."""
    runs = {level["target"]: level for level in pair}
    if not {"gateway", "direct"} <= runs.keys():
        return None
    gateway, direct = runs["gateway"], runs["direct"]
    ratio = gateway["latency_ms"]["p50"] / direct["latency_ms"]["p50"] - 1
    return ratio, min(gateway["turns"], direct["turns"])


def sequential_overhead(result: dict[str, Any]) -> tuple[float, int] | None:
    """The gateway overhead of the sequential run (one citizen, no think time)."""
    return _paired_overhead(result.get("sequential", []))


def mixed_overheads(result: dict[str, Any]) -> list[tuple[int, float, int]]:
    """(citizens, gateway p50 / direct p50 − 1, the fewer turns) of each mixed level."""
    rows = []
    for citizens in result["settings"].get("mixed_levels", []):
        pair = [level for level in result.get("mixed", []) if level["citizens"] == citizens]
        if (overhead := _paired_overhead(pair)) is not None:
            rows.append((citizens, *overhead))
    return rows


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def capacity_row(capacity: dict[str, Any]) -> list[str]:
    """The capacity target's row: the best level that met the latency, and the first that did not."""
    best = capacity["capacity_turns_per_second"]
    missed = next((level for level in capacity["levels"] if not level["met"]), None)
    parts = [f"{best:.1f} turns/s" if best is not None else "no level met p95 ≤ 300 ms"]
    if missed:
        parts.append(
            f"at {missed['citizens']} citizens {missed['turns_per_second']:.1f} turns/s, "
            f"p95 {missed['latency_ms']['p95']:.0f} ms, {missed['errors']} errors"
        )
    last = capacity["levels"][-1]["cpu_ms_per_turn"]
    idle = capacity.get("idle_cpu_percent", {})
    parts.append(
        f"{capacity['settings']['topology']}; CPU per turn at the last level: "
        + ", ".join(f"{kind} {ms:.0f} ms" for kind, ms in sorted(last.items(), key=lambda kv: -kv[1]))
        + "; idle, % of a core: "
        + ", ".join(f"{kind} {percent:.0f}" for kind, percent in sorted(idle.items(), key=lambda kv: -kv[1]))
        + " (`bench/capacity.py`)"
    )
    target = TARGETS["capacity_turns_per_second"]
    return [
        f"≥ {target:.0f} turns/s through the load balancer at p95 ≤ 300 ms, no errors",
        "; ".join(parts),
        verdict(best is not None and best >= target),
    ]


def targets_section(
    load_result: dict[str, Any] | None,
    training: tuple[float, str] | None,
    long_result: dict[str, Any] | None = None,
    capacity: dict[str, Any] | None = None,
) -> str:
    rows: list[list[Any]] = []
    if capacity:
        rows.append(capacity_row(capacity))
    if load_result and (cpu := load_result.get("sequential_cpu_ms_per_turn")):
        turns = sum(level["turns"] for level in load_result.get("sequential", []))
        rows.append([
            f"Rasa CPU per turn ≤ {TARGETS['rasa_cpu_ms_per_turn']:.0f} ms",
            f"{cpu['rasa']:.1f} ms over the {turns} sequential turns (/proc; gateway "
            f"{cpu.get('gateway', 0):.1f} ms, actions {cpu.get('actions', 0):.1f} ms)",
            verdict(cpu["rasa"] <= TARGETS["rasa_cpu_ms_per_turn"]),
        ])  # fmt: skip
    if long_result and long_result.get("ratio_last_to_first") is not None:
        first, last = long_result["buckets"][0], long_result["buckets"][-1]
        ratio = long_result["ratio_last_to_first"]
        limit = TARGETS["long_conversation_ratio"]
        rows.append([
            f"turn {last['last']} of one conversation within {limit}× of turn {first['last']}",
            f"{ratio:.2f}× (median {last['p50_ms']:.0f} ms at turns {last['turns']}, "
            f"{first['p50_ms']:.0f} ms at {first['turns']}; straight to Rasa)",
            verdict(ratio <= TARGETS["long_conversation_ratio"]),
        ])  # fmt: skip
    if load_result:
        # Held against the target: the runs where both targets share the machine's state (the
        # sequential run and the mixed levels). Levels played one target after the other compare
        # two 40 s windows of a near-saturated Rasa, whose median moves by ±10–20% from run to
        # run: they are shown, not judged, when mixed levels exist.
        compared, parts = [], []
        if (sequential := sequential_overhead(load_result)) is not None:
            overhead, turns = sequential
            if turns >= MIN_TURNS_TO_COMPARE:
                compared.append(overhead)
            parts.append(f"{overhead:+.1%} with one citizen without think time ({turns} turns each)")
        mixed = mixed_overheads(load_result)
        compared += [overhead for _, overhead, turns in mixed if turns >= MIN_TURNS_TO_COMPARE]
        parts += [
            f"{overhead:+.1%} at {citizens} citizens shared out over both targets ({turns} turns each"
            + (")" if turns >= MIN_TURNS_TO_COMPARE else ": too few to judge)")
            for citizens, overhead, turns in mixed
        ]
        levels = gateway_overheads(load_result)
        shown_levels = ", ".join(
            f"{overhead:+.1%} at {citizens}" for citizens, overhead, enough in levels if enough
        )
        if not mixed:
            compared += [overhead for _, overhead, enough in levels if enough]
            parts.append(f"{shown_levels} concurrent citizens")
        elif shown_levels:
            parts.append(f"(one target after the other, not judged: {shown_levels})")
        rows.append([
            f"the gateway adds ≤ {TARGETS['gateway_overhead']:.0%} to bare Rasa's median turn latency",
            "; ".join(parts),
            verdict(bool(compared) and max(compared) <= TARGETS["gateway_overhead"]),
        ])  # fmt: skip
        top = max(load_result["settings"]["levels"])
        at_top = next(
            (
                level
                for level in load_result["levels"]
                if level["citizens"] == top and level["target"] == "gateway"
            ),
            None,
        )
        if at_top:
            p95 = at_top["latency_ms"]["p95"]
            rows.append([
                f"p95 ≤ 300 ms at {top} concurrent conversations, zero errors (through the gateway)",
                f"p95 {p95:.0f} ms, {at_top['errors']} errors in {at_top['turns']} turns",
                verdict(p95 <= TARGETS["p95_ms"] and at_top["errors"] == 0),
            ])  # fmt: skip
        peaks = [load_result["peak_rss_mb_lifetime"].get("rasa", 0)]
        peaks += [level["processes"].get("rasa", {}).get("peak_rss_mb", 0) for level in load_result["levels"]]
        rows.append(
            [
                "Rasa server memory ≤ 1.5 GB",
                f"peak RSS {max(peaks):.0f} MB",
                verdict(max(peaks) <= TARGETS["rasa_rss_mb"]),
            ]
        )
    if training:
        seconds, how = training
        rows.append([
            "training ≤ 5 minutes (`rasa train`, NLU and dialogue)",
            f"{minutes(seconds)}, {how}",
            verdict(seconds <= TARGETS["training_s"]),
        ])  # fmt: skip
    return "## Targets\n\n" + table(["target", "measured", "verdict"], rows)


def _entities(system: dict[str, Any]) -> str:
    if not system["entities"]:
        return "— (no entity extraction)"
    return "; ".join(
        f"{name}: {e['precision']:.2f} / {e['recall']:.2f} / {e['f1']:.2f}"
        for name, e in system["entities"].items()
    )


def _out_of_scope(system: dict[str, Any]) -> list[str]:
    o = system["scores"]["out_of_scope"]
    caught = f"{o['caught'] / o['messages']:.2f} ({o['caught']} of {o['messages']})" if o["messages"] else "—"
    alarms = f"{o['in_scope_caught'] / o['in_scope_messages']:.3f} ({o['in_scope_caught']})"
    threshold = f"{o['fallback_threshold']:g}" if o["fallback_threshold"] else "none"
    return [caught, alarms, threshold]


def nlu_section(nlu: dict[str, Any], full_nlu: dict[str, Any] | None) -> str:
    systems = {s["name"]: s for s in nlu["systems"]}
    shown = [systems[name] for name in SYSTEM_ORDER if name in systems]
    full_default = next((s for s in (full_nlu or {}).get("systems", []) if s["name"] == "default"), None)
    if full_nlu and full_default:
        when = full_nlu["measured_at"][:10]
        shown.append({**full_default, "label": f"{full_default['label']} (`bench/run --full` of {when})"})
    rows = [
        [
            s["label"], f"**{s['scores']['accuracy']:.3f}**", f"{s['scores']['macro_f1']:.3f}", _entities(s),
            *_out_of_scope(s), f"{s['training']['wall_seconds']:.0f} s" if s.get("training") else "before",
        ]
        for s in shown
    ]  # fmt: skip
    header = [
        "system", "intent accuracy", "macro-F1", "entities P / R / F1", "out-of-scope caught",
        "in-scope caught (false alarms)", "fallback threshold", "training here",
    ]  # fmt: skip
    ours = systems["ours"]
    per_intent = table(
        ["intent", "support"] + [f"F1 {s['label']}" for s in shown],
        [
            [intent, scores["support"]]
            + [fmt(s["scores"]["per_intent"].get(intent, {}).get("f1"), 2) for s in shown]
            for intent, scores in sorted(ours["scores"]["per_intent"].items())
        ],
    )
    entity_types = "\n\n".join(
        f"Entities of {ours['label']} by type ({name}):\n\n"
        + table(
            ["entity", "precision", "recall", "F1", "support"],
            [
                [t, fmt(v["precision"], 2), fmt(v["recall"], 2), fmt(v["f1"], 2), v["support"]]
                for t, v in sorted(e["types"].items())
            ],
        )
        for name, e in ours["entities"].items()
    )
    baseline = systems.get("baseline", {}).get("training") or {}
    warnings = stale(nlu["test_data"]["hash"], "tests/nlu") + stale(nlu["train_data"]["hash"], "data/nlu")
    return f"""## Understanding: the held-out NLU test split

All three systems are trained on `data/nlu/` only ({baseline["training_examples"]} examples) and
scored on the {ours["scores"]["examples"]} examples of `tests/nlu/`, which no training and no choice of
setting has seen{warnings}. Our pipeline is the trained model `{nlu["model"]}`. Rasa's default pipeline
(`bench/pipelines/default_rasa.yml`, the configuration `rasa init` uses) and the baseline
(`bench/nlu/baseline.py`: TF-IDF of word 1–2-grams and `char_wb` 2–4-grams, logistic regression with
C = {baseline["C"]:g}, chosen by 5-fold cross-validation on the training data) are trained in the
run.

{table(header, rows)}

- Intent accuracy and macro-F1 take each system's top intent before any fallback (as `rasa test nlu`
  reports it). Entities are `rasa test nlu`'s scores (micro average over the entity types).
- **Out-of-scope caught**: an `out_of_scope` test message counts as caught when the system would not
  answer it as an in-scope request: its top intent is `out_of_scope`, or the top confidence is below
  the system's fallback threshold (Rasa's `FallbackClassifier` then predicts `nlu_fallback`, and the
  assistant answers with help and the menu). The baseline has no fallback, so only its
  `out_of_scope` predictions count. **False alarms** apply the same rule to the in-scope messages:
  the share that would get the fallback or the out-of-scope answer.

Per intent (F1):

{per_intent}

{entity_types}

Confusion matrix of our pipeline on the test split:

![confusion matrix](img/bench-confusion.png)"""


def _latency_row(level: dict[str, Any], overhead: float | None, citizens: str | None = None) -> list[Any]:
    lat = level["latency_ms"]
    errors = ", ".join(f"{kind} {count}" for kind, count in level["errors_by_kind"].items()) or "0"
    target = "gateway" if level["target"] == "gateway" else "straight to Rasa"
    return [
        citizens or level["citizens"], target, level["turns"], f"{level['turns_per_second']:.2f}",
        *(f"{lat[q]:.0f}" for q in ("p50", "p95", "p99", "max")), errors,
        f"{overhead:+.1%}" if overhead is not None else "",
    ]  # fmt: skip


def _sequential_paragraph(result: dict[str, Any]) -> str:
    overhead = sequential_overhead(result)
    if overhead is None:
        return ""
    rows = [
        _latency_row(level, overhead[0] if level["target"] == "gateway" else None, "1, no think time")
        for level in result["sequential"]
    ]
    return f"""**One citizen, and the gateway overhead without load.** With think time, one citizen plays
too few turns in a level for a median, so before the levels one citizen without think time plays
every conversation through each target in turn ({result["settings"]["sequential_rounds"]} rounds; the two
targets alternate, so both see the same machine). The ministries' simulated latency is part of
both targets' turns.

{table(LATENCY_COLUMNS, rows)}"""


def _mixed_paragraph(result: dict[str, Any]) -> str:
    overheads = {citizens: overhead for citizens, overhead, _ in mixed_overheads(result)}
    if not overheads:
        return ""
    rows = [
        _latency_row(
            level,
            overheads.get(level["citizens"]) if level["target"] == "gateway" else None,
            f"{level['citizens']} in all, {level['citizens'] // 2} here",
        )
        for level in result["mixed"]
    ]
    return f"""**Gateway overhead under load, both targets at once.** The levels above play one target
after the other, and a near-saturated Rasa's median moves by ±10–20% between two such windows,
more than the overhead to be measured. So each mixed level plays N citizens for
{result["settings"]["seconds_per_level"]:.0f} s in one run, half through the gateway and half straight
to Rasa, each half with the same conversations: both see the same machine, and the difference of
their medians is the gateway's.

{table(LATENCY_COLUMNS, rows)}"""


LATENCY_COLUMNS = [
    "citizens", "target", "turns", "turns/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
    "gateway vs direct p50",
]  # fmt: skip


def load_section(result: dict[str, Any]) -> str:
    settings, levels = result["settings"], result["levels"]
    overheads = {citizens: overhead for citizens, overhead, _ in gateway_overheads(result)}
    latency = table(
        LATENCY_COLUMNS,
        [
            _latency_row(level, overheads.get(level["citizens"]) if level["target"] == "gateway" else None)
            for level in levels
        ],
    )  # fmt: skip
    names = [*result["peak_rss_mb_lifetime"], "load generator"]
    processes = table(
        ["citizens", "target"] + [f"{name} CPU / peak RSS" for name in names],
        [
            [level["citizens"], level["target"]]
            + [
                f"{level['processes'][n]['cpu_percent']:.0f}% / {level['processes'][n]['peak_rss_mb']:.0f} MB"
                if n in level["processes"]
                else "—"
                for n in names
            ]
            for level in levels
        ],
    )
    lifetime = ", ".join(f"{name} {mb:.0f} MB" for name, mb in result["peak_rss_mb_lifetime"].items())
    ready = result["startup"]["ready_seconds"]
    answered = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in ready.items())
    deviations = {f"{lv['target']}×{lv['citizens']}": lv["deviations"] for lv in levels if lv["deviations"]}
    mix = ", ".join(f"{s['name']} ({s['turns']})" for s in result["scripts"])
    low, high = settings["think_seconds"]
    return f"""## Speed: concurrent citizens

`bench/load/` starts the three processes with `scripts/run` (SQLite tracker store and gateway
database in the run's folder, in-memory lock store, the simulated ministries inside the gateway
with their default latency of {settings["simulated_ministry_latency_ms"]} ms ± 50% per call), then plays N
concurrent citizens (asyncio + httpx) for {settings["seconds_per_level"]:.0f} s per level and target: through
the gateway (`POST /api/v1/conversations/{{id}}/messages`), then the same conversations straight
to Rasa's REST channel (a new sender id per conversation). Straight to Rasa, the action server still
reaches the ministries through the gateway's service API: only the chat path differs.

- **Think time**: before each message a citizen waits uniformly {low:g}–{high:g} s (reading, typing);
  each starts after a random part of one think time. N citizens offer at most about
  N / {(low + high) / 2:g} turns per second.
- **Conversations** ({len(result["scripts"])}; each citizen plays them in turn from its own place; turns
  in brackets), from tests/e2e/test_services.py with the seed's personas: {mix}. The service flows
  call the simulated ministries; the info ones ask fees, requirements and office hours.
- **Errors**: HTTP errors, timeouts ({settings["request_timeout_seconds"]:g} s in the load generator; the
  gateway gives Rasa {settings["gateway_rasa_timeout_seconds"]:g} s) and the gateway's "assistant unavailable"
  reply. Latency percentiles are over all turns, errors included.
- Every script was played once through the gateway before measuring (warm-up and check); scripts
  that left their path: {result["warmup_problems"] or "none"}. Conversations that left their path under
  load (a button the script needed was missing): {deviations or "none"}.

{latency}

![latency by concurrency](img/bench-latency.png)

{_sequential_paragraph(result)}

{_mixed_paragraph(result)}

CPU (100% = one core; the machine has {result["machine"]["cpus"]}) and peak resident memory per process
and level:

{processes}

Peak resident memory over each process's whole life (model load included): {lifetime}.

![CPU and memory per process](img/bench-processes.png)

**Start-up** (all three start together and share the CPU), seconds from `scripts/run` until each
answered: {answered}. Rasa answers only once its model is loaded, so **model load time
≈ {ready["rasa"]:.0f} s**; its first reply then took {result["startup"]["first_reply_seconds"]:.2f} s."""


def components_table(training: dict[str, Any]) -> str:
    rows = []
    for c in training["components"]:
        if c["seconds"] < 1 and not c["epochs"]:
            continue
        projected, epochs = c.get("projected_seconds"), c["epochs"]
        rows.append([
            c["name"], epochs or "", f"{c['seconds']:.0f}",
            fmt(c.get("first_epoch_seconds"), 0) if epochs else "",
            fmt(c["seconds_per_epoch"], 1) if epochs else "",
            f"{projected:.0f} at {c['projected_epochs']}"
            if c["seconds_per_epoch"] is not None and c["projected_epochs"] not in (None, epochs) else "",
        ])  # fmt: skip
    return table(
        ["component", "epochs", "seconds", "first epoch s", "s / later epoch", "projected s at epochs"], rows
    )


def _resources(t: dict[str, Any]) -> str:
    cpu, memory = t["cpu_seconds"], t["peak_rss_mb"]
    return f"{minutes(t['wall_seconds'])} wall, {cpu:.0f} CPU seconds, peak memory {memory} MB"


def training_section(
    train: dict[str, Any] | None,
    nlu: dict[str, Any] | None,
    full_train: dict[str, Any] | None,
    full_nlu: dict[str, Any] | None,
) -> str:
    parts = [
        "## Training\n\n"
        "Each training starts with an empty Rasa cache. Our config trains at full length. A shortened\n"
        "training (Rasa's default pipeline here; ours with `BENCH_TRAIN_EPOCHS`) is projected to full\n"
        "length from its parts: set-up and first epoch (which includes TensorFlow's one-time graph\n"
        "tracing) as measured, the remaining epochs at the mean of the measured later epochs."
    ]
    for result, title in ((train, "this run"), (full_train, "`bench/run --full`")):
        if not result:
            continue
        length = "shortened" if result["shortened"] else "full length"
        warnings = stale(result["data_hash"], "data", "domain") + stale(result["config_hash"], "config.yml")
        projection = (
            f"; projected at the configured epochs: **{minutes(result['projected_full_seconds'])}**"
            if result["shortened"]
            else ""
        )
        parts.append(
            f"Our config (`rasa train`, NLU and dialogue), {title} of {result['measured_at'][:16]}, {length}"
            f"{warnings}: {_resources(result['training'])}{projection}.\n\n"
            + components_table(result["training"])
        )
    for result, title in ((nlu, "this run"), (full_nlu, "`bench/run --full`")):
        default = next((s for s in (result or {}).get("systems", []) if s["name"] == "default"), None)
        if result and default:
            parts.append(
                f"Rasa's default pipeline (`rasa train nlu`), {title} of {result['measured_at'][:16]}: "
                f"{_resources(default['training'])}.\n\n{components_table(default['training'])}"
            )
    return "\n\n".join(parts)


def header(reference: dict[str, Any], run: dict[str, Any] | None) -> str:
    m = reference["machine"]
    when = reference["measured_at"][:16].replace("T", " ")
    text = (
        "# Benchmarks\n\n"
        "Generated by `make bench` (`bench/run`, then `bench/report.py`) from the results in `var/bench/`;\n"
        "do not edit by hand (the findings near the end come from `bench/findings.md`).\n\n"
        f"Measured {when} on {m['cpus']} cores ({m['cpu']}) with {m['memory_gb']} GB; 1-minute load average\n"
        f"{m['load_average'][0]:.1f} when the last results were written."
    )
    if run:
        stages = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in run["stages"].items())
        text += f" This run took **{minutes(run['total_seconds'])}** ({stages})"
        if run.get("niceness"):
            text += f", under `nice -n {run['niceness']}` on a machine shared with other work"
            text += ": times are pessimistic"
        text += "."
    return text


def long_conversation_section(result: dict[str, Any]) -> str:
    rows = [
        [
            row["turns"],
            f"{row['p50_ms']:.0f}",
            f"{row['rasa_cpu_ms_per_turn']:.1f}",
            f"{row['actions_cpu_ms_per_turn']:.1f}",
            row["errors"],
            row["unanswered"],
        ]
        for row in result["buckets"]
    ]
    header_ = [
        "turns",
        "p50 ms",
        "Rasa CPU ms per turn",
        "action server CPU ms per turn",
        "errors",
        "unanswered",
    ]
    return (
        "## Speed: one long conversation\n\n"
        f"`bench/long_conversation.py`: one citizen holds one conversation of {result['turns']} turns "
        "straight to Rasa's REST channel, without think time, in one Rasa session, on the stack above. "
        f"The {len(result['cycle'])} messages of its cycle ask for information, start a form and cancel it, "
        f"and make small talk. Per bucket of {result['bucket']} turns: the median latency, and CPU time per "
        "turn of the Rasa server and the action server (from /proc; ticks of 10 ms, so a mean). The "
        "tracker store reads a snapshot and a window of the latest turns (bot/tracker_window.py), so a "
        "turn's work does not grow with the conversation.\n\n" + table(header_, rows)
    )


HOW_TO_RERUN = """## How to rerun

```sh
make bench                  # all of it, about 15 minutes: var/bench/*.json, this page, docs/img/bench-*.png
bench/run --full            # full-length trainings (our config; Rasa's default pipeline at 100 epochs)
bench/nlu-dev-split CONFIG  # compare NLU configs on a dev split of the training data
.venv/rasa/bin/python -m bench.fallback_sweep MODEL  # fallback thresholds on that dev split
bench/profile-training      # py-spy profile of an NLU training (needs py-spy in .venv/rasa)
.venv/api/bin/python -m bench.gateway_cost [--rasa-ms 30]  # the gateway's own time per message
.venv/api/bin/python -m bench.load.compare [REF]  # this gateway, REF's and a bare forwarder on one stack
.venv/api/bin/python -m bench.long_conversation [--turns 600]  # cost per turn by conversation length
.venv/api/bin/python -m bench.capacity [--levels 25,50]  # turns/s of `make cluster` at p95 <= 300 ms
```

Settings (environment): `MODEL` (default `models/asisten-warga.tar.gz`), `BENCH_LEVELS` (`10,50`; one
citizen is the sequential run), `BENCH_MIXED` (`50`), `BENCH_LOAD_SECONDS` (`40`),
`BENCH_THINK` (`2-6`), `BENCH_TRAIN_EPOCHS` (`0`: as configured),
`BENCH_DEFAULT_EPOCHS` (`3`), `BENCH_LONG_TURNS` (`600`), `BENCH_CAPACITY_LEVELS`
(`25,50,75,100,150,200,300`); see `bench/run`."""


def main() -> int:
    nlu, train, load_result, run = (load(RESULTS, name) for name in ("nlu", "train", "load", "run"))
    full_nlu, full_train = (load(RESULTS / "full", name) for name in ("nlu", "train"))
    reference = load_result or nlu or train
    if reference is None:
        raise SystemExit("no results in var/bench/: run bench/run first")
    IMAGES.mkdir(parents=True, exist_ok=True)
    if nlu:
        plot_confusion(next(s for s in nlu["systems"] if s["name"] == "ours"), IMAGES / "bench-confusion.png")
    if load_result:
        levels = load_result["levels"]
        if not any(level["citizens"] == 1 for level in levels):  # one citizen: the sequential run
            levels = load_result.get("sequential", []) + levels
        plot_latency(levels, IMAGES / "bench-latency.png")
        plot_processes(load_result, IMAGES / "bench-processes.png")
    long_result = load(RESULTS, "long_conversation")
    sections = [
        header(reference, run),
        targets_section(
            load_result, training_seconds(train, full_train), long_result, load(RESULTS, "capacity")
        ),
    ]
    if nlu:
        sections.append(nlu_section(nlu, full_nlu))
    if load_result:
        sections.append(load_section(load_result))
    if long_result:
        sections.append(long_conversation_section(long_result))
    sections.append(training_section(train, nlu, full_train, full_nlu))
    if FINDINGS.exists():
        sections.append(FINDINGS.read_text().strip())
    sections.append(HOW_TO_RERUN)
    DOC.write_text("\n\n".join(sections) + "\n")
    print(f"report: wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
