"""Refuse allocations that cannot fit, before making them (CONTRACTS.md, Resources)."""

from __future__ import annotations

import mmap
import os
from typing import Any

import numpy as np

__all__ = [
    "MemoryPlan",
    "available_memory",
    "check_allocation",
    "current_rss",
    "format_bytes",
    "parse_size",
    "peak_rss",
    "plan_fit",
    "release_pages",
]


def available_memory() -> int | None:
    """Bytes of memory available to this process, or None if unknown.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux), bounded by a cgroup
    limit when one is set; falls back to ``os.sysconf`` pages.
    """
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                raw = f.read().strip()
            if raw.isdigit():
                limit = int(raw)
                if limit < 2**60:
                    avail = limit if avail is None else min(avail, limit)
        except OSError:
            continue
    return avail


def release_pages(array: Any) -> bool:
    """Drop from the resident set the pages of the read-only memory map behind ``array``.

    Follows ``array.base`` to an ``np.memmap`` opened with mode ``"r"`` and advises the kernel
    that its pages are not needed (``MADV_DONTNEED``); a later access reads them again from the
    file (the page cache), so the data is unchanged.  Nothing is done for other arrays, for
    copy-on-write maps (mode ``"c"``, whose private pages this would discard) or where
    ``madvise`` is not available.  O(pages) time, no memory.

    Returns
    -------
    bool
        Whether pages were released.
    """
    if not hasattr(mmap, "MADV_DONTNEED"):
        return False
    base, seen = array, 0
    while base is not None and seen < 64:
        if isinstance(base, np.memmap) and getattr(base, "mode", None) == "r":
            target = base
            while target is not None and not isinstance(target, mmap.mmap):
                target = getattr(target, "base", None)
            if target is None:
                return False
            try:
                target.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # a closed map, or one the platform refuses
                return False
            return True
        base, seen = getattr(base, "base", None), seen + 1
    return False


def format_bytes(n: float) -> str:
    """Human-readable size, e.g. ``'1.5 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"


def check_allocation(nbytes: int, what: str, alternative: str, fraction: float = 0.8) -> None:
    """Raise ``MemoryError`` if ``nbytes`` exceeds ``fraction`` of available memory.

    Parameters
    ----------
    nbytes : int
        Estimated size of the allocation.
    what : str
        What is being allocated (e.g. ``"the walk corpus (1,000,000 walks x 80 steps)"``).
    alternative : str
        The cheaper way to do it, shown to the user (e.g. ``"use iter_random_walks"``).
    fraction : float
        Share of available memory one allocation may take.

    Raises
    ------
    MemoryError
        With the estimate, the budget and the alternative in the message.
    """
    avail = available_memory()
    if avail is None:
        return
    budget = int(avail * fraction)
    if nbytes > budget:
        raise MemoryError(
            f"{what} needs about {format_bytes(nbytes)}, more than the {format_bytes(budget)} "
            f"this machine can spare ({format_bytes(avail)} available). {alternative}"
        )


# ---------------------------------------------------------------- memory plans
_SIZE_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 2**10, "KIB": 2**10, "M": 2**20, "MB": 2**20, "MIB": 2**20,
               "G": 2**30, "GB": 2**30, "GIB": 2**30, "T": 2**40, "TB": 2**40, "TIB": 2**40}  # fmt: skip

# Per-node costs of Python objects, measured with tracemalloc on CPython 3.11 / 64-bit for
# 1M int ids: a list of ids (pointer + int object) 40 B; an Embedding's copy of the list and
# its {id: row} dict 8 + 70 B; the word2vec writer's names and duplicate check 63 + 31 B.
NODE_ID_BYTES = 40
NODE_INDEX_BYTES = 80
WRITER_BYTES = 95
# Process baseline that no plan item covers: the interpreter, numpy, numba and its compiled kernels.
RUNTIME_BYTES = 220 * 2**20
# What the process gains after planning outside the plan's items: numba kernels loaded from
# the cache, progress bars, logging (measured: 52 MiB on a 20k-node fit, docs/scale.md).
KERNELS_BYTES = 48 * 2**20
# A corpus up to this size is kept in memory (the default of DeepWalk/Node2Vec.fit).
IN_MEMORY_CORPUS_BYTES = 256 * 2**20
# Default share of the memory available at plan time that new allocations may take.
DEFAULT_FRACTION = 0.7
# Partitioned SGNS (graphemb/sgns/partitioned.py), per node while the buckets train: partition,
# row and members list (int32 each), the counts (int64), the noise alias tables (packed: float64
# prob + float64 alias): 4 + 4 + 4 + 8 + 16 = 36 bytes (the keep probabilities and noise weights, float64,
# live only while the noise tables are built and the pairs extracted).  The sort of
# snake_partition briefly holds its keys and order (int64) and two int32 work arrays, 32 bytes
# more than the plan's 12 before the noise tables exist (counted in the transient item).
PARTITION_PLAN_BYTES = 36
PARTITION_SORT_EXTRA_BYTES = 32
# Tokens per pair-extraction call (partitioned._EXTRACT_TOKENS; not imported: _memory is step 0).
EXTRACT_TOKENS = 1 << 18
# Defaults of partition_options (partitioned.DEFAULT_BUFFER / DEFAULT_CHUNKS).
DEFAULT_PARTITION_BUFFER = 4
DEFAULT_PARTITION_CHUNKS = 8


def parse_size(text: str | int | float, name: str = "memory_limit") -> int:
    """Parse a byte count: an int, or text like ``'4G'``, ``'512M'``, ``'1.5GiB'``, ``'800000000'``.

    Units are binary (``K`` = 1024).  Raises ``ValueError`` naming ``name``.
    """
    if isinstance(text, bool):
        raise ValueError(f"The '{name}' parameter must be a size such as 4G or 512M. Got {text!r} instead.")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = str(text).strip().upper().replace(" ", "")
        number = raw.rstrip("KMGTIB")
        unit = raw[len(number) :]
        try:
            value = float(number) * _SIZE_UNITS[unit]
        except (ValueError, KeyError):
            raise ValueError(
                f"The '{name}' parameter must be a size such as 4G, 512M or a number of bytes. Got {text!r} instead."
            ) from None
    if not (value > 0 and value < float(2**62)):
        raise ValueError(f"The '{name}' parameter must be a positive size. Got {text!r} instead.")
    return int(value)


def current_rss() -> int | None:
    """Resident set size of this process in bytes (``/proc/self/statm``), or None if unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class MemoryPlan:
    """What a DeepWalk/node2vec fit will hold in memory, estimated before any large allocation.

    Build it with :func:`plan_fit`.  ``items`` maps each part (graph, alias
    tables, vector tables, trainer tables, walk buffers, corpus, output) to its
    estimated bytes; ``total`` is their sum and is compared with ``limit``.
    ``spill`` says whether the walk corpus goes to disk (shards) instead of
    memory; ``chunk_walks`` is the number of walks per chunk/shard.

    Attributes
    ----------
    items : dict of str to int
    total : int
    limit : int
    limit_source : str
        ``'memory_limit'`` when given, else how the default was derived.
    spill : bool
    corpus_bytes : int
        Size of the whole corpus (in memory, or on disk when spilled).
    chunk_walks : int
    predicted_peak : int
        ``total`` plus the baseline outside the plan's items (what the process
        held when the plan was made, less the graph, plus ``KERNELS_BYTES``; at
        least ``RUNTIME_BYTES``): the expected peak RSS.
    """

    def __init__(
        self,
        items: dict[str, int],
        limit: int,
        limit_source: str,
        spill: bool,
        corpus_bytes: int,
        chunk_walks: int,
        disk_free: int | None,
        baseline: int,
        suggestions: list[str],
    ) -> None:
        self.items = items
        self.limit = int(limit)
        self.limit_source = limit_source
        self.spill = bool(spill)
        self.corpus_bytes = int(corpus_bytes)
        self.chunk_walks = int(chunk_walks)
        self.disk_free = disk_free
        self.baseline = int(baseline)
        self.suggestions = suggestions

    @property
    def total(self) -> int:
        """Sum of the plan's items (bytes)."""
        return int(sum(self.items.values()))

    @property
    def fits(self) -> bool:
        """Whether the plan's items fit in ``limit`` (and a spilled corpus on disk)."""
        disk_ok = not self.spill or self.disk_free is None or self.corpus_bytes <= self.disk_free
        return self.total <= self.limit and disk_ok

    @property
    def predicted_peak(self) -> int:
        """Expected peak RSS of the process: the plan's items plus the baseline outside them."""
        return self.total + self.baseline

    def describe(self) -> str:
        """The plan as lines of text (what is logged and shown in refusals)."""
        lines = [f"memory plan (limit {format_bytes(self.limit)}, {self.limit_source}):"]
        for name, nbytes in self.items.items():
            lines.append(f"  {name:<44s} {format_bytes(nbytes):>10s}")
        lines.append(f"  {'total':<44s} {format_bytes(self.total):>10s}")
        where = "spilled to disk as shards" if self.spill else "in memory"
        lines.append(f"  corpus {format_bytes(self.corpus_bytes)} {where}; {self.chunk_walks:,} walks per chunk")
        if self.spill and self.disk_free is not None:
            lines.append(f"  disk free for the shards: {format_bytes(self.disk_free)}")
        lines.append(f"  predicted peak RSS {format_bytes(self.predicted_peak)} (plan + {format_bytes(self.baseline)} "
                     "interpreter/numba baseline)")  # fmt: skip
        return "\n".join(lines)

    def summary(self) -> str:
        """The plan on one line (the INFO log line; :meth:`describe` has the items)."""
        where = "spilled to disk" if self.spill else "in memory"
        return (
            f"memory plan {format_bytes(self.total)} of limit {format_bytes(self.limit)}, corpus "
            f"{format_bytes(self.corpus_bytes)} {where}, predicted peak RSS {format_bytes(self.predicted_peak)}"
        )

    def check(self, owner: str = "fit") -> None:
        """Raise ``MemoryError`` (with the figures and what to change) unless the plan fits."""
        if self.spill and self.disk_free is not None and self.corpus_bytes > self.disk_free:
            raise MemoryError(
                f"{owner}: the walk corpus needs {format_bytes(self.corpus_bytes)} of disk to spill, but only "
                f"{format_bytes(self.disk_free)} are free in the work directory. Pass a workdir on a larger disk, "
                "or use fewer walks (num_walks, walk_length)."
            )
        if self.total > self.limit:
            parts = ", ".join(f"{k} {format_bytes(v)}" for k, v in self.items.items() if v)
            raise MemoryError(
                f"{owner}: the memory plan needs {format_bytes(self.total)}, more than the limit of "
                f"{format_bytes(self.limit)} ({self.limit_source}): {parts}. To fit: "
                + "; ".join(self.suggestions)
                + "."
            )

    def __repr__(self) -> str:
        return (
            f"MemoryPlan(total={format_bytes(self.total)}, limit={format_bytes(self.limit)}, spill={self.spill}, "
            f"corpus={format_bytes(self.corpus_bytes)})"
        )


def partition_mode(partitions: int, partition_options: dict | None) -> str:
    """Where partitioned training keeps its blocks: ``'whole'`` (P = 1, the ordinary trainer),
    ``'in memory'`` (no workdir), ``'out of core'`` (a workdir) or ``'executor'`` (an executor or
    scheduler: the blocks live on its workers)."""
    if int(partitions) <= 1:
        return "whole"
    options = partition_options or {}
    if options.get("executor") is not None or options.get("scheduler") is not None:
        return "executor"
    return "out of core" if options.get("workdir") is not None else "in memory"


def partition_items(
    *,
    num_nodes: int,
    dimensions: int,
    partitions: int,
    partition_options: dict | None = None,
    window: int = 5,
    num_tokens: int,
    walk_length: int,
    workers: int | None = None,
) -> dict[str, int]:
    """What partitioned SGNS (``partitions > 1``) holds besides the corpus, as plan items (bytes).

    Figures of graphemb/sgns/partitioned.py (n nodes, d dimensions, P partitions, ``c`` =
    ``buffer``, a block = one partition's input or output rows, ``4 d ceil(n / P)`` bytes; pairs:
    ``window + 1`` per token, the mean of word2vec's shrunk window, before sub-sampling lowers it):

    * vector tables: in memory the ``2 P`` blocks (``8 n d``) plus, while assembled in node order,
      one whole table (``4 n d``: the input table is built, its blocks dropped, then the output
      table); out of core ``c`` blocks (the next bucket's prefetched blocks included: the buffer
      never exceeds ``c``), the final tables being memory-mapped files; with an executor, none.
    * the partition plan: ``36 n`` (:data:`PARTITION_PLAN_BYTES`).
    * pair buffers, the largest of: an extraction piece (``8`` bytes per pair of up to
      ``EXTRACT_TOKENS + L`` tokens, plus the copy of one bucket's part written, ``1 / P`` of it
      at most on average), the pair-chunk reads of the buckets training at once (``min(workers,
      P)`` in memory, one out of core; each a mapped slice and its copy, ``2 x 8`` bytes per pair,
      ``pairs / (P^2 chunks)`` pairs), and out of core the final assembly (one mapped block and a
      slab of an eighth of a block); at least the sort's ``32 n`` (which also covers the noise weights
      while the noise tables are built); the extraction adds the keep probabilities (``8 n``).
    """
    n, d, P = int(num_nodes), int(dimensions), int(partitions)
    mode = partition_mode(P, partition_options)
    options = partition_options or {}
    buffer = int(options.get("buffer", DEFAULT_PARTITION_BUFFER) or DEFAULT_PARTITION_BUFFER)
    chunks = int(options.get("chunks", DEFAULT_PARTITION_CHUNKS) or DEFAULT_PARTITION_CHUNKS)
    block = 4 * d * -(-n // P)
    per_token = max(int(window), 1) + 1  # pairs per token: the shrunk window's mean, no sub-sampling
    pairs = int(num_tokens) * per_token
    items: dict[str, int] = {}
    if mode == "in memory":
        items[f"vector tables (2 x {n:,} x {d}, {P} blocks each)"] = 8 * n * d
        items["one table assembled in node order"] = 4 * n * d
    elif mode == "out of core":
        name = f"vector blocks ({buffer} of {2 * P} x {format_bytes(block)}, out of core)"
        items[name] = buffer * block
    else:
        items["vector tables (on the executor's workers)"] = 0
    items[f"partition plan ({PARTITION_PLAN_BYTES} B per node)"] = PARTITION_PLAN_BYTES * n
    piece = 8 * min(int(num_tokens), EXTRACT_TOKENS + int(walk_length)) * per_token
    extract = piece + piece // P + 8 * n  # + the keep probabilities (float64), alive while extracting
    concurrent = 1 if mode != "in memory" else max(1, min(P, int(workers or os.cpu_count() or 1)))
    reads = concurrent * 2 * 8 * -(-pairs // (P * P * chunks))
    assemble = block + block // 8 if mode == "out of core" else 0
    items["pair buffers (extraction / chunk reads)"] = max(extract, reads, assemble, PARTITION_SORT_EXTRA_BYTES * n)
    return items


def _partition_suggestions(
    P: int, options: dict | None, n: int, limit: int, items: dict[str, int], trainer_total: int, partitioned: Any
) -> list[str]:
    """What partitions would change for a plan over ``limit``: out of core (and how many partitions)
    when the tables are whole or in memory; more partitions when already out of core; nothing
    when the blocks are on an executor's workers or when no ``P`` would fit."""
    mode = partition_mode(P, options)
    if mode == "executor":
        return []
    rest = sum(items.values()) - trainer_total
    buffer = (options or {}).get("buffer", DEFAULT_PARTITION_BUFFER)
    alt_options = {**(options or {}), "workdir": (options or {}).get("workdir") or "DIR"}
    start = 2 * P if mode == "out of core" else max(P, 2)
    candidates = [start]
    while candidates[-1] * 2 <= n:
        candidates.append(candidates[-1] * 2)
    for parts in candidates:
        if parts > n:
            break
        total = rest + sum(partitioned(parts, alt_options).values())
        if total <= limit:
            if mode == "out of core":
                return [f"more partitions (partitions={parts} / --partitions {parts} with buffer {buffer} plans "
                        f"{format_bytes(total)})"]  # fmt: skip
            return [f"train out of core in partitions (partitions={parts}, partition_options={{'workdir': DIR}}; "
                    f"--partitions {parts} --workdir DIR), which plans {format_bytes(total)}"]  # fmt: skip
    return []


def plan_fit(
    *,
    num_nodes: int,
    num_arcs: int,
    weighted: bool,
    dimensions: int,
    walk_length: int,
    num_walks_total: int,
    graph_bytes: int | None = None,
    memory_limit: int | str | None = None,
    in_memory_max: int = IN_MEMORY_CORPUS_BYTES,
    chunk_bytes: int = 64 * 2**20,
    hierarchical: bool = False,
    disk_free: int | None = None,
    short_walks: bool = False,
    window: int = 5,
    partitions: int = 1,
    partition_options: dict | None = None,
    workers: int | None = None,
) -> MemoryPlan:
    """Estimate the memory of a random-walk embedding fit and decide whether the corpus spills.

    Parameters
    ----------
    num_nodes, num_arcs : int
        Graph size (``num_arcs`` = stored CSR entries).
    weighted : bool
        Weighted walks (alias tables are built).
    dimensions, walk_length, num_walks_total : int
    graph_bytes : int, optional
        Bytes the graph already holds (arrays and node ids); estimated when None.
    memory_limit : int or str, optional
        Limit on the plan's items; default ``graph + DEFAULT_FRACTION x`` the
        memory available now.
    in_memory_max : int
        Largest corpus kept in memory even when more would fit.
    chunk_bytes : int
        Target bytes of walks per chunk (shrunk when the budget is tight).
    hierarchical : bool
        Hierarchical softmax (Huffman tree tables) instead of negative sampling.
    disk_free : int, optional
        Free bytes where shards would go.
    short_walks : bool
        Walks may end early (directed graphs): counting copies the tokens.
    window : int
        Skip-gram window (bounds the pairs of partitioned training).
    partitions : int
        ``P > 1``: partitioned SGNS; the vector tables and trainer tables are replaced by what
        it holds (:func:`partition_items`): all ``2 P`` blocks in memory, or ``buffer`` of them
        out of core (``partition_options`` with a ``workdir``), or none with an executor.
    partition_options : dict, optional
        As for ``SGNS(partition_options=...)``: ``workdir``, ``buffer``, ``chunks``,
        ``executor`` / ``scheduler``.
    workers : int, optional
        Threads (in-memory partitions read that many pair chunks at once); None: every core.

    Returns
    -------
    MemoryPlan
        Not yet checked: call :meth:`MemoryPlan.check`.

    Notes
    -----
    Items and their formulas (n nodes, m arcs, d dimensions, W walks of length L):
    graph ``8 (n + 1) + 4 m (+ 4 m weights) + 40 n`` (ids); alias tables
    ``8 m + 8 n`` plus an ``8 m`` float64 prefix sum while built; vector tables
    ``8 n d``; trainer tables ``48 n`` (counts, packed noise alias table,
    keep probabilities; ``+ 64 n`` for a Huffman tree); walk buffers two chunks;
    corpus ``4 W (L + 1)`` in memory, or two memory-mapped shards when spilled;
    output ``80 n`` (the Embedding's id index) + ``95 n`` transient (the
    word2vec writer's names).  With ``partitions > 1`` the vector and trainer tables are
    replaced by :func:`partition_items`.  O(1) to compute.
    """
    n, m, d = int(num_nodes), int(num_arcs), int(dimensions)
    per_walk = 4 * (int(walk_length) + 1)
    corpus_bytes = per_walk * int(num_walks_total)
    if graph_bytes is None:
        graph_bytes = 8 * (n + 1) + 4 * m + (4 * m if weighted else 0) + NODE_ID_BYTES * n
    items: dict[str, int] = {"graph (CSR arrays + node ids)": int(graph_bytes)}
    items["alias tables (weighted walks)"] = 16 * m + 8 * n if weighted else 0
    P = int(partitions)
    num_tokens = int(walk_length) * int(num_walks_total)

    def partitioned(parts: int, options: dict | None) -> dict[str, int]:
        return partition_items(num_nodes=n, dimensions=d, partitions=parts, partition_options=options, window=window,
                               num_tokens=num_tokens, walk_length=walk_length, workers=workers)  # fmt: skip

    if P > 1:
        trainer_items = partitioned(P, partition_options)
    else:
        trainer_items = {f"vector tables (2 x {n:,} x {d} float32)": 8 * n * d}
        trainer_items["trainer tables (noise, sub-sampling" + (", Huffman)" if hierarchical else ")")] = 48 * n + (
            64 * n if hierarchical else 0
        )
    items.update(trainer_items)
    items["embedding index + output writer"] = (NODE_INDEX_BYTES + WRITER_BYTES) * n
    avail = available_memory()
    if memory_limit is None:
        if avail is None:
            limit, source = 2**62, "no limit: available memory unknown"
        else:
            limit = int(graph_bytes + DEFAULT_FRACTION * avail)
            source = f"default: the graph + {DEFAULT_FRACTION:.0%} of the {format_bytes(avail)} available"
    else:
        limit, source = parse_size(memory_limit), "memory_limit"
    fixed = sum(items.values())
    # chunks: the default size, shrunk so that two buffers fit in a quarter of what is left
    room = max(limit - fixed, 0)
    chunk = max(per_walk, min(int(chunk_bytes), room // 8))
    chunk_walks = max(1, min(chunk // per_walk, max(int(num_walks_total), 1)))
    buffers = 2 * chunk_walks * (per_walk + 8)  # walk chunk + its states / the trainer's copy and offsets
    in_memory = corpus_bytes * (2 if short_walks else 1)
    spill = not (corpus_bytes <= in_memory_max and fixed + in_memory + buffers <= limit)
    if spill:
        items["walk buffers (chunks being walked / trained)"] = buffers
        items["corpus working set (2 memory-mapped shards)"] = 2 * chunk_walks * per_walk
    else:
        items["walk buffers (chunks being walked / trained)"] = buffers if short_walks else 0
        items["corpus in memory"] = corpus_bytes
    suggestions = []
    trainer_total = sum(trainer_items.values())
    vec = 8 * n * d if P <= 1 else trainer_total
    if vec > limit // 4 and d > 16:
        if P > 1:
            halved = sum(partition_items(num_nodes=n, dimensions=d // 2, partitions=P,
                                         partition_options=partition_options, window=window, num_tokens=num_tokens,
                                         walk_length=walk_length, workers=workers).values())  # fmt: skip
        else:
            halved = trainer_total - vec // 2
        half = fixed - trainer_total + halved
        suggestions.append(f"fewer dimensions (d={d // 2} needs {format_bytes(half)} before the corpus)")
    suggestions.append("a larger memory_limit / --memory-limit if the machine has the memory")
    if not hierarchical:  # partitioned training is negative sampling only
        suggestions.extend(_partition_suggestions(P, partition_options, n, limit, items, trainer_total, partitioned))
    if not spill:
        suggestions.append("spilling the corpus to disk (it spills by itself when it does not fit)")
    rss = current_rss()
    baseline = RUNTIME_BYTES if rss is None else max(rss - int(graph_bytes) + KERNELS_BYTES, RUNTIME_BYTES)
    return MemoryPlan(items, limit, source, spill, corpus_bytes, chunk_walks, disk_free, baseline, suggestions)


def peak_rss() -> str:
    """Peak resident memory of this process so far, formatted (``'?'`` where the OS does not say)."""
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return format_bytes(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes; Linux: KiB
    except (ImportError, OSError, ValueError):
        return "?"
