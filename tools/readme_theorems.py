"""Regenerate the README's table of registered theorems from the registry.

``python tools/readme_theorems.py`` rewrites the rows between the table header
``| theorem | kind | statement | source |`` and the next blank line of README.md;
``--check`` exits 1 when the README's table differs from the registry's (the house test runs
the same comparison).
"""

from __future__ import annotations

import argparse
import pathlib
import sys

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
HEADER = "| theorem | kind | statement | source |"


def _cut(text: str, n: int) -> str:
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def rows() -> list[str]:
    """One markdown row per registered theorem, sorted by name."""
    from equilibria.verification.registry import load_all

    out = []
    for name, thm in sorted(load_all().items()):
        out.append(f"| `{name}` | {thm.kind} | {_cut(thm.statement, 160)} | "
                   f"{_cut(thm.source, 90)} |")
    return out


def render(text: str) -> str:
    """``text`` (the README) with its theorem table replaced by :func:`rows`."""
    lines = text.split("\n")
    start = lines.index(HEADER)
    end = start + 2
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[: start + 2] + rows() + lines[end:])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = p.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    print(f"wrote {len(rows())} theorem rows to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
