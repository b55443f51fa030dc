"""Partitioned SGNS training: in memory, out of core on one machine, or on any executor.

``SGNS(partitions=P)`` with ``P > 1`` comes here (see docs/partitioned.md).  The steps:

1. **Partition** the nodes: sorted by count (descending), dealt to partitions in a snake
   ``0, 1, ..., P-1, P-1, ..., 0, 0, ...`` (GraphVite's rule), so every partition holds about
   ``1 / P`` of the nodes, of the tokens and of the ``count ** ns_exponent`` noise mass.
2. **Extract** the skip-gram pairs once (word2vec's sub-sampling and window shrinking, drawn
   from the stream of each walk) into ``P x P`` bucket files: bucket ``(i, j)`` holds the pairs
   whose context (input row) is in partition ``i`` and whose centre (output row) is in ``j``.
3. **Train** epoch by epoch, chunk by chunk: every bucket is cut into ``chunks`` consecutive
   chunks; chunk ``k`` of an epoch runs the ``P`` rounds ``r`` in an order shuffled per chunk,
   and round ``r`` trains bucket ``(i, (i + r) mod P)`` for every ``i`` at once (GraphVite's
   rotation: the ``P`` buckets of a round share no input and no output partition).  Inside a
   bucket chunk the pairs are shuffled, each pair draws ``negative`` noise rows from the centre
   partition's share of the noise distribution, and the learning rate follows the global count
   of pairs trained.  Every random draw comes from a stream named by ``(epoch, chunk, i, j)``,
   and buckets of a round touch disjoint rows, so the result for a seed is bit-for-bit the same
   whatever runs the buckets: threads in this process, the out-of-core buffer, or Dask workers.

Executors (all produce identical vectors for a seed):

* :class:`InMemoryExecutor` (no ``workdir``): the tables live in memory, the ``P`` buckets of a
  round run on ``workers`` threads (the kernels release the GIL).
* :class:`OutOfCoreExecutor` (``workdir`` given): each partition's input and output rows are
  ``.npy`` blocks in ``workdir/blocks``; a buffer of ``buffer`` blocks is held in memory, the
  next bucket's blocks are prefetched (and evicted blocks written back) on an I/O thread while
  the current bucket trains.  Peak memory is about ``buffer`` blocks plus one pair chunk.
* any object with the same four methods, e.g. ``graphemb.distributed.training.DaskExecutor``
  (``partition_options={"executor": ...}``); the core never imports dask.

Block files are immutable versions (``in_0003.v00000017.npy``: input rows of partition 3 after
17 rounds); a run writes a checkpoint (``checkpoint.json``) after every chunk, and a rerun on the
same ``workdir`` with the same corpus and parameters resumes from it.  A workdir of another run
is refused with a message naming it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._memory import check_allocation, format_bytes, release_pages
from .._rng import stream_state
from .._validation import check_int
from ..corpus import as_token_chunks
from . import _kernels
from . import _partition_kernels as pk
from ._common import INIT_HALF_WIDTH, check_chunk, keep_probabilities, progress_bar

__all__ = [
    "DEFAULT_BUFFER",
    "DEFAULT_CHUNKS",
    "InMemoryExecutor",
    "OutOfCoreExecutor",
    "PartitionJob",
    "PartitionPlan",
    "BucketTask",
    "bucket_task_on_files",
    "chunk_rounds",
    "fit_partitioned",
    "snake_partition",
]

logger = logging.getLogger(__name__)

FORMAT = "graphemb-partitioned-sgns"
FORMAT_VERSION = 1
DEFAULT_CHUNKS = 8
"""Chunks per bucket and epoch (each chunk runs all ``P`` rounds once)."""
DEFAULT_BUFFER = 4
"""Blocks (one partition's input or output rows) the out-of-core executor holds: two for the
bucket being trained, two for the next one (prefetch)."""
_EXTRACT_TOKENS = 1 << 18  # tokens per extraction call (bounds the pair buffer to ~2 window x this)
_TAG_PAIRS = 0x50414952  # stream of the pair extraction ("PAIR")
_TAG_TRAIN = 0x54524E  # stream of the bucket training ("TRN")
_TAG_ROUNDS = 0x524F554E  # round order ("ROUN")
_TAG_INIT = 0x5347  # initial input vectors (as the trainer)
_OPTION_KEYS = ("workdir", "buffer", "chunks", "executor", "scheduler")


# ---------------------------------------------------------------- partitioning
@dataclass
class PartitionPlan:
    """Which partition, and which row inside it, each node gets.

    Attributes
    ----------
    part_of : ndarray of int32, shape (n,)
    local_of : ndarray of int32, shape (n,)
    members : list of ndarray of int32
        ``members[j][k]`` is the node at row ``k`` of partition ``j``.

    Node ids are int32 (as the corpus tokens), so 12 bytes per node in all.
    """

    part_of: np.ndarray
    local_of: np.ndarray
    members: list[np.ndarray]

    @property
    def sizes(self) -> np.ndarray:
        """Rows of each partition (int64, shape (P,))."""
        return np.array([m.shape[0] for m in self.members], dtype=np.int64)


def snake_partition(counts: np.ndarray, num_parts: int) -> PartitionPlan:
    """Deal nodes to ``num_parts`` partitions in a count-ordered snake (GraphVite).

    Nodes sorted by count, descending (ties by index), go to partitions
    ``0, 1, ..., P-1, P-1, ..., 1, 0, 0, 1, ...``; the ``k``-th node a partition receives is
    its row ``k``.  Sizes differ by at most one and every monotone function of the count
    (tokens, ``count ** 0.75`` noise mass) is balanced to within one node's share per block.

    Parameters
    ----------
    counts : ndarray of int64, shape (n,)
    num_parts : int
        ``1 <= num_parts <= n``.

    Returns
    -------
    PartitionPlan
        O(n log n) time (the sort); memory: the plan's 12 bytes per node, and while sorting the
        sort's keys and order (24 bytes per node, int64) and two int32 work arrays.
    """
    n = counts.shape[0]
    order = np.lexsort((np.arange(n), -counts.astype(np.int64))).astype(np.int32)  # ids are int32 (the corpus')
    block = np.arange(n, dtype=np.int32)
    part = block % np.int32(num_parts)  # rank % P, then the snake's direction
    block //= np.int32(num_parts)
    odd = (block % 2).astype(bool)
    part[odd] = np.int32(num_parts - 1) - part[odd]
    del odd
    part_of = np.empty(n, dtype=np.int32)
    local_of = np.empty(n, dtype=np.int32)
    part_of[order] = part
    local_of[order] = block
    del block
    members = [order[part == j] for j in range(num_parts)]
    return PartitionPlan(part_of, local_of, members)


# -------------------------------------------------------------------- the job
@dataclass(frozen=True)
class PartitionJob:
    """Everything a bucket task needs besides its blocks (small and picklable).

    ``bucket_pairs[i * P + j]`` is the number of pairs of bucket ``(i, j)``; ``sizes[j]`` the
    rows of partition ``j``; ``total_pairs`` the pairs of all epochs (the learning-rate scale).
    """

    workdir: str
    num_parts: int
    chunks: int
    dimensions: int
    negative: int
    seed: int
    kernel_seed: int
    epochs: int
    alpha: float
    min_alpha: float
    sizes: tuple[int, ...]
    bucket_pairs: tuple[int, ...]
    total_pairs: int

    def span(self, i: int, j: int, chunk: int) -> tuple[int, int]:
        """Rows ``[lo, hi)`` of bucket ``(i, j)``'s pair file that form chunk ``chunk``."""
        m = self.bucket_pairs[i * self.num_parts + j]
        return m * chunk // self.chunks, m * (chunk + 1) // self.chunks


class BucketTask(NamedTuple):
    """One bucket chunk: train pairs ``[lo, hi)`` of bucket ``(i, j)``; outputs get ``version``."""

    i: int
    j: int
    lo: int
    hi: int
    epoch: int
    stream: int
    lr: tuple[float, float, float, float, float]
    version: int


def round_order(seed: int, epoch: int, chunk: int, num_parts: int) -> np.ndarray:
    """The order of the ``P`` rounds in chunk ``chunk`` of epoch ``epoch`` (a seeded permutation)."""
    return np.random.default_rng([seed, _TAG_ROUNDS, epoch, chunk]).permutation(num_parts)


def chunk_rounds(job: PartitionJob, epoch: int, chunk: int) -> list[list[BucketTask]]:
    """The ``P`` rounds of one chunk, in training order, each a list of ``P`` disjoint bucket tasks.

    The learning rate of a round starts at the global count of pairs trained before it; inside a
    bucket it advances by ``round pairs / bucket pairs`` per pair, so the ``P`` buckets of a round
    sweep the same stretch of the schedule side by side.
    """
    P = job.num_parts
    done = float(epoch) * (job.total_pairs // job.epochs)
    for k in range(chunk):
        for b in range(P * P):
            lo, hi = job.span(b // P, b % P, k)
            done += hi - lo
    rounds: list[list[BucketTask]] = []
    for s, r in enumerate(round_order(job.seed, epoch, chunk, P)):
        spans = [job.span(i, (i + int(r)) % P, chunk) for i in range(P)]
        round_pairs = float(sum(hi - lo for lo, hi in spans))
        version = (epoch * job.chunks + chunk) * P + s + 1
        tasks = []
        for i, (lo, hi) in enumerate(spans):
            j = (i + int(r)) % P
            step = round_pairs / (hi - lo) if hi > lo else 0.0
            lr = (job.alpha, job.min_alpha, float(job.total_pairs), done, step)
            tasks.append(BucketTask(i, j, lo, hi, epoch, chunk * P * P + i * P + j, lr, version))
        rounds.append(tasks)
        done += round_pairs
    return rounds


# ----------------------------------------------------------------- file names
def pairs_path(workdir: str | os.PathLike, i: int, j: int) -> Path:
    """Pair file of bucket ``(i, j)``: raw little-endian int32, shape (m, 2)."""
    return Path(workdir) / "pairs" / f"b{i:04d}_{j:04d}.pairs"


def block_path(workdir: str | os.PathLike, kind: str, i: int, version: int) -> Path:
    """Block file: ``kind`` (``"in"`` or ``"out"``) rows of partition ``i`` after ``version`` rounds."""
    return Path(workdir) / "blocks" / f"{kind}_{i:04d}.v{version:08d}.npy"


def noise_path(workdir: str | os.PathLike, j: int) -> Path:
    """Alias table of partition ``j``'s noise share (``.npz`` with ``prob`` and ``alias``)."""
    return Path(workdir) / "noise" / f"noise_{j:04d}.npz"


def atomic_save(path: str | os.PathLike, array: np.ndarray) -> int:
    """Save ``array`` as ``.npy`` under a temporary name, then rename; returns the bytes written.

    No fsync: the rename protects against a killed process or worker (the file is complete or
    absent), not against a power cut of the machine holding the folder.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}-{os.urandom(4).hex()}")
    with open(tmp, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
    os.replace(tmp, path)
    return int(array.nbytes)


def _atomic_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    tmp.write_text(json.dumps(obj, indent=1, sort_keys=True))
    os.replace(tmp, path)


def load_pairs(job: PartitionJob, task: BucketTask) -> np.ndarray:
    """A private copy of the task's pairs (int32, shape (hi - lo, 2)); O(hi - lo) read."""
    m = task.hi - task.lo
    if m == 0:
        return np.zeros((0, 2), dtype=np.int32)
    total = job.bucket_pairs[task.i * job.num_parts + task.j]
    mm = np.memmap(pairs_path(job.workdir, task.i, task.j), dtype="<i4", mode="r", shape=(total, 2))
    out = np.array(mm[task.lo : task.hi], dtype=np.int32, order="C")
    del mm
    return out


def load_noise(workdir: str | os.PathLike, j: int) -> np.ndarray:
    """The alias table of partition ``j``, packed (``(n_j, 2)`` float64: prob, alias; 16 bytes a row)."""
    with np.load(noise_path(workdir, j), allow_pickle=False) as z:
        return _kernels.pack_alias_table(z["prob"], z["alias"])


def run_task(
    job: PartitionJob, task: BucketTask, syn0: np.ndarray, syn1: np.ndarray, noise: np.ndarray,
    tables: np.ndarray, pairs: np.ndarray | None = None,
) -> tuple[float, int]:  # fmt: skip
    """Train one bucket chunk in place on ``syn0`` (partition ``i``'s input rows) and ``syn1``
    (partition ``j``'s output rows).  Returns ``(loss, pairs)``.  Releases the GIL while training."""
    if pairs is None:
        pairs = load_pairs(job, task)
    if pairs.shape[0] == 0:
        return 0.0, 0
    lr = np.array(task.lr, dtype=np.float64)
    loss, count = pk.train_bucket(
        pairs, syn0, syn1, noise, tables, job.negative, np.uint64(job.kernel_seed),
        _TAG_TRAIN + task.epoch, task.stream, lr,
    )  # fmt: skip
    return float(loss), int(count)


def bucket_task_on_files(job: PartitionJob, task: BucketTask, in_version: int, out_version: int) -> dict:
    """Run one bucket chunk from committed block files to new ones (the unit of a distributed task).

    Reads ``in_{i}.v{in_version}`` and ``out_{j}.v{out_version}`` (never modified: the update
    goes to a copy), trains, and writes ``in_{i}.v{task.version}`` and ``out_{j}.v{task.version}``
    atomically.  Running it twice writes the same bytes twice, so a rerun after a lost worker can
    never apply an update twice.

    Returns
    -------
    dict
        ``{"i", "j", "version", "loss", "pairs", "bytes_read", "bytes_written"}``.
    """
    syn0 = np.load(block_path(job.workdir, "in", task.i, in_version), allow_pickle=False)
    syn1 = np.load(block_path(job.workdir, "out", task.j, out_version), allow_pickle=False)
    noise = load_noise(job.workdir, task.j)
    loss, count = run_task(job, task, syn0, syn1, noise, _kernels.sigmoid_tables())
    written = atomic_save(block_path(job.workdir, "in", task.i, task.version), syn0)
    written += atomic_save(block_path(job.workdir, "out", task.j, task.version), syn1)
    return {
        "i": task.i, "j": task.j, "version": task.version, "loss": loss, "pairs": count,
        "bytes_read": int(syn0.nbytes + syn1.nbytes), "bytes_written": written,
    }  # fmt: skip


def initial_block(job: PartitionJob, kind: str, i: int) -> np.ndarray:
    """Version 0 of a block: input rows uniform in ``[-h/d, h/d]`` (seeded per partition), output rows 0."""
    n_i, d = job.sizes[i], job.dimensions
    if kind == "out":
        return np.zeros((n_i, d), dtype=np.float32)
    rng = np.random.default_rng([job.seed, _TAG_INIT, i])
    block = rng.random((n_i, d), dtype=np.float32)
    block -= np.float32(0.5)
    block *= np.float32(2.0 * INIT_HALF_WIDTH / d)
    return block


# ------------------------------------------------------------------ executors
class InMemoryExecutor:
    """All blocks in memory; the buckets of a round run on ``workers`` threads."""

    persistent = False

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))
        self.stats = {"bytes_read": 0, "bytes_written": 0}

    def start(self, job: PartitionJob, versions: dict | None) -> None:
        self.job = job
        P = job.num_parts
        self.ins = [initial_block(job, "in", i) for i in range(P)]
        self.outs = [initial_block(job, "out", i) for i in range(P)]
        self.noise = [load_noise(job.workdir, j) for j in range(P)]
        self.tables = _kernels.sigmoid_tables()
        self.pool = ThreadPoolExecutor(max_workers=min(self.workers, P)) if self.workers > 1 else None

    def _one(self, task: BucketTask) -> tuple[float, int]:
        return run_task(self.job, task, self.ins[task.i], self.outs[task.j], self.noise[task.j], self.tables)

    def run_chunk(self, rounds: list[list[BucketTask]], progress: Any = None) -> tuple[float, int]:
        loss, pairs = 0.0, 0
        for tasks in rounds:
            results = list(self.pool.map(self._one, tasks)) if self.pool else [self._one(t) for t in tasks]
            for lo, pa in results:  # summed in task order: the loss does not depend on the threads
                loss += lo
                pairs += pa
            if progress is not None:
                progress(sum(pa for _, pa in results))
        return loss, pairs

    def commit(self) -> dict | None:
        return None

    def assemble(self, plan: PartitionPlan, num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
        """The tables in node order; the input table is built and its blocks dropped before the output
        table, so the peak is the blocks plus one table (not two).  Call once: the blocks are gone after."""
        d = self.job.dimensions
        tables = []
        for kind in ("ins", "outs"):
            table = np.empty((num_nodes, d), dtype=np.float32)
            blocks = getattr(self, kind)
            for i, rows in enumerate(plan.members):
                table[rows] = blocks[i]
                blocks[i] = None
            tables.append(table)
        return tables[0], tables[1]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


class OutOfCoreExecutor:
    """Blocks on disk (``workdir/blocks``), ``buffer`` of them in memory, prefetch on an I/O thread.

    Buckets run one at a time.  Within a round (whose order does not change the result) the
    buckets whose blocks are already in the buffer go first; a block is evicted when it has
    already served the current round (least recently used first), else the one needed last.
    Evicted blocks are written back as a new version; with ``buffer >= 4`` the next bucket's
    blocks are loaded, and evicted ones written, while the current bucket trains.
    """

    persistent = True

    def __init__(self, buffer: int = DEFAULT_BUFFER) -> None:
        if buffer < 2:
            raise ValueError(f"The 'buffer' partition option must be an int >= 2 (blocks). Got {buffer!r} instead.")
        self.buffer = int(buffer)
        self.stats = {"bytes_read": 0, "bytes_written": 0, "block_reads": 0, "block_writes": 0}

    def start(self, job: PartitionJob, versions: dict) -> None:
        self.job = job
        self.versions = {("in", i): v for i, v in enumerate(versions["in"])}
        self.versions.update({("out", i): v for i, v in enumerate(versions["out"])})
        self.on_disk = dict(self.versions)  # latest version written per block
        self.committed = dict(self.versions)
        self.cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()  # LRU order
        self.dirty: set[tuple[str, int]] = set()
        self.noise = [load_noise(job.workdir, j) for j in range(job.num_parts)]
        self.tables = _kernels.sigmoid_tables()
        self.io = ThreadPoolExecutor(max_workers=1)
        self.lock = threading.Lock()

    # -- I/O (runs on the I/O thread or inline)
    def _write(self, key: tuple[str, int], array: np.ndarray) -> None:
        version = self.versions[key]
        n = atomic_save(block_path(self.job.workdir, key[0], key[1], version), array)
        with self.lock:
            old = self.on_disk.get(key)
            self.on_disk[key] = version
            self.stats["bytes_written"] += n
            self.stats["block_writes"] += 1
        if old is not None and old != version and old != self.committed.get(key):
            block_path(self.job.workdir, key[0], key[1], old).unlink(missing_ok=True)

    def _read(self, key: tuple[str, int]) -> np.ndarray:
        path = block_path(self.job.workdir, key[0], key[1], self.on_disk[key])
        array = np.load(path, allow_pickle=False)  # read straight into the new buffer (no map, no copy)
        with self.lock:
            self.stats["bytes_read"] += int(array.nbytes)
            self.stats["block_reads"] += 1
        return array

    def _swap(self, victims: list[tuple[tuple[str, int], np.ndarray, bool]], wanted: list[tuple[str, int]]) -> dict:
        """Write back the victims, drop them (before any read: the buffer never exceeds its size), read ``wanted``."""
        while victims:
            key, array, dirty = victims.pop()
            if dirty:
                self._write(key, array)
            del array
        return {key: self._read(key) for key in wanted}

    # -- planning
    def _plan(self, need: set, keep: set, used: set, later: list) -> tuple[list, list]:
        """Victims (removed from the cache now) and blocks to load so that ``need`` is resident."""
        missing = [k for k in sorted(need) if k not in self.cache]
        room = self.buffer - len(self.cache)
        victims = []
        if len(missing) > room:
            candidates = [k for k in self.cache if k not in keep]  # LRU order
            first = [k for k in candidates if k in used]
            rest = sorted((k for k in candidates if k not in used), key=lambda k: -later.index(k) if k in later else 0)
            for key in (first + rest)[: len(missing) - room]:
                victims.append((key, self.cache.pop(key), key in self.dirty))
                self.dirty.discard(key)
        return victims, missing

    def run_chunk(self, rounds: list[list[BucketTask]], progress: Any = None) -> tuple[float, int]:
        loss, pairs = 0.0, 0
        for tasks in rounds:
            resident = set(self.cache)
            tasks = sorted(tasks, key=lambda t: -((("in", t.i) in resident) + (("out", t.j) in resident)))
            used: set = set()
            pending = None
            for k, task in enumerate(tasks):
                need = {("in", task.i), ("out", task.j)}
                if pending is not None:
                    self.cache.update(pending.result())  # no loop variable: it would keep an evicted block alive
                    pending = None
                later = [key for t in tasks[k + 1 :] for key in (("in", t.i), ("out", t.j))]
                victims, missing = self._plan(need, need, used, later)
                if missing or victims:
                    self.cache.update(self._swap(victims, missing))
                for key in need:
                    self.cache.move_to_end(key)
                if k + 1 < len(tasks) and self.buffer >= 4:  # prefetch the next bucket's blocks
                    nxt = tasks[k + 1]
                    nneed = {("in", nxt.i), ("out", nxt.j)}
                    victims, missing = self._plan(nneed, need | nneed, used, later[2:])
                    if missing or victims:
                        pending = self.io.submit(self._swap, victims, missing)
                lo, pa = run_task(
                    self.job, task, self.cache[("in", task.i)], self.cache[("out", task.j)],
                    self.noise[task.j], self.tables,
                )  # fmt: skip
                loss += lo
                pairs += pa
                for key in need:
                    self.versions[key] = task.version
                    self.dirty.add(key)
                used |= need
                if progress is not None:
                    progress(pa)
            if pending is not None:
                self.cache.update(pending.result())
        return loss, pairs

    def commit(self) -> dict:
        """Write every dirty block; return the versions of all blocks (the checkpoint)."""
        for key in sorted(self.dirty):
            self._write(key, self.cache[key])
        self.dirty.clear()
        self.committed = dict(self.versions)
        P = self.job.num_parts
        return {kind: [self.versions[(kind, i)] for i in range(P)] for kind in ("in", "out")}

    def assemble(self, plan: PartitionPlan, num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
        """Commit, drop the buffer, then write the tables in node order (the buffer would otherwise
        sit beside the assembly's mapped block and slab: the run's peak).  Call once."""
        versions = self.commit()
        self.cache.clear()
        return assemble_from_files(self.job, versions, plan, num_nodes)

    def close(self) -> None:
        self.io.shutdown()


def assemble_from_files(
    job: PartitionJob, versions: dict, plan: PartitionPlan, num_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Write the final tables in node order to ``workdir/{input,output}_vectors.npy`` and return
    them memory-mapped (read-only).

    Written slab by slab of consecutive nodes (about one block of rows each): for a slab, every
    block file is mapped read-only, the slab's rows are copied out and the map is dropped, and the
    slab is appended with ``write`` (no writable map, whose dirty pages would count in the resident
    set).  Each slab is checked to be finite.  Peak memory: one slab plus the pages it touched; time
    O(n d) plus ``P`` maps per slab; files written atomically (temporary name, then rename).

    Raises
    ------
    FloatingPointError
        If a vector is not finite.
    """
    d = job.dimensions
    slab = max(1, -(-num_nodes // job.num_parts) // 8)
    out = []
    for kind, name in (("in", "input_vectors.npy"), ("out", "output_vectors.npy")):
        final = Path(job.workdir) / name
        tmp = final.with_name(f".{name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            header = {"descr": "<f4", "fortran_order": False, "shape": (num_nodes, d)}
            np.lib.format.write_array_header_1_0(fh, header)
            for a in range(0, num_nodes, slab):
                b = min(num_nodes, a + slab)
                rows = np.empty((b - a, d), dtype=np.float32)
                parts = plan.part_of[a:b]
                locs = plan.local_of[a:b]
                for i in np.unique(parts):
                    sel = parts == i
                    block = np.load(block_path(job.workdir, kind, int(i), versions[kind][int(i)]), mmap_mode="r")
                    rows[sel] = block[locs[sel]]
                    del block
                if not np.isfinite(rows).all():
                    raise FloatingPointError(
                        f"SGNS training lost finiteness (nodes {a}..{b - 1}); lower 'alpha' (got {job.alpha!r})."
                    )
                fh.write(rows.tobytes())
        os.replace(tmp, final)
        out.append(np.load(final, mmap_mode="r", allow_pickle=False))
    return out[0], out[1]


# ----------------------------------------------------------------- workdir
def _identity(p: dict, counts: np.ndarray, corpus: Any, P: int, chunks: int) -> dict:
    manifest = getattr(corpus, "manifest", None)
    fingerprint = None
    if isinstance(manifest, dict):
        fingerprint = (manifest.get("graph") or {}).get("fingerprint")
    params = {k: p[k] for k in ("dimensions", "window", "negative", "ns_exponent", "alpha", "min_alpha", "sample")}
    params.update(epochs=p["epochs"], seed=p["seed_"], shrink_window=p["shrink_window"], partitions=P, chunks=chunks)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "num_nodes": int(counts.shape[0]),
        "num_tokens": int(counts.sum()),
        "node_counts_sha256": hashlib.sha256(np.ascontiguousarray(counts, dtype="<i8").tobytes()).hexdigest(),
        "graph_fingerprint": fingerprint,
        "params": params,
    }


def _prepare_workdir(workdir: Path, identity: dict) -> None:
    """Create ``workdir`` or check that it belongs to this run; refuse any other."""
    run_file = workdir / "run.json"
    if workdir.exists() and not workdir.is_dir():
        raise ValueError(f"The workdir {workdir} of SGNS(partitions=...) is a file, not a folder.")
    if run_file.is_file():
        try:
            old = json.loads(run_file.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"The workdir {workdir} holds an unreadable {run_file.name} ({exc}); delete it.") from None
        if old.get("format") != FORMAT or old.get("format_version", 0) > FORMAT_VERSION:
            raise ValueError(f"The workdir {workdir} is not a graphemb partitioned-training folder of this version.")
        diff = _first_difference(old, identity)
        if diff is not None:
            key, there, here = diff
            raise ValueError(
                f"The workdir {workdir} belongs to another run ({key} is {there!r} there, {here!r} here: another "
                "graph, corpus or parameters). Use a new folder, or delete this one to start over."
            )
    elif workdir.is_dir() and any(workdir.iterdir()):
        raise ValueError(
            f"The workdir {workdir} is not empty and holds no run.json: it is not a graphemb partitioned-training "
            "folder. Give an empty or new folder."
        )
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        _atomic_json(run_file, identity)
    for sub in ("pairs", "blocks", "noise"):
        (workdir / sub).mkdir(exist_ok=True)


def _first_difference(old: dict, new: dict, prefix: str = "") -> tuple[str, Any, Any] | None:
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found = _first_difference(a, b, f"{prefix}{key}.")
            if found:
                return found
        elif a != b:
            return f"{prefix}{key}", a, b
    return None


# ----------------------------------------------------------------- extraction
def _token_pieces(offsets: np.ndarray, budget: int) -> list[tuple[int, int]]:
    n_walks = offsets.shape[0] - 1
    if n_walks <= 0:
        return []
    cuts = np.searchsorted(offsets, np.arange(budget, int(offsets[-1]), budget), side="left")
    bounds = [0, *sorted(set(int(c) for c in cuts if 0 < c < n_walks)), n_walks]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def extract_bucket_pairs(
    corpus: Any, workdir: Path, plan: PartitionPlan, keep_prob: np.ndarray, window: int, shrink: bool,
    kernel_seed: np.uint64, num_nodes: int,
) -> np.ndarray:  # fmt: skip
    """Read the corpus once and append every pair to its bucket file; returns the counts (P * P,).

    Files are written under temporary names and renamed when the whole corpus is read;
    ``pairs.json`` (the counts) is written last, so its presence means the buckets are complete.
    Memory: the pairs of ``_EXTRACT_TOKENS`` tokens at a time; the pages of a read-only
    memory-mapped chunk (shards, ``np.load(mmap_mode="r")``) are released once it is read
    (:func:`graphemb._memory.release_pages`), so the corpus does not stay resident while training.
    """
    P = len(plan.members)
    counts = np.zeros(P * P, dtype=np.int64)
    # np.uint64: a jitted function returns a Python int, which numba types as int64 below 2**63 and
    # uint64 above; once extract_pairs has an int64 signature, a state above 2**63 fails to convert
    seed = np.uint64(stream_state(kernel_seed, np.uint64(_TAG_PAIRS)))
    tmp = {b: workdir / "pairs" / f".{pairs_path(workdir, b // P, b % P).name}.tmp" for b in range(P * P)}
    for path in tmp.values():
        path.write_bytes(b"")
    walk_base = 0
    dummy = np.zeros((0, 2), dtype=np.int32)
    for tokens, offsets in as_token_chunks(corpus):
        tokens, offsets = check_chunk(tokens, offsets, num_nodes)
        for w0, w1 in _token_pieces(offsets, _EXTRACT_TOKENS):
            piece = np.zeros(P * P, dtype=np.int64)
            args = (tokens, offsets, w0, w1, walk_base, keep_prob, window, shrink, seed, plan.part_of, plan.local_of, P)
            pk.extract_pairs(*args, piece, False, piece.copy(), dummy)
            starts = np.zeros(P * P + 1, dtype=np.int64)
            np.cumsum(piece, out=starts[1:])
            out = np.empty((int(starts[-1]), 2), dtype=np.int32)
            pk.extract_pairs(*args, np.zeros(P * P, dtype=np.int64), True, starts[:-1].copy(), out)
            for b in np.flatnonzero(piece):
                with open(tmp[b], "ab") as fh:
                    fh.write(out[starts[b] : starts[b + 1]].astype("<i4", copy=False).tobytes())
            counts += piece
        walk_base += offsets.shape[0] - 1
        release_pages(tokens)  # a memory-mapped corpus is read once here: its pages need not stay resident
    for b, path in tmp.items():
        os.replace(path, pairs_path(workdir, b // P, b % P))
    _atomic_json(workdir / "pairs.json", {"bucket_pairs": counts.tolist(), "num_walks": walk_base})
    return counts


# --------------------------------------------------------------------- options
def check_options(options: Any) -> dict:
    """Validate ``SGNS(partition_options=...)``: keys ``workdir``, ``buffer``, ``chunks``, ``executor``."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"The 'partition_options' parameter of SGNS must be a dict or None. Got {options!r} instead.")
    unknown = sorted(set(options) - set(_OPTION_KEYS))
    if unknown:
        raise ValueError(
            f"Unknown key {unknown[0]!r} in the 'partition_options' parameter of SGNS; valid keys: "
            f"{', '.join(_OPTION_KEYS)}."
        )
    out = dict(options)
    out["chunks"] = check_int(options.get("chunks", DEFAULT_CHUNKS), "chunks", "SGNS partition_options", minimum=1)
    out["buffer"] = check_int(options.get("buffer", DEFAULT_BUFFER), "buffer", "SGNS partition_options", minimum=2)
    if options.get("scheduler") is not None:
        raise ValueError(
            "SGNS(partition_options={'scheduler': ...}) needs the Dask executor: pass "
            "partition_options={'executor': graphemb.distributed.training.DaskExecutor(scheduler)} instead "
            "(Node2Vec/DeepWalk and the command line do this for you)."
        )
    executor = options.get("executor")
    if executor is not None:
        missing = [m for m in ("start", "run_chunk", "commit", "assemble") if not callable(getattr(executor, m, None))]
        if missing:
            raise ValueError(f"The executor in SGNS partition_options lacks the method(s) {', '.join(missing)}.")
        if options.get("workdir") is None:
            raise ValueError("SGNS partition_options: an executor needs a 'workdir' on storage all its workers share.")
    return out


# ------------------------------------------------------------------------ fit
def fit_partitioned(model: Any, p: dict, corpus: Any, counts: np.ndarray, num_nodes: int) -> Any:
    """Train ``model`` (an :class:`~graphemb.sgns.SGNS` with ``partitions > 1``) on ``corpus``.

    ``p`` is the trainer's checked parameters, ``counts`` the node counts.  Sets the trainer's
    usual attributes plus ``partition_stats_``.  See the module docstring for the algorithm.
    """
    P = p["partitions"]
    opts = check_options(p.get("partition_options"))
    if p["objective"] != "negative_sampling":
        raise ValueError(
            f"SGNS(partitions={P}) trains negative sampling only; got objective={p['objective']!r}. "
            "Use partitions=1 for the softmax objectives."
        )
    n, d = num_nodes, p["dimensions"]
    if P > n:
        raise ValueError(f"The 'partitions' parameter of SGNS must be <= num_nodes={n}. Got {P} instead.")
    chunks = opts["chunks"]
    executor = opts.get("executor")
    user_workdir = opts.get("workdir")
    temporary = user_workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="graphemb-partitions-")) if temporary else Path(user_workdir)
    max_block = 4 * d * -(-n // P)
    if executor is None and temporary:
        check_allocation(2 * n * d * 4, f"the SGNS vector tables ({n:,} nodes x {d} dimensions x 2, float32)",
                         "Pass partition_options={'workdir': DIR} to train out of core.")  # fmt: skip
    elif executor is None:
        check_allocation(opts["buffer"] * max_block, f"the out-of-core buffer ({opts['buffer']} blocks of "
                         f"{format_bytes(max_block)})", "Use more partitions or a smaller 'buffer'.")  # fmt: skip
    t_start = time.perf_counter()
    try:
        identity = _identity(p, counts, corpus, P, chunks)
        if not temporary:
            _prepare_workdir(workdir, identity)
        else:
            for sub in ("pairs", "blocks", "noise"):
                (workdir / sub).mkdir(exist_ok=True)
        plan = snake_partition(counts, P)
        total_tokens = int(counts.sum())
        weights = np.zeros(n, dtype=np.float64)
        seen = counts > 0
        weights[seen] = counts[seen].astype(np.float64) ** p["ns_exponent"]
        if not np.all(np.isfinite(weights)) or not np.isfinite(weights.sum()) or weights.sum() <= 0:
            raise ValueError(
                f"The 'ns_exponent' parameter of SGNS gives a degenerate noise distribution "
                f"(counts ** {p['ns_exponent']} overflows). Use a value such as 0.75."
            )
        mass = np.array([weights[m].sum() for m in plan.members]) / weights.sum()
        for j, rows in enumerate(plan.members):
            if not noise_path(workdir, j).is_file():
                w = weights[rows]
                prob, alias = _kernels.build_alias_table(w if w.sum() > 0 else np.ones_like(w))
                tmp = noise_path(workdir, j).with_name(f".noise_{j:04d}.tmp-{os.getpid()}.npz")
                np.savez(tmp, prob=prob, alias=alias)
                os.replace(tmp, noise_path(workdir, j))
        del weights, seen  # what the buckets need of them is in the noise files

        t0 = time.perf_counter()
        pairs_file = workdir / "pairs.json"
        if pairs_file.is_file():
            bucket_pairs = np.array(json.loads(pairs_file.read_text())["bucket_pairs"], dtype=np.int64)
            logger.info("SGNS partitions: reusing the bucket files of %s", workdir)
        else:
            keep_prob = keep_probabilities(counts, total_tokens, p["sample"])
            bucket_pairs = extract_bucket_pairs(
                corpus, workdir, plan, keep_prob, p["window"], p["shrink_window"], p["kernel_seed"], n
            )
            del keep_prob  # the pairs are drawn: the buckets never read the corpus or sub-sample again
        extract_seconds = time.perf_counter() - t0
        pairs_per_epoch = int(bucket_pairs.sum())
        if pairs_per_epoch == 0:
            raise ValueError("The corpus passed to SGNS.fit yields no skip-gram pairs (walks of one node?).")
        job = PartitionJob(
            workdir=str(workdir), num_parts=P, chunks=chunks, dimensions=d, negative=p["negative"], seed=p["seed_"],
            kernel_seed=int(p["kernel_seed"]), epochs=p["epochs"], alpha=p["alpha"], min_alpha=p["min_alpha"],
            sizes=tuple(int(s) for s in plan.sizes), bucket_pairs=tuple(int(c) for c in bucket_pairs),
            total_pairs=pairs_per_epoch * p["epochs"],
        )  # fmt: skip
        logger.info(
            "SGNS partitions: %d nodes in %d partitions (%s per block), %d pairs per epoch in %d buckets x %d chunks",
            n, P, format_bytes(max_block), pairs_per_epoch, P * P, chunks,
        )  # fmt: skip

        if executor is None:
            executor = InMemoryExecutor(p["workers"]) if temporary else OutOfCoreExecutor(opts["buffer"])
        state = _load_checkpoint(workdir) if executor.persistent else None
        losses = np.zeros(p["epochs"], dtype=np.float64)
        pair_counts = np.zeros(p["epochs"], dtype=np.int64)
        first = 0
        if state is not None:
            versions = state["versions"]
            first = int(state["chunks_done"])
            losses[:] = state["loss"]
            pair_counts[:] = state["pairs"]
            logger.info("SGNS partitions: resuming %s after %d of %d chunks", workdir, first, p["epochs"] * chunks)
        elif executor.persistent:
            for kind in ("in", "out"):
                for i in range(P):
                    atomic_save(block_path(workdir, kind, i, 0), initial_block(job, kind, i))
            versions = {"in": [0] * P, "out": [0] * P}
        else:
            versions = None
        executor.start(job, versions)
        bar = progress_bar(p["verbose"], pairs_per_epoch * p["epochs"])
        if bar is not None:
            bar.unit = "pair"
            bar.update(int(pair_counts.sum()))
        t_train = time.perf_counter()
        try:
            for q in range(first, p["epochs"] * chunks):
                epoch, chunk = divmod(q, chunks)
                lo, pa = executor.run_chunk(chunk_rounds(job, epoch, chunk), bar.update if bar is not None else None)
                losses[epoch] += lo
                pair_counts[epoch] += pa
                if executor.persistent:
                    versions = executor.commit()
                    _atomic_json(
                        workdir / "checkpoint.json",
                        {"chunks_done": q + 1, "versions": versions, "loss": losses.tolist(),
                         "pairs": pair_counts.tolist()},
                    )  # fmt: skip
                    _collect_garbage(workdir, versions)
            syn0, syn1 = executor.assemble(plan, n)
        finally:
            if bar is not None:
                bar.close()
            close = getattr(executor, "close", None)
            if close is not None:
                close()
        train_seconds = time.perf_counter() - t_train
        if isinstance(syn0, np.memmap):
            pass  # checked slab by slab while assembled (assemble_from_files)
        elif not (np.isfinite(syn0).all() and np.isfinite(syn1).all()):
            raise FloatingPointError(f"SGNS training lost finiteness; lower 'alpha' (got {p['alpha']!r}).")
        centre_share = bucket_pairs.reshape(P, P).sum(axis=0) / pairs_per_epoch
        io_stats = dict(getattr(executor, "stats", {}))
        block_bytes = float(np.mean(plan.sizes)) * d * 4
        stats = {
            "partitions": P,
            "chunks": chunks,
            "executor": type(executor).__name__,
            "workdir": None if temporary else str(workdir),
            "bucket_pairs": bucket_pairs.reshape(P, P),
            "noise_mass": mass,
            "centre_share": centre_share,
            "extract_seconds": extract_seconds,
            "pair_file_bytes": int(8 * pairs_per_epoch),
            "pairs_trained": pair_counts.copy(),
            **io_stats,
        }
        if isinstance(executor, OutOfCoreExecutor):
            c = executor.buffer
            stats["buffer"] = c
            stats["bytes_read_lower_bound"] = int(p["epochs"] * chunks * P * max(0, 2 * P - c) * block_bytes)
        k1 = p["negative"] + 1
        model.input_vectors_ = syn0
        model.output_vectors_ = syn1
        model.loss_ = losses / np.maximum(pair_counts * k1, 1)
        model.node_counts_ = counts
        model.num_nodes_ = n
        model.seed_ = p["seed_"]
        model.trained_tokens_ = total_tokens * p["epochs"]
        model.train_seconds_ = train_seconds
        model.partition_stats_ = stats
        logger.info(
            "SGNS partitions: %d pairs in %.2f s (%.0f pairs/s; %.2f s in all)",
            int(pair_counts.sum()), train_seconds, pair_counts.sum() / max(train_seconds, 1e-9),
            time.perf_counter() - t_start,
        )  # fmt: skip
        return model
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)


def _load_checkpoint(workdir: Path) -> dict | None:
    path = workdir / "checkpoint.json"
    if not path.is_file():
        return None
    state = json.loads(path.read_text())
    for kind in ("in", "out"):
        for i, v in enumerate(state["versions"][kind]):
            if not block_path(workdir, kind, i, v).is_file():
                raise ValueError(
                    f"The workdir {workdir} is damaged: its checkpoint names {block_path(workdir, kind, i, v).name}, "
                    "which is missing. Delete the folder to start over."
                )
    return state


def _collect_garbage(workdir: Path, versions: dict) -> None:
    """Delete block files older than the checkpoint (nothing can need them any more)."""
    keep = {block_path(workdir, kind, i, v).name for kind in ("in", "out") for i, v in enumerate(versions[kind])}
    for path in (workdir / "blocks").glob("*.npy"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
