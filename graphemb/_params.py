"""The one declaration of every user-facing parameter (name, type, range, default, doc, CLI flag).

Everything else derives from :data:`PARAMETERS`:

* the estimators' ``__init__`` signatures, validation, ``get_params`` / ``set_params``
  and ``repr`` (:class:`graphemb._estimator.Estimator`);
* the numpydoc ``Parameters`` entries of the estimators and of the walk functions
  (placeholders ``{parameters}`` / ``{parameters: name name ...}`` filled by
  :func:`fill_parameter_docs`);
* the command line's flags, types, defaults and help (:meth:`Param.add_flag`);
* ``tests/test_params.py``, which checks every public signature that uses one of
  these names against its declaration.

Adding a parameter is one :class:`Param` here plus its use.  Error messages keep
scikit-learn's wording: ``"The 'window' parameter of SGNS must be an int >= 1. Got 0
instead."``.
"""

from __future__ import annotations

import argparse
import numbers
import os
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._memory import parse_size
from ._validation import check_bool, check_choice, check_float, check_int, check_seed

__all__ = [
    "OBJECTIVES", "PARAMETERS", "SOFTMAX_MAX_NODES", "Param", "documented", "fill_parameter_docs", "numpydoc_entries",
]  # fmt: skip

OBJECTIVES = ("negative_sampling", "hierarchical_softmax", "softmax")
"""Training objectives of :class:`~graphemb.SGNS` (the kernels receive the index into this tuple)."""
SOFTMAX_MAX_NODES = 5_000
"""Default ``softmax_max_nodes``: the full softmax costs O(n d) per pair, so it is refused above this."""

_KINDS = ("int", "float", "real", "bool", "choice", "seed", "size", "path", "options")


@dataclass(frozen=True)
class Param:
    """Declaration of one parameter.

    Attributes
    ----------
    name : str
        The Python name (``walk_length``).
    kind : str
        ``int``, ``float`` (finite, bounded below by ``minimum``), ``real`` (any finite
        float), ``bool``, ``choice``, ``seed`` (non-negative int), ``size`` (bytes or
        text such as ``"4G"``), ``path`` or ``options`` (a dict).
    default : object
        Default value.
    doc : str
        numpydoc description; its first sentence is the command line's help.
    minimum, maximum : float or None
        Bounds of ``int`` and ``float`` kinds.
    inclusive : bool
        ``float``: ``minimum`` itself allowed.
    optional : bool
        None accepted (and meaning what ``doc`` says).
    choices : tuple
        ``choice`` kind: the allowed values.
    flags : tuple of str
        Command-line option strings (first one canonical); empty: not on the command line.
    hints : tuple of (value, text)
        Advice appended to the error message when the rejected value is ``value``.
    unset : str
        Command-line help: what leaving out a flag whose default is None means.
    """

    name: str
    kind: str
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    inclusive: bool = False
    optional: bool = False
    choices: tuple = ()
    flags: tuple[str, ...] = ()
    hints: tuple[tuple[Any, str], ...] = ()
    unset: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Param {self.name!r}: unknown kind {self.kind!r}")

    # ---------------------------------------------------------------- checking
    def check(self, value: Any, owner: str | None = None) -> Any:
        """Return ``value`` validated (and normalised: ints as int, floats as float).

        Raises
        ------
        ValueError
            ``"The '<name>' parameter of <owner> must be <expected>. Got <value> instead."``
        """
        try:
            return self._check(value, owner)
        except ValueError as exc:
            for bad, hint in self.hints:
                if type(value) is type(bad) and value == bad:
                    raise ValueError(f"{str(exc).rstrip('.')} ({hint}).") from None
            raise

    def _check(self, value: Any, owner: str | None) -> Any:
        if value is None and self.optional:
            return None
        kind, name = self.kind, self.name
        if kind == "int":
            return check_int(value, name, owner, minimum=int(self.minimum or 0), maximum=self.maximum)
        if kind == "float":
            return check_float(
                value, name, owner, minimum=float(self.minimum or 0.0), inclusive=self.inclusive, maximum=self.maximum
            )
        if kind == "real":
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not _finite(value):
                raise ValueError(f"The '{name}' parameter{_of(owner)} must be a finite float. Got {value!r} instead.")
            return float(value)
        if kind == "bool":
            if self.optional and not isinstance(value, bool) and type(value).__name__ != "bool_":
                raise ValueError(f"The '{name}' parameter{_of(owner)} must be a bool or None. Got {value!r} instead.")
            return check_bool(value, name, owner)
        if kind == "choice":
            return check_choice(value, name, self.choices, owner)
        if kind == "seed":
            return check_seed(value, name, owner, allow_none=self.optional)
        if kind == "size":
            return parse_size(value, name)
        if kind == "path":
            if not isinstance(value, (str, os.PathLike)):
                raise ValueError(f"The '{name}' parameter{_of(owner)} must be a path or None. Got {value!r} instead.")
            return value
        if not isinstance(value, dict):  # options
            raise ValueError(f"The '{name}' parameter{_of(owner)} must be a dict or None. Got {value!r} instead.")
        return value

    # ------------------------------------------------------------------ docs
    @property
    def type_doc(self) -> str:
        """The numpydoc type (``int``, ``float``, ``bool or None``, ``{'a', 'b'}``)."""
        base = {
            "int": "int",
            "float": "float",
            "real": "float",
            "bool": "bool",
            "seed": "int",
            "size": "int, str",
            "path": "str, PathLike",
            "options": "dict",
        }.get(self.kind)
        if self.kind == "choice":
            base = "{" + ", ".join(repr(c) for c in self.choices) + "}"
        return f"{base} or None" if self.optional else base

    def numpydoc(self, indent: int = 4) -> str:
        """The numpydoc entry: ``name : type, default value`` and the indented description."""
        pad = " " * indent
        body = textwrap.fill(
            " ".join(self.doc.split()),
            width=100 - indent - 4,
            initial_indent=pad + "    ",
            subsequent_indent=pad + "    ",
            break_on_hyphens=False,
        )
        return f"{pad}{self.name} : {self.type_doc}, default {self.default!r}\n{body}"

    @property
    def help(self) -> str:
        """Command-line help: the first sentence of ``doc``, and the default."""
        first = re.split(r"(?<=\.)\s", " ".join(self.doc.split()), maxsplit=1)[0].rstrip(".")
        first = first.replace("``", "").replace("%", "%%")
        if self.default is None:
            return f"{first} (default: {self.unset})" if self.unset else first
        default = f"{self.default:g}" if isinstance(self.default, float) else self.default
        return f"{first} (default {default})"

    # ---------------------------------------------------------- command line
    def parse(self, text: str) -> Any:
        """Turn command-line ``text`` into a checked value (``argparse`` type function)."""
        convert: Callable[[str], Any] = {"int": int, "seed": int, "float": float, "real": float}.get(self.kind, str)
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {self.expected}. Got {text!r} instead.") from None
        try:
            return self.check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"must be {self.expected}. Got {text!r} instead.") from exc

    @property
    def expected(self) -> str:
        """What a valid value is, in words (``an int >= 1``)."""
        if self.kind == "int":
            bound = f">= {self.minimum:g}" if self.maximum is None else f"in [{self.minimum:g}, {self.maximum:g}]"
            return f"an int {bound}"
        if self.kind == "float":
            return f"a finite float {'>=' if self.inclusive else '>'} {self.minimum or 0:g}"
        if self.kind == "real":
            return "a finite float"
        if self.kind == "seed":
            return "a non-negative int"
        if self.kind == "size":
            return "a size such as 4G, 512M or a number of bytes"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return f"a {self.kind}"

    def add_flag(self, parser: Any, default: Any = ..., help: str | None = None) -> argparse.Action:
        """Add this parameter's flag to ``parser`` (dest = the parameter's name).

        ``default`` replaces the declared default (e.g. None: "the preset's"), ``help`` the text.
        """
        if not self.flags:
            raise ValueError(f"Param {self.name!r} has no command-line flag")
        kwargs: dict[str, Any] = {"dest": self.name, "help": help or self.help}
        kwargs["default"] = self.default if default is ... else default
        if self.kind == "choice":
            kwargs["choices"] = self.choices
        elif self.kind not in ("path",):
            kwargs["type"] = self.parse
        return parser.add_argument(*self.flags, **kwargs)


def _of(owner: str | None) -> str:
    return f" of {owner}" if owner else ""


def _finite(value: Any) -> bool:
    v = float(value)
    return v == v and v not in (float("inf"), float("-inf"))


def _declare(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


PARAMETERS: dict[str, Param] = _declare(
    # ----------------------------------------------------------------- walks
    Param("walk_length", "int", 80, "Nodes per walk, start node included.", minimum=1, flags=("--walk-length",)),
    Param("num_walks", "int", 10, "Walks started from every start node.", minimum=1, flags=("--num-walks",)),
    Param(
        "p", "float", 1.0,
        "Return parameter (node2vec): low values keep walks near their start (BFS-like). "
        "``p = q = 1`` gives DeepWalk's uniform walks.",
        minimum=0.0, flags=("--p",),
    ),
    Param(
        "q", "float", 1.0,
        "In-out parameter (node2vec): low values push walks outward (DFS-like).",
        minimum=0.0, flags=("--q",),
    ),
    Param(
        "weighted", "bool", None,
        "Walk in proportion to edge weights; None uses the weights when the graph has them "
        "(True on an unweighted graph is an error).",
        optional=True,
    ),
    Param(
        "directed", "bool", None,
        "How to read an input that does not say: None keeps a networkx graph's or CSRGraph's own "
        "setting, treats a pandas edge table as undirected and a scipy matrix as directed only when it "
        "is asymmetric.  A value that contradicts a networkx graph or CSRGraph raises.",
        optional=True,
    ),
    Param(
        "chunk_size", "int", None,
        "Walks generated per kernel call and per chunk (progress granularity; default about 64 MiB "
        "of walks); the walks do not depend on it.",
        minimum=1, optional=True,
    ),
    # ------------------------------------------------------------------ SGNS
    Param("dimensions", "int", 128, "Length of each node vector.", minimum=1, flags=("--dimensions",)),
    Param(
        "window", "int", 10, "Skip-gram context size: the largest distance between a centre and a context node.",
        minimum=1, flags=("--window-size",),
    ),
    Param(
        "negative", "int", 5,
        "Noise nodes per centre position.  ``negative=0`` (hierarchical softmax only) is not supported.",
        minimum=1, flags=("--negative",), hints=((0, "negative=0, hierarchical softmax only, is not supported"),),
    ),
    Param(
        "ns_exponent", "real", 0.75, "Exponent of the node counts in the noise distribution.",
        flags=("--ns-exponent",),
    ),
    Param(
        "alpha", "float", 0.025, "Initial learning rate, decayed linearly to ``min_alpha`` over all epochs' tokens.",
        minimum=0.0, flags=("--alpha",),
    ),
    Param("min_alpha", "float", 0.0001, "Final learning rate (<= ``alpha``).", minimum=0.0, inclusive=True,
          flags=("--min-alpha",)),
    Param(
        "sample", "float", 1e-3, "Sub-sampling threshold for frequent nodes (word2vec's formula); 0 disables it.",
        minimum=0.0, inclusive=True, flags=("--sample",),
    ),
    Param("epochs", "int", 1, "Passes of SGNS over the walks.", minimum=1, flags=("--iter", "--epochs")),
    Param(
        "shrink_window", "bool", True, "Draw the effective window uniformly in ``1..window`` per centre (word2vec)."
    ),
    Param(
        "objective", "choice", "negative_sampling",
        "Loss per (context, centre) pair.  ``\"negative_sampling\"``: logistic loss on the centre and "
        "``negative`` noise nodes, O(negative d) per pair.  ``\"hierarchical_softmax\"``: "
        "``-log p(centre | context)`` with ``p`` a product of binary decisions along the centre's Huffman "
        "path (word2vec's), O(d log n) per pair; ``output_vectors_`` rows ``0 .. n - 2`` are then the tree's "
        "inner nodes.  ``\"softmax\"``: the exact full softmax over all nodes, O(n d) per pair, for small "
        "graphs and research.  ``negative`` and ``ns_exponent`` only matter for negative sampling.  See "
        "docs/negative-sampling.md.",
        choices=OBJECTIVES,
    ),
    Param(
        "softmax_max_nodes", "int", SOFTMAX_MAX_NODES,
        "``objective=\"softmax\"`` raises above this many nodes; raise it to force a larger (slow) run.",
        minimum=1,
    ),
    Param(
        "shared_negatives", "bool", True,
        "Negative sampling only.  True: the ``negative`` noise nodes of a centre position are drawn once and "
        "serve all the contexts of its window (after pWord2Vec; the output rows stay in cache, 1.4-1.6x "
        "faster).  False: a fresh draw for every (context, centre) pair, exactly word2vec's sampling.  The "
        "update is word2vec's pair-by-pair step either way; on BlogCatalog both score within the seed spread "
        "of each other and of gensim (docs/training.md).",
    ),
    Param(
        "frequency_order", "bool", True,
        "Number the rows internally by decreasing node count (word2vec sorts its vocabulary so): the frequent "
        "rows, which take most of the updates and noise draws, are contiguous.  The fitted tables are "
        "returned in the caller's node order either way; the vectors differ (not in quality) from "
        "``frequency_order=False``, which trains in the caller's order.",
    ),
    # ------------------------------------------------------------ the run
    Param(
        "workers", "int", None,
        "Threads for walks and training.  None: every core numba may use.  Walks do not depend on it; "
        "training with ``workers=1`` and a seed is bit-for-bit repeatable, with more threads it is lock-free "
        "(Hogwild) and repeatable only statistically.",
        minimum=1, optional=True, flags=("--workers",), unset="every core numba may use",
    ),
    Param(
        "seed", "seed", None,
        "Seed of every random draw (a model derives its walk and training seeds from it).  None draws "
        "fresh entropy, recorded in ``seed_``.",
        optional=True, flags=("--seed",), unset="fresh, logged",
    ),
    Param("verbose", "bool", True, "Progress bars via tqdm (walks; training tokens/s and loss)."),
    Param(
        "memory_limit", "size", None,
        "Bytes the fit may hold (graph, tables, vectors, corpus, buffers; not the interpreter), e.g. "
        "``\"4G\"``.  Decides whether the walk corpus stays in memory or spills to shards on disk; a plan "
        "that cannot fit is refused before any large allocation (see ``memory_plan``).  None: the graph "
        "plus 70 % of the memory available at ``fit``.",
        optional=True, flags=("--memory-limit",),
    ),
    Param(
        "workdir", "path", None,
        "Where a spilled corpus is written: None uses a temporary directory removed after ``fit``; a "
        "folder keeps the shards in ``workdir/walks`` (reused by a later fit with the same graph, "
        "parameters and seed).",
        optional=True, flags=("--workdir",),
    ),
    Param(
        "partitions", "int", 1,
        "1: the ordinary trainer.  ``P > 1``: partitioned training (docs/partitioned.md): nodes in ``P`` "
        "partitions, pairs in ``P x P`` buckets trained in rounds of disjoint buckets, negatives from the "
        "centre's partition, negative sampling only, fresh negatives per pair (``shared_negatives`` is "
        "ignored); sets ``partition_stats_``.",
        minimum=1, flags=("--partitions",),
    ),
    Param(
        "partition_options", "options", None,
        "For ``partitions > 1``: ``workdir`` (train out of core there, checkpoint and resume), ``buffer`` "
        "(blocks held in memory out of core, default 4), ``chunks`` (per bucket and epoch, default 8), "
        "``executor`` (e.g. ``graphemb.distributed.training.DaskExecutor``); the models also take a "
        "``\"scheduler\"`` address, which they turn into that executor (needs ``graphemb[distributed]``).",
        optional=True,
    ),
)  # fmt: skip


def numpydoc_entries(names: Sequence[str], indent: int = 4) -> str:
    """The numpydoc ``Parameters`` entries of ``names``, in that order."""
    return "\n".join(PARAMETERS[name].numpydoc(indent) for name in names)


_PLACEHOLDER = re.compile(r"^( *)\{parameters(?::([^}]*))?\}$", re.MULTILINE)


def fill_parameter_docs(doc: str | None, names: Sequence[str] = ()) -> str | None:
    """Replace ``{parameters}`` (``names``) or ``{parameters: a b c}`` lines of ``doc`` by numpydoc entries."""
    if not doc:
        return doc

    def entries(match: re.Match) -> str:
        chosen = match.group(2).split() if match.group(2) is not None else list(names)
        return numpydoc_entries(chosen, indent=len(match.group(1)))

    return _PLACEHOLDER.sub(entries, doc)


def documented(func: Callable) -> Callable:
    """Decorator: fill the ``{parameters: ...}`` placeholders of ``func``'s docstring."""
    func.__doc__ = fill_parameter_docs(func.__doc__)
    return func
