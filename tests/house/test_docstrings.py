"""Every exported name has a numpydoc docstring with the sections that must exist.

Checked with numpydoc's own validator (``numpydoc.validate.validate``):

- functions: a docstring (GL08), every parameter documented (PR01), no documented parameter
  that does not exist (PR02: catches names left behind by a rename), a Returns section (RT01);
- classes: a docstring, and their fields documented as Parameters (PR01/PR02 clean) or listed
  in an Attributes section (the result dataclasses document their fields as attributes).
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate

from equilibria._lib.rooms import ROOMS

FUNCTION_CODES = ("GL08", "PR01", "PR02", "RT01")


def _exported():
    for room in ROOMS:
        mod = importlib.import_module(room.package)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{room.package}.{name}", obj


EXPORTED = list(_exported())


def test_rooms_export_something():
    assert len(EXPORTED) > 150


@pytest.mark.parametrize("qualname,obj", EXPORTED, ids=[q for q, _ in EXPORTED])
def test_numpydoc_sections(qualname, obj):
    errors = dict(validate(qualname)["errors"])
    if inspect.isfunction(obj):
        bad = {c: errors[c] for c in FUNCTION_CODES if c in errors}
        if "RT01" in bad and inspect.isgeneratorfunction(obj):
            bad.pop("RT01")
    else:
        bad = {c: errors[c] for c in ("GL08", "PR02") if c in errors}
        if "PR01" in errors and not ClassDoc(obj)["Attributes"] and not ClassDoc(obj)["Parameters"]:
            bad["PR01"] = errors["PR01"]
    assert not bad, f"{qualname}: " + "; ".join(f"{c}: {m}" for c, m in bad.items())
