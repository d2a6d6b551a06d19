"""`python -m bench.profile_summary STACKS.txt`: where a py-spy profile's time goes.

Reads py-spy's collapsed stacks (`--format raw`: "frame;frame;... count") and prints the
share of samples per TensorFlow kernel (the deepest `tensorflow::...Op` frame), per function
of Rasa (the deepest frame in rasa/), and per leaf frame.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

KERNEL = re.compile(r"tensorflow::(?:functor::)?([A-Za-z0-9_]+Op)\b")
RASA = re.compile(r"^(\S+) \((?:.*/)?(rasa/[^:)]+)")
TOP = 15


def attribute(stacks: list[tuple[list[str], int]]) -> dict[str, Counter[str]]:
    kernels, rasa, leaves = Counter(), Counter(), Counter()
    for frames, count in stacks:
        kernel = next((m[1] for f in reversed(frames) if (m := KERNEL.search(f))), "(no TensorFlow kernel)")
        function = next(
            (f"{m[2]}:{m[1]}" for f in reversed(frames) if (m := RASA.match(f))), "(outside rasa/)"
        )
        kernels[kernel] += count
        rasa[function] += count
        leaves[frames[-1][:120]] += count
    return {"TensorFlow kernel": kernels, "Rasa function (deepest)": rasa, "leaf frame": leaves}


def main(path: str) -> int:
    stacks = []
    for line in Path(path).read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    total = sum(count for _, count in stacks)
    print(f"{total} samples")
    for title, counter in attribute(stacks).items():
        print(f"\n| {title} | share |\n|---|---|")
        for name, count in counter.most_common(TOP):
            print(f"| `{name}` | {100 * count / total:.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
