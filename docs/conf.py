"""Sphinx configuration of the equilibria documentation.

Build (from the repository root)::

    python -m sphinx -W -b html docs docs/_build/html

The API pages and the lists of theorems are generated at build time from the package itself
(``_ext/equilibria_docs.py``); the gallery and the tutorials are the scripts in
``examples/gallery`` and ``examples/tutorials``, executed by sphinx-gallery on every build.
"""

from __future__ import annotations

import os
import pathlib
import sys
import warnings

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import equilibria  # noqa: E402

project = "equilibria"
author = "equilibria developers"
copyright = "2026, equilibria developers"
release = equilibria.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "equilibria_docs",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path: list[str] = []

# -- autodoc / numpydoc -------------------------------------------------------------------
autosummary_generate = False          # the tables link to entries on the same page
autodoc_typehints = "none"            # numpydoc's Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False   # autodoc :members: lists them once
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False

# -- sphinx-gallery -----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples/gallery", "../examples/tutorials"],
    "gallery_dirs": ["auto_examples", "auto_tutorials"],
    "filename_pattern": r"/plot_",          # run every plot_*.py
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "min_reported_time": 1,
}
# the example scripts emit ConvergenceWarning / tqdm warnings on purpose at times; they are
# printed in the gallery output, not raised
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
warnings.filterwarnings("ignore", message="FigureCanvasAgg is non-interactive")

# -- HTML ---------------------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
except ImportError:  # pragma: no cover - fall back to the default theme
    html_theme = "alabaster"
html_title = f"equilibria {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
