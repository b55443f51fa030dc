"""Training checkpoints of :class:`~graphemb.sgns.SGNS`: save, check, load (nothing pickled).

A checkpoint folder holds one *generation* of training state::

    DIR/
      checkpoint.json          written last, atomically: names the generation's files
      syn0.g000007.npy         float32 (n, d)  input vectors, in the trainer's internal row order
      syn1.g000007.npy         float32 (n_out, d) output vectors (internal order)
      order.g000007.npy        int64 (n,)  internal row r holds node index order[r]

Every file is written under a temporary name in ``DIR`` (``.<name>.tmp-<pid>-<rand>``), flushed
to disk and renamed; ``checkpoint.json`` is renamed last, and only then are the previous
generation's files deleted.  A process killed at any instant (SIGKILL included) therefore
leaves either the previous complete checkpoint or the new one, never a mix: the JSON names
the files of exactly one generation, and a reader checks their headers (shape, dtype)
against it.  Arrays load with ``allow_pickle=False``, the JSON is plain data, so a
checkpoint from an untrusted source cannot run code.

``checkpoint.json`` holds the position (epoch, global walk index within the epoch at a piece
boundary, tokens of the epoch before it, tokens trained in all), the loss sums of the
current epoch and the mean losses of the finished ones, the seed, the learning-rate schedule
(``alpha``, ``min_alpha``, total tokens), and the *identity* of the run: the training
parameters, the number of nodes, a sha256 of the node counts, and whatever the caller adds
(the models add their walk parameters and seed).  :func:`check_identity` compares the
identity with the current run's and names every field that differs.

The random streams need no saving: they are counter-based on ``(seed, epoch, walk index)``
(:mod:`graphemb._rng`), and the learning rate is a function of the global token count, so
the position and the seed determine the rest of the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_save_npy, atomic_write_text, read_format_json

__all__ = [
    "CHECKPOINT_FILE",
    "FORMAT",
    "FORMAT_VERSION",
    "check_identity",
    "counts_digest",
    "load_arrays",
    "parse_every",
    "read_checkpoint",
    "write_checkpoint",
]

FORMAT = "graphemb-sgns-checkpoint"
FORMAT_VERSION = 1
CHECKPOINT_FILE = "checkpoint.json"
_ABSENT = object()
DEFAULT_EVERY_SECONDS = 300.0
"""Checkpoint period when a folder is given without ``checkpoint_every``."""


# ------------------------------------------------------------------- identity
def counts_digest(counts: np.ndarray) -> str:
    """``sha256:<hex>`` of the node counts (int64, little-endian).  O(n)."""
    data = np.ascontiguousarray(counts, dtype="<i8")
    return "sha256:" + hashlib.sha256(data.tobytes()).hexdigest()


def check_identity(path: str | os.PathLike, saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming ``path`` and every field where ``saved`` and ``current`` differ."""

    def show(value: Any) -> str:
        return "absent" if value is _ABSENT else repr(value)

    diffs = []
    for key in sorted(set(saved) | set(current)):
        a, b = saved.get(key, _ABSENT), current.get(key, _ABSENT)
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                x, y = a.get(sub, _ABSENT), b.get(sub, _ABSENT)
                if x != y:
                    diffs.append(f"{key}.{sub}: {show(x)} there, {show(y)} here")
        elif a != b:
            diffs.append(f"{key}: {show(a)} there, {show(b)} here")
    if diffs:
        shown = "; ".join(diffs[:6]) + (f"; and {len(diffs) - 6} more" if len(diffs) > 6 else "")
        raise ValueError(
            f"The checkpoint {Path(path) / CHECKPOINT_FILE} was written by another run ({shown}). "
            "Resume with the same corpus and parameters, or use another checkpoint folder (or delete this one)."
        )


# --------------------------------------------------------------- read / write
def read_checkpoint(path: str | os.PathLike) -> dict[str, Any] | None:
    """The metadata of the checkpoint in folder ``path``, or None if it holds none.

    Raises
    ------
    ValueError
        If ``checkpoint.json`` is not a graphemb checkpoint, or of a newer format (naming the file).
    """
    file = Path(path) / CHECKPOINT_FILE
    if not file.is_file():
        return None
    return read_format_json(
        file, FORMAT, FORMAT_VERSION, "SGNS checkpoint", advice=", or start a new run in another folder"
    )


def _check_npy(file: Path, shape: tuple[int, ...], dtype: np.dtype) -> None:
    """Refuse a missing or truncated ``.npy`` (header against ``shape``/``dtype``, size against header)."""
    if not file.is_file():
        raise ValueError(f"The checkpoint file {file} is missing; the checkpoint is incomplete.")
    with open(file, "rb") as fh:
        try:
            major, _ = np.lib.format.read_magic(fh)
            header = np.lib.format.read_array_header_1_0(fh) if major == 1 else np.lib.format.read_array_header_2_0(fh)
        except ValueError as exc:
            raise ValueError(f"The checkpoint file {file} is not a valid .npy file ({exc}).") from None
        data_start = fh.tell()
    got_shape, fortran, got_dtype = header
    if tuple(got_shape) != tuple(shape) or got_dtype != dtype or fortran:
        raise ValueError(
            f"The checkpoint file {file} holds {got_dtype} {tuple(got_shape)}; the checkpoint says {dtype} {shape}."
        )
    need = data_start + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if file.stat().st_size < need:
        raise ValueError(f"The checkpoint file {file} is truncated ({file.stat().st_size} bytes, {need} expected).")


def load_arrays(path: str | os.PathLike, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """Load the arrays ``meta`` names (``allow_pickle=False``), after checking each header."""
    folder = Path(path)
    out = {}
    for key, spec in meta["arrays"].items():
        file = folder / spec["file"]
        dtype = np.dtype(spec["dtype"])
        _check_npy(file, tuple(spec["shape"]), dtype)
        out[key] = np.load(file, allow_pickle=False)
    return out


def write_checkpoint(path: str | os.PathLike, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Write a new generation of ``arrays`` and ``meta`` into folder ``path``; delete the previous one.

    Parameters
    ----------
    path : path
        Checkpoint folder (created if missing).
    meta : dict
        JSON-serialisable state; ``format``, ``format_version``, ``generation``, ``written`` and
        ``arrays`` are filled in here.
    arrays : dict of str to ndarray
        Arrays to save, one ``.npy`` each.

    Returns
    -------
    dict
        The metadata written.

    Notes
    -----
    O(total array bytes) time and disk; while writing, the previous generation is still on
    disk (peak disk use two generations).
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    previous = read_checkpoint(folder) if (folder / CHECKPOINT_FILE).is_file() else None
    generation = int(previous["generation"]) + 1 if previous else 1
    specs = {}
    for key, array in arrays.items():
        name = f"{key}.g{generation:06d}.npy"
        atomic_save_npy(folder / name, array)
        specs[key] = {"file": name, "dtype": array.dtype.str, "shape": list(array.shape)}
    meta = dict(meta)
    meta.update(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        generation=generation,
        written=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        arrays=specs,
    )
    atomic_write_text(folder / CHECKPOINT_FILE, json.dumps(meta, indent=1, sort_keys=True) + "\n", sync_dir=True)
    keep = {spec["file"] for spec in specs.values()}
    for old in folder.glob("*.g[0-9]*.npy"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    for stale in folder.glob(".*.tmp-*"):  # leftovers of a run killed while writing
        pid = stale.name.rsplit(".tmp-", 1)[-1].split("-", 1)[0]
        if pid != str(os.getpid()):
            stale.unlink(missing_ok=True)
    return meta


# ------------------------------------------------------------------- schedule
def parse_every(value: Any, owner: str = "SGNS.fit") -> tuple[int | None, float | None]:
    """Parse ``checkpoint_every`` into ``(tokens, seconds)`` (one of them None).

    An int (or a string of digits, with an optional ``k``/``M``/``G`` suffix) is a number of
    corpus tokens; a string ending in ``s``, ``m`` or ``h`` (e.g. ``"90s"``, ``"10m"``) is a
    wall-clock period.  None: every :data:`DEFAULT_EVERY_SECONDS` seconds.
    """
    if value is None:
        return None, DEFAULT_EVERY_SECONDS
    bad = ValueError(
        f"The 'checkpoint_every' parameter of {owner} must be a number of tokens (an int >= 1, or a string such "
        f"as '5000000' or '5M') or a period (a string such as '90s', '10m', '1h'). Got {value!r} instead."
    )
    if isinstance(value, bool):
        raise bad
    if isinstance(value, (int, np.integer)):
        if value < 1:
            raise bad
        return int(value), None
    if not isinstance(value, str) or not value.strip():
        raise bad
    text = value.strip()
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    scales = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9}
    try:
        if text[-1] in units:
            seconds = float(text[:-1]) * units[text[-1]]
            if not (seconds > 0 and np.isfinite(seconds)):
                raise bad
            return None, seconds
        scale = scales.get(text[-1], 1)
        number = text[:-1] if text[-1] in scales else text
        tokens = int(float(number) * scale) if scale != 1 else int(number)
    except ValueError:
        raise bad from None
    if tokens < 1:
        raise bad
    return tokens, None


# ------------------------------------------------------------ training state
class TrainState:
    """Where a training run stands, at a piece boundary (everything a resume needs but the tables).

    Attributes
    ----------
    epoch : int
        Current epoch (0-based); ``epochs`` when training is complete.
    walk : int
        Global index, within the epoch, of the next walk to train.
    epoch_tokens : int
        Corpus tokens of the epoch before walk ``walk``.
    loss_sum, pairs, words : float, int, int
        Sums of the current epoch (kernel outputs, accumulated piece by piece).
    losses : list of float
        Mean loss of each finished epoch.
    seconds : float
        Training wall time of earlier processes of this run.
    """

    __slots__ = ("epoch", "walk", "epoch_tokens", "loss_sum", "pairs", "words", "losses", "seconds")

    def __init__(self) -> None:
        self.epoch = 0
        self.walk = 0
        self.epoch_tokens = 0
        self.loss_sum = 0.0
        self.pairs = 0
        self.words = 0
        self.losses: list[float] = []
        self.seconds = 0.0

    def advance(self, walks: int, tokens: int, loss: float, pairs: int, words: int) -> None:
        """Account for one trained piece."""
        self.walk += int(walks)
        self.epoch_tokens += int(tokens)
        self.loss_sum += float(loss)
        self.pairs += int(pairs)
        self.words += int(words)

    def next_epoch(self, mean_loss: float) -> None:
        """Close the current epoch with its mean loss."""
        self.losses.append(float(mean_loss))
        self.epoch += 1
        self.walk = 0
        self.epoch_tokens = 0
        self.loss_sum, self.pairs, self.words = 0.0, 0, 0

    def to_json(self) -> dict[str, Any]:
        """Plain-data form (floats round-trip exactly through JSON)."""
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> TrainState:
        """Inverse of :meth:`to_json`; ``where`` names the file in errors."""
        state = cls()
        try:
            state.epoch = int(data["epoch"])
            state.walk = int(data["walk"])
            state.epoch_tokens = int(data["epoch_tokens"])
            state.loss_sum = float(data["loss_sum"])
            state.pairs = int(data["pairs"])
            state.words = int(data["words"])
            state.losses = [float(x) for x in data["losses"]]
            state.seconds = float(data.get("seconds", 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"The checkpoint {where} has a malformed 'state' ({exc!r}).") from None
        return state


class Checkpointer:
    """Saves the trainer's state into a folder every ``every_tokens`` tokens or ``every_seconds`` seconds.

    Parameters
    ----------
    path : path
        Checkpoint folder.
    every_tokens, every_seconds : int or None, float or None
        The period (one of them set; see :func:`parse_every`).  A checkpoint is taken at the
        first piece boundary (about a million tokens) after the period has passed.
    resume : bool
        Continue from the checkpoint in ``path`` if there is one.
    identity : dict
        The run's identity (parameters, corpus digest, caller info); compared with the
        checkpoint's on resume.
    """

    def __init__(
        self, path: str | os.PathLike, every_tokens: int | None, every_seconds: float | None, resume: bool
    ) -> None:
        self.path = Path(path)
        self.every_tokens = every_tokens
        self.every_seconds = every_seconds
        self.resume = bool(resume)
        self.identity: dict[str, Any] = {}
        self.saves = 0
        self._last_tokens = 0
        self._last_time = time.monotonic()
        self._t0 = time.monotonic()
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"The checkpoint path {self.path} exists and is not a folder.")

    def existing(self) -> dict[str, Any] | None:
        """The metadata of the folder's checkpoint (None when empty); refuses one when not resuming."""
        meta = read_checkpoint(self.path)
        if meta is not None and not self.resume:
            state = meta.get("state", {})
            raise ValueError(
                f"The checkpoint folder {self.path} already holds a checkpoint ({self.path / CHECKPOINT_FILE}: "
                f"epoch {int(state.get('epoch', 0)) + 1}, walk {state.get('walk')}); pass resume=True (--resume) to "
                "continue it, or use another folder (or delete it) to start afresh."
            )
        return meta

    def restore(self, meta: dict[str, Any], identity: dict[str, Any]) -> tuple[TrainState, dict[str, np.ndarray]]:
        """Check ``meta`` against ``identity`` and load its state and arrays."""
        where = str(self.path / CHECKPOINT_FILE)
        check_identity(self.path, meta.get("identity", {}), identity)
        state = TrainState.from_json(meta.get("state", {}), where)
        arrays = load_arrays(self.path, meta)
        self._last_tokens = int(meta.get("trained_tokens", 0))
        return state, arrays

    def due(self, trained_tokens: int) -> bool:
        """True when the period has passed since the last checkpoint."""
        if self.every_tokens is not None:
            return trained_tokens - self._last_tokens >= self.every_tokens
        return time.monotonic() - self._last_time >= float(self.every_seconds or DEFAULT_EVERY_SECONDS)

    def save(
        self,
        state: TrainState,
        arrays: dict[str, np.ndarray],
        trained_tokens: int,
        schedule: dict[str, Any],
        complete: bool = False,
    ) -> None:
        """Write a checkpoint of ``state`` and ``arrays`` now."""
        data = state.to_json()
        data["seconds"] = state.seconds + (time.monotonic() - self._t0)
        meta = {
            "identity": self.identity,
            "state": data,
            "trained_tokens": int(trained_tokens),
            "schedule": schedule,
            "complete": bool(complete),
        }
        write_checkpoint(self.path, meta, arrays)
        self.saves += 1
        self._last_tokens = trained_tokens
        self._last_time = time.monotonic()
