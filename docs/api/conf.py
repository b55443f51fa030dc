"""Sphinx configuration of graphemb's API reference (built from the numpydoc docstrings).

Build: ``pip install ".[docs]" && sphinx-build -W --keep-going -b html docs/api docs/api/_build``
(``.ci/run`` does this with warnings as errors).
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import graphemb  # noqa: E402

project = "graphemb"
author = "graphemb developers"
release = version = graphemb.__version__
extensions = ["sphinx.ext.autodoc", "numpydoc"]
autodoc_typehints = "none"  # numpydoc sections already give the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
