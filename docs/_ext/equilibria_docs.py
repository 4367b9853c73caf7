"""Sphinx directives that read the package at build time, so the pages cannot drift from it.

``.. equilibria-api:: equilibria.solvers.online``
    The API reference of a room: an autosummary table of every name in the module's
    ``__all__``, then the autodoc entry of each (classes with their public members).

``.. equilibria-theorems:: equilibria.solvers.online``
    The theorems the room registers, read from
    :func:`equilibria.verification.registry.load_all`: name, kind, statement and source.
"""

from __future__ import annotations

import importlib
import inspect

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


#: the API pages, in the order of the table of contents: a name exported by several rooms
#: (``Simplex`` by the online learning and the dynamics rooms) is indexed on the first page
#: that exports it and documented with ``:no-index:`` on the others
API_MODULES = ("equilibria.theory", "equilibria.solvers.online", "equilibria.solvers.ot",
               "equilibria.solvers.constrained", "equilibria.solvers.games",
               "equilibria.solvers.policy", "equilibria.odes", "equilibria.bandits",
               "equilibria.verification", "equilibria.testing")


def _home(obj) -> str | None:
    """The first API module exporting ``obj`` (the page that indexes it)."""
    for modname in API_MODULES:
        mod = importlib.import_module(modname)
        if any(getattr(mod, n, None) is obj for n in getattr(mod, "__all__", [])):
            return modname
    return None


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


class ApiDirective(SphinxDirective):
    """Autosummary table plus autodoc entries for every name in a module's ``__all__``."""

    required_arguments = 1
    option_spec = {"exclude": directives.unchanged}

    def run(self):
        modname = self.arguments[0]
        mod = importlib.import_module(modname)
        exclude = set((self.options.get("exclude") or "").split())
        names = [n for n in getattr(mod, "__all__", []) if n not in exclude]
        lines = [f".. currentmodule:: {modname}", "", ".. autosummary::", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
        for name in names:
            obj = getattr(mod, name)
            kind = _kind(obj)
            home = _home(obj)
            extra = [] if home in (None, modname) else ["   :no-index:"]
            if kind == "class":
                lines += [f".. autoclass:: {name}", "   :members:", "   :show-inheritance:",
                          *extra, ""]
            elif kind == "function":
                lines += [f".. autofunction:: {name}", *extra, ""]
            else:
                lines += [f".. autodata:: {name}", "   :no-value:", *extra, ""]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<equilibria-api {modname}>"),
                                self.content_offset, node)
        return node.children


def _room_of(thm) -> str:
    """The room package of the module that declared ``thm`` (``...games.cournot_theorems``
    belongs to ``...games``)."""
    fn = thm.evaluate or thm.experiment or thm.sample
    module = getattr(fn, "__module__", "") or ""
    for modname in API_MODULES:
        if module == modname or module.startswith(modname + "."):
            return modname
    return module.rsplit(".", 1)[0]


class TheoremsDirective(SphinxDirective):
    """The registered theorems of one room, as a definition list."""

    required_arguments = 1

    def run(self):
        from equilibria.verification import registry

        room = self.arguments[0]
        found = sorted((t for t in registry.load_all().values() if _room_of(t) == room),
                       key=lambda t: t.name)
        if not found:
            raise self.error(f"no registered theorem belongs to {room!r}")
        intro = nodes.paragraph(text=f"{len(found)} theorems, read from the registry when "
                                "these pages were built (equilibria verify --list prints the "
                                "same records).")
        dl = nodes.definition_list()
        for thm in found:
            item = nodes.definition_list_item()
            term = nodes.term()
            term += nodes.literal(text=thm.name)
            term += nodes.Text(f"  ({thm.kind})")
            if thm.accepts_algorithm:
                term += nodes.Text(", takes algorithm=")
            item += term
            body = nodes.definition()
            body += nodes.paragraph(text=thm.statement)
            src = nodes.paragraph()
            src += nodes.emphasis(text="Source: ")
            src += nodes.Text(thm.source)
            body += src
            if thm.protocol:
                proto = nodes.paragraph()
                proto += nodes.emphasis(text="Protocol: ")
                proto += nodes.literal(text=thm.protocol)
                body += proto
            item += body
            dl += item
        return [intro, dl]


def setup(app):
    app.add_directive("equilibria-api", ApiDirective)
    app.add_directive("equilibria-theorems", TheoremsDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
