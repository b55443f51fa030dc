"""Walk shards on disk: the hand-off between the walk stage, the trainer and other machines.

A walk directory holds a corpus of random walks as memory-mappable ``int32``
``.npy`` blocks ("shards") plus a JSON manifest (format v1, docs/shards.md)::

    WALKDIR/
      manifest.json          written last, atomically: its presence means "complete"
      nodes.npy              original node ids in row order (int64 or fixed-width unicode)
      node_counts.npy        int64 (num_nodes,): occurrences of each row over the corpus
      start_nodes.npy        int64 rows of the start nodes (only when not all nodes)
      shards/w{first_walk:012d}.lengths.npy   int32 (num_walks_in_shard,)
      shards/w{first_walk:012d}.walks.npy     int32 (num_walks_in_shard, walk_length), -1 padding

Nothing is pickled: the manifest is JSON and every array is read with
``allow_pickle=False`` (shards with ``mmap_mode="r"``), so a walk directory
from an untrusted source cannot run code.  Every file is written to a
temporary name in its folder and renamed (:func:`atomic_save_npy`): a killed
writer never leaves a truncated file under a final name.

Public entry points: :func:`write_walks` and :func:`read_walks` (re-exported
as ``graphemb.write_walks`` / ``graphemb.read_walks``); the lower-level
:func:`shard_name`, :func:`write_shard`, :func:`shard_is_complete`,
:func:`write_manifest` and :func:`atomic_save_npy` serve other writers (the
distributed walk tasks).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import atomic_save_npy, atomic_write, read_format_json
from ._memory import check_allocation, format_bytes
from .corpus import WalkCorpus, add_token_counts
from .graph.csr import CSRGraph

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ShardedCorpus",
    "ShardFormatError",
    "atomic_save_npy",
    "read_walks",
    "shard_is_complete",
    "shard_name",
    "walk_params",
    "write_manifest",
    "write_shard",
    "write_walks",
    "read_text_walks",
    "write_text_walks",
]

logger = logging.getLogger(__name__)

FORMAT = "graphemb-walks"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SHARDS = "shards"
PENDING_FILE = ".pending.json"  # parameters of an unfinished write (lets a rerun resume; not part of the format)
_CHUNK_BYTES = 64 * 2**20  # default shard size when splitting an in-memory corpus


class ShardFormatError(ValueError):
    """A walk directory that is incomplete, corrupt, of a newer format or of another graph."""


# ------------------------------------------------------------------ low level
def shard_name(first_walk: int) -> str:
    """Name of the shard whose first walk has global index ``first_walk``: ``'w000000004096'``."""
    first_walk = int(first_walk)
    if first_walk < 0:
        raise ValueError(f"first_walk must be >= 0; got {first_walk}.")
    return f"w{first_walk:012d}"


def _shard_paths(folder: Path, first_walk: int) -> tuple[Path, Path]:
    name = shard_name(first_walk)
    base = folder / SHARDS
    return base / f"{name}.lengths.npy", base / f"{name}.walks.npy"


def write_shard(folder: str | os.PathLike, first_walk: int, walks: np.ndarray, lengths: np.ndarray) -> dict:
    """Write one shard of a walk directory atomically and return its manifest entry.

    Parameters
    ----------
    folder : str or PathLike
        The walk directory (the shard goes to ``folder/shards/``, created if missing).
    first_walk : int
        Global index of the shard's first walk (names the shard).
    walks : ndarray of int32, shape (num_walks, walk_length)
        Padded walks (-1 past each walk's length).
    lengths : ndarray of int32, shape (num_walks,)

    Returns
    -------
    dict
        ``{"name", "first_walk", "num_walks", "num_tokens"}``.

    Notes
    -----
    The lengths file is renamed into place first and the walks file last, so a
    shard whose ``.walks.npy`` exists under its final name is complete.
    """
    walks = np.asarray(walks)
    lengths = np.asarray(lengths)
    if walks.ndim != 2 or walks.dtype != np.int32:
        raise ValueError(f"shard walks must be a 2-D int32 array; got {walks.dtype} of shape {walks.shape}.")
    if lengths.shape != (walks.shape[0],) or lengths.dtype != np.int32:
        raise ValueError(
            f"shard lengths must be int32 of shape ({walks.shape[0]},); got {lengths.dtype} {lengths.shape}."
        )
    folder = Path(folder)
    (folder / SHARDS).mkdir(parents=True, exist_ok=True)
    lpath, wpath = _shard_paths(folder, first_walk)
    atomic_save_npy(lpath, lengths)
    atomic_save_npy(wpath, walks)
    return {
        "name": shard_name(first_walk),
        "first_walk": int(first_walk),
        "num_walks": int(walks.shape[0]),
        "num_tokens": int(lengths.sum(dtype=np.int64)),
    }


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype, int, int]:
    """``(shape, dtype, data_offset, file_size)`` of a ``.npy`` file; ShardFormatError naming it if unreadable."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            offset = fh.tell()
    except FileNotFoundError:
        raise ShardFormatError(f"{path}: file is missing.") from None
    except (OSError, ValueError) as exc:
        raise ShardFormatError(f"{path}: not a readable .npy file ({exc}).") from None
    if fortran:
        raise ShardFormatError(f"{path}: Fortran-ordered array; shards are C-ordered.")
    return tuple(shape), dtype, offset, size


def _check_npy(path: Path, shape: tuple[int, ...], dtype: np.dtype) -> None:
    got_shape, got_dtype, offset, size = _npy_header(path)
    if got_dtype.hasobject:
        raise ShardFormatError(f"{path}: holds Python objects; walk files hold int32 only (nothing is unpickled).")
    if got_shape != tuple(shape) or got_dtype != np.dtype(dtype):
        raise ShardFormatError(
            f"{path}: header says {got_dtype} of shape {got_shape}, the manifest expects {np.dtype(dtype)} of "
            f"shape {tuple(shape)}."
        )
    need = offset + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if size < need:
        raise ShardFormatError(f"{path}: truncated ({size:,} bytes, its header needs {need:,}).")


def shard_is_complete(
    folder: str | os.PathLike, entry_or_first_walk: Mapping[str, Any] | int, num_walks: int, walk_length: int
) -> bool:
    """Whether a shard exists under its final names with the expected shape, dtype and size.

    Parameters
    ----------
    folder : str or PathLike
        The walk directory.
    entry_or_first_walk : dict or int
        A manifest entry (its ``first_walk`` is used) or the first walk's index.
    num_walks, walk_length : int
        The expected shape of the walks array.

    Returns
    -------
    bool
        True when both files are present, their headers match and neither is truncated.
    """
    first = entry_or_first_walk["first_walk"] if isinstance(entry_or_first_walk, Mapping) else entry_or_first_walk
    lpath, wpath = _shard_paths(Path(folder), int(first))
    try:
        _check_npy(lpath, (int(num_walks),), np.dtype(np.int32))
        _check_npy(wpath, (int(num_walks), int(walk_length)), np.dtype(np.int32))
    except ShardFormatError:
        return False
    return True


def write_manifest(folder: str | os.PathLike, manifest: Mapping[str, Any]) -> None:
    """Write ``folder/manifest.json`` atomically; call it last (its presence marks the directory complete)."""
    text = json.dumps(manifest, indent=1, sort_keys=False) + "\n"
    atomic_write(Path(folder) / MANIFEST, lambda fh: fh.write(text.encode("utf-8")))


# ------------------------------------------------------------------ node ids
def _nodes_array(nodes: Sequence[Any]) -> tuple[np.ndarray, str]:
    """Original ids as a non-object array: int64 when every id is an int, else fixed-width unicode."""
    if isinstance(nodes, range):
        return np.arange(nodes.start, nodes.stop, nodes.step, dtype=np.int64), "int"
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in nodes)
    if ints:
        return np.fromiter(nodes, dtype=np.int64, count=len(nodes)), "int"
    if not all(isinstance(v, str) for v in nodes):
        logger.warning("node ids that are neither int nor str are stored as their str() in the walk directory")
    return np.array([str(v) for v in nodes], dtype=np.str_), "str"


def walk_params(stream: Any) -> dict:
    """The manifest's ``walks`` record of a :class:`~graphemb.WalkStream` (resolved seed included)."""
    start = stream._start
    all_nodes = start.size == stream.graph.num_nodes and np.array_equal(start, np.arange(start.size))
    return {
        "walk_length": int(stream.walk_length),
        "num_walks": int(stream.num_walks),
        "p": float(stream.p),
        "q": float(stream.q),
        "weighted": bool(stream.weighted),
        "seed": int(stream.seed_),
        "start_nodes": None if all_nodes else "start_nodes.npy",
    }


def _graph_info(graph: CSRGraph) -> dict:
    return {
        "fingerprint": graph.fingerprint(),
        "num_nodes": int(graph.num_nodes),
        "num_edges": int(graph.num_edges),
        "directed": bool(graph.directed),
        "weighted": bool(graph.weighted),
    }


# ------------------------------------------------------------------ writing
def _is_stream(obj: Any) -> bool:
    # duck-typed WalkStream (this module sits beside, not below, graphemb.walks)
    return all(hasattr(obj, a) for a in ("_fill", "seed_", "chunk_size", "num_walks_total", "graph", "_start"))


def _prepare_folder(path: Path, pending: dict, overwrite: bool) -> None:
    """Create ``path``; clear a previous run's files when allowed; keep resumable shards of the same run."""
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path}: exists and is not a directory.")
    path.mkdir(parents=True, exist_ok=True)
    manifest = path / MANIFEST
    pend = path / PENDING_FILE
    same_run = False
    if pend.exists():
        try:
            same_run = json.loads(pend.read_text(encoding="utf-8")) == pending
        except (OSError, ValueError):
            same_run = False
    if manifest.exists() and not overwrite:
        raise FileExistsError(f"{manifest}: a complete walk directory is already there; pass overwrite=True.")
    has_shards = (path / SHARDS).is_dir() and any((path / SHARDS).iterdir())
    if has_shards and not (same_run or overwrite):
        raise FileExistsError(
            f"{path / SHARDS}: holds shards of another, unfinished run; pass overwrite=True to replace them."
        )
    if manifest.exists():
        manifest.unlink()  # the directory is incomplete from here on
    if overwrite and not same_run:
        for name in ("nodes.npy", "node_counts.npy", "start_nodes.npy"):
            (path / name).unlink(missing_ok=True)
        if (path / SHARDS).is_dir():
            for f in (path / SHARDS).iterdir():
                if f.name.endswith(".npy") or ".npy.tmp-" in f.name:
                    f.unlink()
    text = json.dumps(pending) + "\n"
    atomic_write(pend, lambda fh: fh.write(text.encode("utf-8")))


def _split(corpus: WalkCorpus, chunk_size: int | None) -> Iterator[WalkCorpus]:
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_BYTES // (4 * (corpus.walk_length + 1)))
    for first in range(0, len(corpus), chunk_size):
        last = min(first + chunk_size, len(corpus))
        yield WalkCorpus(corpus.walks[first:last], corpus.lengths[first:last], nodes=corpus.nodes, start=first)


def write_walks(
    corpus_or_stream: Any,
    path: str | os.PathLike,
    *,
    graph: CSRGraph | None = None,
    overwrite: bool = False,
    chunk_size: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> dict:
    """Write a walk corpus to a walk directory (shards + manifest), counting nodes on the way.

    Parameters
    ----------
    corpus_or_stream : WalkStream, WalkCorpus or iterable of WalkCorpus
        The walks.  A :class:`~graphemb.WalkStream` is generated chunk by chunk
        (one chunk in memory at a time), each chunk becoming one shard; its
        graph and walk parameters go into the manifest.  A WalkCorpus is split
        into shards of ``chunk_size`` walks; an iterable of chunks gives one
        shard per chunk, numbered by their running walk count.
    path : str or PathLike
        The walk directory (created if missing).
    graph : CSRGraph, optional
        The graph the walks come from (recorded: fingerprint, size); defaults
        to the stream's graph.  Without one, ``graph`` is null in the manifest.
    overwrite : bool, default False
        Replace a complete walk directory (or another run's unfinished
        shards).  Without it such a directory raises FileExistsError.  An
        unfinished directory of the *same* stream (same graph, parameters,
        seed and chunk size) is resumed: its complete shards are kept (read
        to count nodes, not regenerated).
    chunk_size : int, optional
        Walks per shard when splitting a WalkCorpus (default about 64 MiB of
        walks per shard); ignored for streams and chunk iterables.
    metadata : mapping, optional
        JSON-serialisable extras stored under the manifest's ``metadata`` key
        (readers ignore it; the command line records the run seed there).

    Returns
    -------
    dict
        The manifest written (see docs/shards.md).

    Raises
    ------
    FileExistsError
        See ``overwrite``.
    ValueError
        If chunks disagree on walk length or hold indices outside the graph.

    Notes
    -----
    Memory: one chunk at a time plus ``8 num_nodes`` bytes of counts.  Disk:
    ``4 (walk_length + 1)`` bytes per walk.  Writes are atomic; the manifest is
    written last.
    """
    path = Path(path)
    stream = corpus_or_stream if _is_stream(corpus_or_stream) else None
    if graph is None and stream is not None:
        graph = stream.graph
    if graph is not None and not isinstance(graph, CSRGraph):
        raise ValueError(
            f"The 'graph' parameter of write_walks must be a CSRGraph or None. Got {type(graph).__name__}."
        )
    params = walk_params(stream) if stream is not None else None
    pending = {
        "graph": graph.fingerprint() if graph is not None else None,
        "walks": params,
        "chunk_size": int(stream.chunk_size) if stream is not None else None,
    }
    _prepare_folder(path, pending, overwrite)

    num_nodes = graph.num_nodes if graph is not None else None
    counts = np.zeros(num_nodes or 0, dtype=np.int64)
    nodes: Sequence[Any] | None = graph.nodes if graph is not None else None
    entries: list[dict] = []
    walk_length: int | None = None
    total = 0
    t0 = time.perf_counter()

    def count(walks: np.ndarray, lengths: np.ndarray) -> None:
        nonlocal counts
        tokens = WalkCorpus(walks, lengths).tokens_and_offsets()[0]
        if tokens.size == 0:
            return
        lo, hi = int(tokens.min()), int(tokens.max())
        if lo < 0 or (num_nodes is not None and hi >= num_nodes):
            raise ValueError(
                f"write_walks: walk {total} onwards holds node index {lo if lo < 0 else hi}, outside [0, "
                f"{num_nodes if num_nodes is not None else 'inf'})."
            )
        counts = add_token_counts(counts, tokens)

    if stream is not None:
        walk_length = int(stream.walk_length)
        bar = stream._progress()
        reused = 0
        try:
            for first in range(0, stream.num_walks_total, stream.chunk_size):
                b = min(stream.chunk_size, stream.num_walks_total - first)
                if shard_is_complete(path, first, b, walk_length):
                    lpath, wpath = _shard_paths(path, first)
                    walks = np.load(wpath, mmap_mode="r", allow_pickle=False)
                    lengths = np.load(lpath, allow_pickle=False)
                    reused += 1
                else:
                    walks = np.empty((b, walk_length), dtype=np.int32)
                    lengths = np.empty(b, dtype=np.int32)
                    stream._fill(first, walks, lengths)
                    write_shard(path, first, walks, lengths)
                count(np.asarray(walks), lengths)
                entries.append(
                    {
                        "name": shard_name(first),
                        "first_walk": first,
                        "num_walks": b,
                        "num_tokens": int(lengths.sum(dtype=np.int64)),
                    }
                )
                total += b
                del walks
                bar.update(b)
        finally:
            bar.close()
        if reused:
            logger.info("write_walks: resumed %s, %d of %d shards already complete", path, reused, len(entries))
        if params["start_nodes"] is not None:
            atomic_save_npy(path / "start_nodes.npy", np.asarray(stream._start, dtype=np.int64))
    else:
        chunks: Iterable[WalkCorpus]
        if isinstance(corpus_or_stream, WalkCorpus):
            chunks = _split(corpus_or_stream, chunk_size)
        else:
            chunks = corpus_or_stream
        for chunk in chunks:
            if not isinstance(chunk, WalkCorpus):
                raise ValueError(
                    "write_walks takes a WalkStream, a WalkCorpus or an iterable of WalkCorpus chunks; "
                    f"got a chunk of type {type(chunk).__name__}."
                )
            if walk_length is None:
                walk_length = chunk.walk_length
            elif chunk.walk_length != walk_length:
                raise ValueError(
                    f"write_walks: chunk starting at walk {total} has walk_length {chunk.walk_length}, "
                    f"the first chunk {walk_length}; all shards of a directory share one walk length."
                )
            if nodes is None and chunk.nodes is not None:
                nodes = chunk.nodes
            if len(chunk) == 0:
                continue
            count(chunk.walks, chunk.lengths)
            entries.append(write_shard(path, total, chunk.walks, chunk.lengths))
            total += len(chunk)
        if walk_length is None:
            raise ValueError("write_walks: the corpus is empty (no chunks).")

    if num_nodes is None:
        num_nodes = len(nodes) if nodes is not None else int(counts.shape[0])
        if counts.shape[0] > num_nodes:
            raise ValueError(
                f"write_walks: the walks hold node index {counts.shape[0] - 1} but only {num_nodes} node ids are known."
            )
        if counts.shape[0] < num_nodes:
            counts = np.concatenate([counts, np.zeros(num_nodes - counts.shape[0], dtype=np.int64)])
    if nodes is None:
        nodes = range(num_nodes)
    ids, kind = _nodes_array(nodes)
    atomic_save_npy(path / "nodes.npy", ids)
    atomic_save_npy(path / "node_counts.npy", counts)
    from . import __version__

    num_tokens = int(sum(e["num_tokens"] for e in entries))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "graphemb_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graph": _graph_info(graph) if graph is not None else None,
        "walks": params,
        "num_walks_total": int(total),
        "num_tokens": num_tokens,
        "walk_length": int(walk_length),
        "node_ids": {"file": "nodes.npy", "kind": kind},
        "node_counts": "node_counts.npy",
        "shards": entries,
    }
    if metadata is not None:
        manifest["metadata"] = dict(metadata)
    write_manifest(path, manifest)
    (path / PENDING_FILE).unlink(missing_ok=True)
    elapsed = time.perf_counter() - t0
    logger.info(
        "write_walks: %s: %d walks, %d tokens, %d shards (%s) in %.1f s",
        path,
        total,
        num_tokens,
        len(entries),
        format_bytes(4 * total * (walk_length + 1)),
        elapsed,
    )
    return manifest


# ------------------------------------------------------------------ reading
class ShardedCorpus:
    """A walk directory opened for reading: a re-iterable corpus of memory-mapped shards.

    Build it with :func:`read_walks`.  Iterating yields one
    :class:`~graphemb.WalkCorpus` per shard whose ``walks`` is a read-only
    memory map (``chunk.start`` is the shard's first walk), so
    ``SGNS.fit(corpus, num_nodes=corpus.num_nodes, node_counts=corpus.node_counts)``
    trains from disk with one shard's pages resident at a time.

    Attributes
    ----------
    path : Path
    manifest : dict
    node_counts : ndarray of int64, shape (num_nodes,)
    num_nodes, num_walks_total, num_tokens, walk_length : int
    nodes : list
        Original node ids in row order (loaded on first use).
    """

    def __init__(self, path: Path, manifest: dict, node_counts: np.ndarray, nodes: list | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.node_counts = node_counts
        self.num_nodes = int(node_counts.shape[0])
        self.num_walks_total = int(manifest["num_walks_total"])
        self.num_tokens = int(manifest["num_tokens"])
        self.walk_length = int(manifest["walk_length"])
        self._nodes = nodes

    @property
    def nodes(self) -> list:
        """Original node ids in row order (from ``nodes.npy``; ints or strs)."""
        if self._nodes is None:
            info = self.manifest["node_ids"]
            f = self.path / info["file"]
            arr = np.load(f, allow_pickle=False)
            if arr.shape != (self.num_nodes,):
                raise ShardFormatError(f"{f}: holds {arr.shape} ids, the manifest says {self.num_nodes} nodes.")
            self._nodes = arr.tolist()
        return self._nodes

    @property
    def shards(self) -> list[dict]:
        """The manifest's shard entries, in order of ``first_walk``."""
        return self.manifest["shards"]

    def __len__(self) -> int:
        return len(self.manifest["shards"])

    def __repr__(self) -> str:
        return (
            f"ShardedCorpus({str(self.path)!r}, num_walks_total={self.num_walks_total}, "
            f"num_tokens={self.num_tokens}, walk_length={self.walk_length}, shards={len(self)})"
        )

    def __iter__(self) -> Iterator[WalkCorpus]:
        nodes = self._nodes
        for entry in self.manifest["shards"]:
            lpath, wpath = _shard_paths(self.path, entry["first_walk"])
            try:
                lengths = np.load(lpath, allow_pickle=False)
                walks = np.load(wpath, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise ShardFormatError(f"{wpath}: cannot be read ({exc}).") from None
            if walks.shape != (entry["num_walks"], self.walk_length) or lengths.shape != (entry["num_walks"],):
                raise ShardFormatError(f"{wpath}: changed since the directory was opened (shape {walks.shape}).")
            yield WalkCorpus(walks, lengths, nodes=nodes, start=entry["first_walk"])

    def to_corpus(self) -> WalkCorpus:
        """Read every shard into one in-memory :class:`WalkCorpus` (MemoryError if it cannot fit)."""
        nbytes = 4 * self.num_walks_total * (self.walk_length + 1)
        check_allocation(
            nbytes, f"the walk corpus of {self.path}", "Iterate the ShardedCorpus instead (one shard at a time)."
        )
        walks = np.empty((self.num_walks_total, self.walk_length), dtype=np.int32)
        lengths = np.empty(self.num_walks_total, dtype=np.int32)
        for chunk in self:
            walks[chunk.start : chunk.start + len(chunk)] = chunk.walks
            lengths[chunk.start : chunk.start + len(chunk)] = chunk.lengths
        return WalkCorpus(walks, lengths, nodes=self.nodes, start=0)


def read_walks(path: str | os.PathLike, graph: CSRGraph | None = None) -> ShardedCorpus:
    """Open a walk directory written by :func:`write_walks` (or any writer of format v1).

    Every shard's header (shape, dtype) and size are checked up front; the
    walks themselves are memory-mapped when iterated.

    Parameters
    ----------
    path : str or PathLike
        The walk directory.
    graph : CSRGraph, optional
        When given, the directory must have been written for this graph (same
        :meth:`CSRGraph.fingerprint`); its node ids are then used as ``nodes``.

    Returns
    -------
    ShardedCorpus

    Raises
    ------
    ShardFormatError (a ValueError)
        Naming the file: a missing or unreadable manifest, another format, a
        ``format_version`` newer than this reader's, a missing or truncated
        shard, shards that do not cover the walks contiguously, node counts of
        the wrong shape, or a fingerprint other than ``graph``'s.
    """
    path = Path(path)
    mpath = path / MANIFEST
    if not path.is_dir():
        raise ShardFormatError(f"{path}: no such walk directory.")
    if not mpath.exists():
        hint = " (an unfinished write: rerun it to resume)" if (path / PENDING_FILE).exists() else ""
        raise ShardFormatError(f"{mpath}: missing; {path} is not a complete walk directory{hint}.")
    manifest = read_format_json(mpath, FORMAT, FORMAT_VERSION, "walk manifest", ShardFormatError)
    try:
        walk_length = (
            int(manifest["walk_length"]) if "walk_length" in manifest else int(manifest["walks"]["walk_length"])
        )
        manifest["walk_length"] = walk_length
        total = int(manifest["num_walks_total"])
        shards = manifest["shards"]
        counts_name = manifest["node_counts"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ShardFormatError(f"{mpath}: incomplete manifest ({exc!r} missing or malformed).") from None
    if graph is not None:
        info = manifest.get("graph")
        if info is None:
            logger.warning("%s records no graph; cannot check it against %r", mpath, graph)
        elif info.get("fingerprint") != graph.fingerprint():
            raise ShardFormatError(
                f"{mpath}: the walks were made on another graph (fingerprint {info.get('fingerprint')}, "
                f"{info.get('num_nodes')} nodes, {info.get('num_edges')} edges) than the one given "
                f"({graph.fingerprint()}, {graph.num_nodes} nodes, {graph.num_edges} edges)."
            )
    expected = 0
    tokens = 0
    for entry in shards:
        first, nw = int(entry["first_walk"]), int(entry["num_walks"])
        if first != expected:
            raise ShardFormatError(
                f"{mpath}: shard {entry.get('name')} starts at walk {first}, expected {expected} (shards must be "
                "contiguous and in order)."
            )
        lpath, wpath = _shard_paths(path, first)
        _check_npy(lpath, (nw,), np.dtype(np.int32))
        _check_npy(wpath, (nw, walk_length), np.dtype(np.int32))
        expected += nw
        tokens += int(entry["num_tokens"])
    if expected != total:
        raise ShardFormatError(f"{mpath}: shards cover {expected} walks, num_walks_total says {total}.")
    if tokens != int(manifest["num_tokens"]):
        raise ShardFormatError(f"{mpath}: shards hold {tokens} tokens, num_tokens says {manifest['num_tokens']}.")
    cpath = path / counts_name
    try:
        counts = np.load(cpath, allow_pickle=False)
    except FileNotFoundError:
        raise ShardFormatError(f"{cpath}: missing.") from None
    except (OSError, ValueError) as exc:
        raise ShardFormatError(f"{cpath}: cannot be read ({exc}).") from None
    if counts.ndim != 1 or counts.dtype != np.int64 or int(counts.sum()) != tokens:
        raise ShardFormatError(
            f"{cpath}: expected int64 counts summing to {tokens} tokens; got {counts.dtype} {counts.shape} "
            f"summing to {int(counts.sum()) if counts.ndim == 1 else '?'}."
        )
    info = manifest.get("graph")
    if info is not None and int(info["num_nodes"]) != counts.shape[0]:
        raise ShardFormatError(f"{cpath}: {counts.shape[0]} counts for a graph of {info['num_nodes']} nodes.")
    nodes = None
    if graph is not None:
        if graph.num_nodes != counts.shape[0]:
            raise ShardFormatError(f"{cpath}: {counts.shape[0]} counts, the graph given has {graph.num_nodes} nodes.")
        nodes = graph.nodes
    return ShardedCorpus(path, manifest, counts, nodes)


# ------------------------------------------------------------------ text walks
def write_text_walks(corpus_or_stream: Any, path: str | os.PathLike, nodes: Sequence[Any] | None = None) -> int:
    """Write walks as text, one walk per line of original node ids separated by spaces (what word2vec reads).

    Parameters
    ----------
    corpus_or_stream : WalkStream, WalkCorpus, ShardedCorpus or iterable of WalkCorpus
    path : str or PathLike
        Written atomically (temporary name, then rename).
    nodes : sequence, optional
        Original ids by row; default the corpus's or stream's ``nodes``.

    Returns
    -------
    int
        Walks written.

    Notes
    -----
    One chunk in memory at a time (its ids as text); ids must not hold whitespace.
    """
    if nodes is None:
        nodes = getattr(corpus_or_stream, "nodes", None)
    chunks = [corpus_or_stream] if isinstance(corpus_or_stream, WalkCorpus) else corpus_or_stream
    names: np.ndarray | None = None
    if nodes is not None:
        names = np.array([str(v) for v in nodes], dtype=object)
        bad = next((v for v in names if not v or any(ch.isspace() for ch in v)), None)
        if bad is not None:
            raise ValueError(f"node id {bad!r} is empty or holds whitespace; it cannot be written as a text walk.")
    count = 0

    def write(fh: Any) -> None:
        nonlocal count, names
        for chunk in chunks:
            if names is None:
                if chunk.nodes is None:
                    raise ValueError("write_text_walks needs the node ids: pass nodes= or a corpus built with nodes.")
                names = np.array([str(v) for v in chunk.nodes], dtype=object)
            table = names
            walks, lengths = np.asarray(chunk.walks), chunk.lengths
            lines = []
            for w in range(walks.shape[0]):
                lines.append(" ".join(table[walks[w, : lengths[w]]].tolist()))
            if lines:
                fh.write(("\n".join(lines) + "\n").encode("utf-8"))
            count += walks.shape[0]

    atomic_write(Path(path), write)
    return count


def read_text_walks(path: str | os.PathLike) -> WalkCorpus:
    """Read a text file of walks (one walk per line of node ids, whitespace-separated).

    Ids become rows in order of first appearance; they are ints when every id
    parses as an int, strings otherwise.  Blank lines are skipped.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    WalkCorpus
        With ``nodes`` set to the original ids (row order).

    Raises
    ------
    ValueError
        If the file holds no walk (the message names the file).

    Notes
    -----
    The whole corpus is held in memory (4 bytes per step of the longest walk
    per line, plus a dict of the ids); for corpora larger than memory, convert
    once with ``graphemb walk --format shards`` instead.
    """
    path = Path(path)
    index: dict[str, int] = {}
    rows: list[np.ndarray] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            tokens = line.split()
            if not tokens:
                continue
            rows.append(
                np.fromiter((index.setdefault(t, len(index)) for t in tokens), dtype=np.int32, count=len(tokens))
            )
    if not rows:
        raise ValueError(f"{path}: holds no walks (one walk per line of node ids expected).")
    width = max(r.size for r in rows)
    check_allocation(4 * len(rows) * (width + 1), f"the walks of {path}", "Convert them to shards first.")
    walks = np.full((len(rows), width), -1, dtype=np.int32)
    lengths = np.empty(len(rows), dtype=np.int32)
    for i, r in enumerate(rows):
        walks[i, : r.size] = r
        lengths[i] = r.size
    ids: list[Any] = list(index)
    try:
        ids = [int(t) for t in ids]
        if len(set(ids)) != len(ids):  # e.g. "1" and "01": keep the text
            ids = list(index)
    except ValueError:
        pass
    return WalkCorpus(walks, lengths, nodes=ids, start=0)
