"""Ratio regression: each room theorem's worst ratio in the seeded quick run, stored and compared.

Seeded runs are deterministic, so a theorem's worst ``measured / bound`` ratio (rate theorems:
the confidence interval's distance from the band's centre in half-widths) in
``verify(quick=True, seed=0)`` is a fingerprint of its bound and of the implementation it
measures.  The stored file (``tests/verification/quick_ratios.json`` in the checkout) maps each
theorem name to that ratio; ``tests/verification/test_ratio_regression.py`` recomputes them and
fails when one moves by more than a factor of 2 (or a theorem appears or disappears) while the
file stays the same, so a change of bound or algorithm that moves a ratio has to update the file
in the same commit::

    python -m equilibria.verification.ratios            # compare, exit 1 and list what moved
    python -m equilibria.verification.ratios --update   # rewrite the file from this checkout
    python -m equilibria.verification.ratios --only 'ot.*'   # one room (e.g. in mutation runs)

Ratios are compared on a log scale after clipping to ``[FLOOR, CAP]`` = ``[1e-6, 1e6]``: a
ratio of 0 (a property whose bound is 0 and whose violation is <= 0), a negative one and any
ratio below 1e-6 compare equal to each other (all "far below the bound"); ``inf`` (a failure)
compares equal only to ratios above 1e6; NaN (the experiment raised) equals only NaN.
Only the rooms' theorems (the table of rooms) take part, never a user's.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import pathlib
import sys

from equilibria._lib.rooms import theorem_modules
from equilibria._lib.validation import check_scalar

from .registry import _origin, load_all, verify

__all__ = ["FLOOR", "CAP", "FACTOR", "DEFAULT_FILE", "compute", "compare", "read", "write",
           "main"]

#: ratios below this (zero and negative included) compare equal
FLOOR = 1e-6
#: ratios above this (inf included) compare equal
CAP = 1e6
#: largest admissible change of a ratio, as a factor either way
FACTOR = 2.0
#: the stored file in a checkout (``tests/`` is not installed with the package)
DEFAULT_FILE = (pathlib.Path(__file__).resolve().parents[2] / "tests" / "verification"
                / "quick_ratios.json")


def room_theorem_names() -> list[str]:
    """Sorted names of the theorems registered by the rooms (their ``theorems`` modules and
    the modules of the room's package those import, e.g. ``games.cournot_theorems``)."""
    packages = tuple(m.rsplit(".", 1)[0] + "." for m in theorem_modules())
    return sorted(n for n, t in load_all().items()
                  if (_origin(t) or "").startswith(packages))


def compute(*, seed: int = 0, executor=None, only=None) -> dict[str, float]:
    """Worst ratio per room theorem in the quick run with master seed ``seed``.

    Parameters
    ----------
    only : str, optional
        An fnmatch pattern (``"bandits.*"``) restricting the room theorems computed.
    seed : int
        Master seed of :func:`~.registry.verify` (the stored file uses 0).
    executor : concurrent.futures.Executor, optional
        Passed to :func:`~.registry.verify`; the ratios do not depend on it.

    Returns
    -------
    dict of str to float
        Theorem name -> ``Outcome.ratio`` (``inf`` for a failure, NaN for an error).
    """
    names = room_theorem_names()
    if only is not None:
        names = [n for n in names if fnmatch.fnmatchcase(n, only)]
        if not names:
            raise ValueError(f"`only`={only!r} matches no room theorem")
    report = verify(names, quick=True, seed=seed, executor=executor)
    return {r.name: float(r.ratio) for r in report.rows if r.name in set(names)}


def _clip_log(r: float) -> float:
    if math.isnan(r):
        return math.nan
    return math.log(min(max(r, FLOOR), CAP))


def compare(stored: dict, current: dict, *, factor: float = FACTOR) -> list[str]:
    """What moved between two ratio tables, one readable line per difference.

    Parameters
    ----------
    stored, current : dict of str to float
        Theorem name -> ratio.
    factor : float
        Admissible change either way (finite, ``> 1``), on ratios clipped to
        ``[FLOOR, CAP]``.

    Returns
    -------
    list of str
        Empty when nothing moved by more than ``factor`` and the names agree.
    """
    factor = check_scalar(factor, "factor", lo=1.0, lo_inclusive=False)
    out = []
    for name in sorted(set(stored) | set(current)):
        if name not in current:
            out.append(f"{name}: stored ({stored[name]:.4g}) but no longer registered")
            continue
        if name not in stored:
            out.append(f"{name}: new theorem (ratio {current[name]:.4g}) not in the stored file")
            continue
        a, b = _clip_log(float(stored[name])), _clip_log(float(current[name]))
        if math.isnan(a) and math.isnan(b):
            continue
        if math.isnan(a) or math.isnan(b) or abs(a - b) > math.log(factor) + 1e-12:
            out.append(f"{name}: ratio {float(stored[name]):.4g} -> {float(current[name]):.4g} "
                       f"(moved by more than a factor of {factor:g})")
    return out


def _encode(r: float):
    return r if math.isfinite(r) else str(r)  # "inf", "nan": strict JSON


def read(path=DEFAULT_FILE) -> dict[str, float]:
    """The stored table (name -> ratio) of the file at ``path``.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`write`.

    Returns
    -------
    dict of str to float
    """
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data["ratios"].items()}


def write(ratios: dict, path=DEFAULT_FILE, *, seed: int = 0) -> None:
    """Write ``ratios`` (name -> ratio) to ``path`` with the seed and the comparison rule.

    Parameters
    ----------
    ratios : dict of str to float
    path : str or path-like
    seed : int
        The master seed the ratios were computed with.

    Returns
    -------
    None
    """
    data = {"about": "worst ratio of each room theorem in `verify(quick=True, seed=0)`; "
                     "regenerate with `python -m equilibria.verification.ratios --update`",
            "seed": seed, "factor": FACTOR, "floor": FLOOR, "cap": CAP,
            "ratios": {k: _encode(float(ratios[k])) for k in sorted(ratios)}}
    pathlib.Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    """``python -m equilibria.verification.ratios [--update] [--file PATH] [--jobs N]
    [--only PATTERN]``.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when the stored file matches (or was updated), 1 when ratios moved.
    """
    parser = argparse.ArgumentParser(prog="python -m equilibria.verification.ratios",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the stored file")
    parser.add_argument("--file", default=str(DEFAULT_FILE), help="the stored ratio file")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (1: serial)")
    parser.add_argument("--only", metavar="PATTERN",
                        help="compare only the theorems matching this glob (e.g. 'ot.*'); "
                             "not with --update")
    args = parser.parse_args(argv)
    if args.only and args.update:
        parser.error("--update rewrites the whole file; drop --only")
    executor = None
    if args.jobs > 1:
        import concurrent.futures as cf

        executor = cf.ProcessPoolExecutor(max_workers=args.jobs)
    try:
        current = compute(seed=0, executor=executor, only=args.only)
    except ValueError as exc:
        parser.error(str(exc))
    finally:
        if executor is not None:
            executor.shutdown()
    if args.update:
        write(current, args.file)
        print(f"wrote {len(current)} ratios to {args.file}")
        return 0
    stored = read(args.file)
    if args.only:
        stored = {k: v for k, v in stored.items() if fnmatch.fnmatchcase(k, args.only)}
    moved = compare(stored, current)
    for line in moved:
        print(line)
    print(f"{len(moved)} of {len(current)} theorems moved" if moved else
          f"all {len(current)} ratios within a factor of {FACTOR:g} of {args.file}")
    return 1 if moved else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
