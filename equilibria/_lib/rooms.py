"""The one table of rooms, read by the command line and by the theorem registry.

Each room is a sub-package of :mod:`equilibria`.  A room with ``theorems=True`` has a
``theorems`` module that registers its statements; a room with ``cli=True`` has a ``cli``
module defining ``add_commands(subparsers)``.  Adding a room means adding one line here.

Nothing here imports a room: the table holds module names only, so it sits at the bottom of
the dependency order (``_lib`` <- ``theory`` <- ``verification`` <- rooms) and both the CLI and
:mod:`equilibria.verification` may read it.  A listed module that fails to import is an error
with its traceback, never a silently missing sub-command or theorem.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Room", "ROOMS", "theorem_modules", "cli_modules"]


@dataclasses.dataclass(frozen=True)
class Room:
    """One room of the package.

    Parameters
    ----------
    package : str
        Dotted module name of the room's package, e.g. ``"equilibria.solvers.ot"``.
    theorems : bool
        Whether ``<package>.theorems`` registers theorems.
    cli : bool
        Whether ``<package>.cli`` contributes sub-commands.
    """

    package: str
    theorems: bool = False
    cli: bool = False


#: every room, in dependency order
ROOMS: tuple[Room, ...] = (
    Room("equilibria.theory"),
    Room("equilibria.verification"),
    Room("equilibria.solvers.online", theorems=True),
    Room("equilibria.solvers.ot", theorems=True),
    Room("equilibria.solvers.constrained", theorems=True),
    Room("equilibria.solvers.games", theorems=True),
    Room("equilibria.solvers.policy", theorems=True, cli=True),
    Room("equilibria.solvers.sketch", theorems=True),
    Room("equilibria.odes", theorems=True, cli=True),
    Room("equilibria.bandits", theorems=True, cli=True),
)


def theorem_modules() -> list[str]:
    """Dotted names of the rooms' ``theorems`` modules.

    Returns
    -------
    list of str
        One ``<package>.theorems`` per room that registers theorems.
    """
    return [f"{r.package}.theorems" for r in ROOMS if r.theorems]


def cli_modules() -> list[str]:
    """Dotted names of the rooms' ``cli`` modules.

    Returns
    -------
    list of str
        One ``<package>.cli`` per room that contributes sub-commands.
    """
    return [f"{r.package}.cli" for r in ROOMS if r.cli]
