"""Outcome counts of the fuzz run: ``python -m tests.fuzz.report [--room R] [--defects]``.

Prints, per room, the number of outcomes in every class (``valid``, ``clear_error`` and the
defect classes) and with ``--defects`` every defect outcome.  Run from the checkout root.
"""

import argparse
import time

from tests.fuzz import cases as C
from tests.fuzz.harness import CLASSES, DEFECTS, ROOMS, public_names, room_of, run_case, summarize


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--room", action="append", choices=ROOMS)
    ap.add_argument("--case", help="substring of case names to run")
    ap.add_argument("--defects", action="store_true", help="list every defect outcome")
    args = ap.parse_args(argv)
    rooms = args.room or list(ROOMS)
    names = public_names()
    header = f"{'room':20s} {'names':>5s} {'cases':>5s} " + " ".join(f"{c[:9]:>9s}" for c in CLASSES)
    print(header)
    total = dict.fromkeys(CLASSES, 0)
    defects = []
    t0 = time.perf_counter()
    for room in rooms:
        cases, exempt = C.load(room)
        if args.case:
            cases = [c for c in cases if args.case in c.name]
        outcomes = []
        for case in cases:
            try:
                outcomes += run_case(case)
            except AssertionError as exc:
                print(f"  broken case {case.name}: {exc}")
        counts = summarize(outcomes)
        for k in CLASSES:
            total[k] += counts[k]
        n = sum(room_of(x) == room for x in names)
        print(f"{room:20s} {n:5d} {len(cases):5d} " + " ".join(f"{counts[c]:9d}" for c in CLASSES),
              flush=True)
        defects += [o for o in outcomes if o.kind in DEFECTS]
    print(f"{'total':20s} {len(names):5d} {'':5s} " + " ".join(f"{total[c]:9d}" for c in CLASSES))
    print(f"({time.perf_counter() - t0:.1f} s)")
    if args.defects:
        for o in defects:
            print(o)


if __name__ == "__main__":
    main()
