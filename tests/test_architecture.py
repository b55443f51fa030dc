"""Data flows one way: every graphemb module imports only from steps above it (docs/architecture.md).

The steps, from the top of the data flow down::

    _validation  ->  utilities (_rng, _memory, _atomic, _lazy, plotting)  ->  _params  ->  _estimator
    ->  graph  ->  corpus  ->  walks | sgns | shards (siblings)  ->  embedding
    ->  evaluation | incremental | distributed
    ->  datasets, models, presets  ->  experiments, tuning  ->  cli  ->  __main__, package __init__

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
    "graphemb._rng": 1,
    "graphemb._validation": 0,  # scikit-learn-worded parameter checks
    "graphemb._memory": 1,
    "graphemb._atomic": 1,  # temporary name, fsync, rename: every output file
    "graphemb._lazy": 1,  # a module imported on first use (pandas): imports nothing of graphemb
    "graphemb._format_kernels": 1,  # numba "%.9g" printing of float32 rows (word2vec text); imports nothing of graphemb
    "graphemb.plotting": 1,  # pictures: imports no other graphemb module
    "graphemb._params": 2,  # the one declaration of every parameter (name, type, range, default, doc, flag)
    "graphemb._estimator": 3,  # Estimator: __init__, get/set_params, repr and checks from _params
    "graphemb.graph": 4,
    "graphemb.corpus": 5,
    "graphemb.walks": 6,
    "graphemb.sgns": 6,
    "graphemb.shards": 6,  # walk directories on disk (graph fingerprint + corpus); sibling of walks and sgns
    "graphemb.embedding": 7,
    "graphemb.evaluation": 8,
    "graphemb.distributed": 8,  # optional Dask extra (walks and training on a cluster); models imports it lazily
    "graphemb.incremental": 8,  # graph-side steps of model.update (diff, neighbour-mean start, counts)
    "graphemb.datasets": 9,
    "graphemb.models": 9,
    "graphemb.presets": 9,  # named Node2Vec parameter sets (imports nothing of graphemb)
    "graphemb.tuning": 10,  # p, q grid search: uses evaluation and models
    "graphemb.experiments": 10,
    "graphemb.cli": 11,
    "graphemb.__main__": 12,
    "graphemb": 12,
}
# Imports the step order would allow but the design forbids.
FORBIDDEN = {
    ("graphemb.sgns", "graphemb.graph"): "the trainer never sees a graph (docs/architecture.md)",
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


# ----------------------------------------------------------- import cycles
MODULES = {module_name(p): p for p in SOURCES}


def resolve(target: str) -> str | None:
    """The graphemb module a dotted import target names (``pkg.mod`` or ``pkg.mod.attr``), if any."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    """Module -> the graphemb modules it imports anywhere (functions included), self-imports dropped."""
    graph = {}
    for module, path in MODULES.items():
        targets = {resolve(t) for t in imported_modules(path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (``[a, b, ..., a]``), or None; iterative depth-first search."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for root in sorted(graph):
        if state.get(root):
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_no_import_cycle():
    """No loop between modules, inside a unit either (graph/csr.py once imported convert and io in functions)."""
    # a package's __init__ may import its own modules (that is how it re-exports); the cycle that
    # matters is a module importing, however indirectly, a module that imports it back
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_sees_function_level_loops():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    # the loop this test was written for: csr imported convert inside a function, convert imports csr
    source = "def from_networkx(g):\n    from .convert import from_networkx\n"
    fake = PACKAGE / "graph" / "csr.py"
    found = {resolve(t) for t in imported_modules_of_source(fake, source)}
    assert found == {"graphemb.graph.convert"}
    assert find_cycle({"graphemb.graph.csr": found, "graphemb.graph.convert": {"graphemb.graph.csr"}})


def imported_modules_of_source(path: Path, source: str) -> set[str]:
    original = Path.read_text
    try:
        Path.read_text = lambda self, encoding=None: source  # type: ignore[method-assign]
        return imported_modules(path)
    finally:
        Path.read_text = original  # type: ignore[method-assign]


PRIVATE_MODULES = {p.stem for p in SOURCES if p.stem.startswith("_") and not p.stem.startswith("__")}


def private_imports(source: str) -> list[str]:
    """``from <graphemb module> import _name`` statements of ``source`` whose ``_name`` is not a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("graphemb")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and alias.name not in PRIVATE_MODULES:
                    found.append(f"from {'.' * node.level}{node.module or ''} import {alias.name}")
    return found


def test_no_private_name_crosses_modules():
    """``from .x import _name`` (a private function or constant of another module) is not allowed.

    Private *modules* (``_kernels``, ``_rng``, ``_params``, ...) are the package's own layers and may be
    imported; what they define without a leading underscore is their interface.
    """
    crossing = [f"{module_name(p)}: {line}" for p in SOURCES for line in private_imports(p.read_text("utf-8"))]
    assert not crossing, "private names imported across modules (make them public or move them):\n" + "\n".join(
        crossing
    )
    assert private_imports("from .models import _helper\nfrom . import _kernels\n") == ["from .models import _helper"]
