"""`python -m simulators.seed --sample [persona ...]`: personas from the seed as JSON.
`--summary` prints counts of the population instead."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from simulators.seed import all_personas, population, sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.seed", description=__doc__)
    parser.add_argument("--sample", nargs="*", metavar="PERSONA", help="personas to print (default: all)")
    parser.add_argument("--summary", action="store_true", help="counts of citizens, families, provinces")
    args = parser.parse_args(argv)
    if args.summary:
        pop = population()
        summary = {
            "citizens": len(pop.citizens),
            "families": len(pop.families),
            "provinces": len({c.address.province_code for c in pop.citizens}),
            "districts": len({c.address.district_code for c in pop.citizens}),
            "by_province": dict(Counter(c.address.province for c in pop.citizens).most_common()),
        }
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    elif args.sample is not None:
        names = args.sample or list(all_personas())
        json.dump([sample(name) for name in names], sys.stdout, ensure_ascii=False, indent=2)
    else:
        parser.print_help()
        return 2
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
