"""Data flows one way: every graphemb module imports only from steps above it (ARCHITECTURE.md).

The steps, from the top of the data flow down::

    utilities (_rng, _validation, _memory)
    graph  ->  corpus  ->  walks | sgns | shards (siblings)  ->  embedding  ->  evaluation
    ->  datasets, models  ->  experiments  ->  cli  ->  __main__, package __init__

A module may import from its own unit (package or module) and from units of an
earlier step, never from a later step or a sibling.  Numba kernel modules
(``_kernels.py``) import nothing of graphemb but ``graphemb._rng``.  The test
reads the source with ``ast`` (imports inside functions included); it imports
nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphemb"

# unit -> step; a unit is a top-level module or sub-package of graphemb
STEPS = {
    "graphemb._rng": 0,
    "graphemb._validation": 0,
    "graphemb._memory": 0,
    "graphemb.graph": 1,
    "graphemb.graphs": 2,  # public facade over graph/knn.py (image-similarity graphs)
    "graphemb.corpus": 2,
    "graphemb.walks": 3,
    "graphemb.sgns": 3,
    "graphemb.shards": 3,  # walk directories on disk (graph fingerprint + corpus); sibling of walks and sgns
    "graphemb.embedding": 4,
    "graphemb.evaluation": 5,
    "graphemb.distributed": 5,  # Dask executors over walks and sgns; models and cli use them
    "graphemb.datasets": 6,
    "graphemb.models": 6,
    "graphemb.experiments": 7,
    "graphemb.cli": 8,
    "graphemb.__main__": 9,
    "graphemb": 9,
}
# Imports the step order would allow but the design forbids.
FORBIDDEN = {
    ("graphemb.sgns", "graphemb.graph"): "the trainer never sees a graph (ARCHITECTURE.md)",
}
# Known deviations, each with its reason; keep this list short and shrinking.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()  # none left: read_labels moved to graph/io.py


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imported_modules(path: Path) -> set[str]:
    """graphemb modules imported anywhere in ``path`` (relative imports resolved)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "graphemb")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "graphemb":
                continue
            names = [alias.name for alias in node.names]
            if target == "graphemb" and names == ["__version__"]:
                continue  # the version string carries no dependency
            if not node.module and node.level:
                found.update(f"{target}.{name}" for name in names)  # from . import walks
            else:
                found.add(target)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))
EXISTING_UNITS = {unit_of(module_name(p)) for p in SOURCES}


def test_every_module_has_a_step():
    missing = sorted(EXISTING_UNITS - set(STEPS))
    assert not missing, f"add these units to STEPS in tests/test_architecture.py: {missing}"


@pytest.mark.parametrize("path", SOURCES, ids=[module_name(p) for p in SOURCES])
def test_imports_flow_one_way(path):
    module = module_name(path)
    unit = unit_of(module)
    if unit not in STEPS:
        pytest.skip(f"{unit} has no step (see test_every_module_has_a_step)")
    bad = []
    for target in sorted(imported_modules(path)):
        target_unit = unit_of(target)
        if target_unit == unit or (module, target_unit) in KNOWN_EXCEPTIONS:
            continue
        if target_unit not in EXISTING_UNITS:
            continue  # a guarded import of a module that does not exist (yet): nothing to check
        if path.name == "_kernels.py":
            if target != "graphemb._rng":
                bad.append(f"{target} (kernels import nothing of graphemb but graphemb._rng)")
            continue
        if (unit, target_unit) in FORBIDDEN:
            bad.append(f"{target} ({FORBIDDEN[unit, target_unit]})")
        elif target_unit not in STEPS or STEPS[target_unit] >= STEPS[unit]:
            bad.append(f"{target} (step {STEPS.get(target_unit)} is not above {unit}'s step {STEPS[unit]})")
    assert not bad, f"{module} imports against the data flow: {bad}"


def test_kernel_modules_only_use_rng():
    kernels = [p for p in SOURCES if p.name == "_kernels.py"]
    assert kernels, "no kernel modules found"
    for path in kernels:
        others = imported_modules(path) - {"graphemb._rng"}
        assert not others, f"{module_name(path)} imports {sorted(others)}"


def test_checker_catches_violations(tmp_path, monkeypatch):
    """The resolver sees relative, absolute and function-level imports."""
    fake = PACKAGE / "walks" / "walker.py"
    source = "def f():\n    from ..sgns import SGNS\nimport graphemb.embedding\nfrom . import _kernels\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert imported_modules(fake) == {"graphemb.sgns", "graphemb.embedding", "graphemb.walks._kernels"}
