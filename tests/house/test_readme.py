"""Every ``python`` snippet of the README runs as pasted, in a fresh namespace.

A snippet is a fenced block opened by three backticks and ``python``; each is executed on its
own (no names carried over from an earlier block), with matplotlib's Agg backend, in a
temporary working directory, and must finish without an exception.  Figures are closed
afterwards.  This keeps the README's examples from rotting.
"""

import pathlib
import re
import warnings

import pytest

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_readme_has_snippets():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("i", range(len(BLOCKS)), ids=[f"block{i + 1}" for i in
                                                        range(len(BLOCKS))])
def test_readme_snippet_runs(i, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    code = compile(BLOCKS[i], f"README.md block {i + 1}", "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a snippet may show a ConvergenceWarning on purpose
        exec(code, {"__name__": "__readme__"})
    plt.close("all")


def test_theorem_table_is_the_registry():
    """The README's table of registered theorems is generated (tools/readme_theorems.py): it
    lists every registered theorem, with its statement and source as recorded."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_theorems",
                                                  README.parent / "tools" / "readme_theorems.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = README.read_text(encoding="utf-8")
    assert mod.render(text) == text, "README theorem table is stale: python tools/readme_theorems.py"
