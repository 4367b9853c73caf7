"""The dependency rule of the house, read from every module's imports (ast).

Order: ``_lib`` <- ``theory`` <- ``verification`` <- {``solvers.*``, ``odes``, ``bandits``} <-
the command line.  A module may import

- anything of its own unit;
- a lower unit: its package or a public (non-underscore) submodule; ``_lib`` is private to
  the package and importable in full by every unit;
- a sibling unit (same level) only through its public ``__init__``: ``from equilibria.bandits
  import X``, never ``equilibria.bandits.policies`` or ``equilibria.bandits._kernels``.

Upward imports are breaches, including imports deferred into a function body.
"""

from __future__ import annotations

import ast
import pathlib

import equilibria

PKG = pathlib.Path(equilibria.__file__).resolve().parent

#: unit -> level; the longest matching prefix names a module's unit
LEVELS = {
    "equilibria._lib": 0,
    "equilibria.theory": 1,
    "equilibria.verification": 2,
    "equilibria.solvers.online": 3,
    "equilibria.solvers.ot": 3,
    "equilibria.solvers.constrained": 3,
    "equilibria.solvers.games": 3,
    "equilibria.solvers.policy": 3,
    "equilibria.solvers.sketch": 3,
    "equilibria.odes": 3,
    "equilibria.bandits": 3,
    "equilibria.solvers": 4,  # the namespace package re-exporting its rooms
    "equilibria": 5,  # version and the command line
}


def unit_of(modname: str) -> str | None:
    best = None
    for unit in LEVELS:
        if modname == unit or modname.startswith(unit + "."):
            if best is None or len(unit) > len(best):
                best = unit
    return best


def module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: pathlib.Path):
    """Yield ``(lineno, imported module name)`` for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = module_name(path)
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = me.split(".")
                if not is_pkg:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from pkg import sub` imports the submodule when `sub` is one
            for alias in node.names:
                cand = f"{target}.{alias.name}"
                sub = PKG.parent.joinpath(*cand.split("."))
                if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists():
                    yield node.lineno, cand
                else:
                    yield node.lineno, target


def breach(importer: str, target: str) -> str | None:
    """Why ``importer`` may not import ``target`` (None when it may)."""
    if not (target == "equilibria" or target.startswith("equilibria.")):
        return None
    u, v = unit_of(importer), unit_of(target)
    if u == v:
        return None
    lu, lv = LEVELS[u], LEVELS[v]
    rest = target[len(v):].lstrip(".")
    if lv > lu:
        return f"upward import: {u} (level {lu}) imports {v} (level {lv})"
    if lv == lu:
        if rest:
            return f"sibling {v} imported through {target}, not through its public __init__"
        return None
    if v != "equilibria._lib" and any(part.startswith("_") for part in rest.split(".") if part):
        return f"private module {target} of the lower unit {v}"
    return None


def test_every_unit_is_a_real_package():
    for unit in LEVELS:
        assert PKG.parent.joinpath(*unit.split("."), "__init__.py").exists(), unit


def test_no_import_breaks_the_dependency_rule():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        me = module_name(path)
        for lineno, target in imports_of(path):
            why = breach(me, target)
            if why:
                found.append(f"{path.relative_to(PKG.parent)}:{lineno}: import {target}: {why}")
    assert not found, "dependency rule breached:\n" + "\n".join(found)


def test_rule_detects_breaches():
    # the checker itself must be able to fail
    assert breach("equilibria.theory.symbolic", "equilibria.odes._kernels")
    assert breach("equilibria.bandits._kernels", "equilibria.solvers.online._kernels")
    assert breach("equilibria.bandits._kernels", "equilibria.solvers.online.algorithms")
    assert breach("equilibria._lib.result", "equilibria.verification")
    assert breach("equilibria.odes.analysis", "equilibria.theory._private")
    assert breach("equilibria.bandits", "equilibria.solvers.online") is None
    assert breach("equilibria.odes.model", "equilibria.theory.stability") is None
    assert breach("equilibria.odes.model", "equilibria._lib.jit") is None
