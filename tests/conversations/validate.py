"""`python -m tests.conversations.validate PATH ...`: check conversation files without playing them.

Prints every format or placeholder problem (exit 1), or the number of conversations per service
and per class (exit 0)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from tests.conversations.harness import load_checked, paths_of
from tests.conversations.model import CLASSES, FormatError


def main(argv: list[str] | None = None) -> int:
    arguments = [Path(arg).resolve() for arg in (argv if argv is not None else sys.argv[1:])]
    paths = paths_of(arguments)
    if not paths:
        print("no conversation files given", file=sys.stderr)
        return 2
    try:
        conversations = load_checked(paths)
    except FormatError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{len(conversations)} conversations, all valid")
    for name, count in sorted(Counter(c.service for c in conversations).items()):
        print(f"  service {name}: {count}")
    classes = Counter(name for c in conversations for name in c.classes)
    for name in sorted(CLASSES):
        print(f"  class {name}: {classes.get(name, 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
