"""Atomic files: every output of graphemb is written under a temporary name, then renamed.

A killed run never leaves a file that looks complete: the data goes to a
hidden temporary file in the destination folder (same file system, so the
rename is atomic), is flushed and fsynced, and only then replaces the final
name (``os.replace``); on any exception, ``KeyboardInterrupt`` included, the
temporary file is removed and the final name is untouched.

Used by embedding files, walk shards and manifests, trainer checkpoints, tuning
results and the command line's prediction tables.  :func:`read_format_json` reads
back the JSON documents (manifests, checkpoints) with their format checked.  Pictures go through
:func:`graphemb.plotting.save_figure` (matplotlib writes by file name).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = ["atomic_save_npy", "atomic_write", "atomic_write_json", "atomic_write_text", "fsync_dir", "tmp_name"]


def tmp_name(path: str | os.PathLike) -> Path:
    """A hidden temporary name beside ``path``, unique to this process and call."""
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def fsync_dir(folder: str | os.PathLike) -> None:
    """fsync ``folder`` so that a rename inside it survives a crash (no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None], sync_dir: bool = False) -> None:
    """Call ``write(fh)`` on a temporary binary file beside ``path``, fsync it, then rename it onto ``path``.

    Parameters
    ----------
    path : str or PathLike
        Final file name; its folder must exist.
    write : callable
        ``write(fh)`` writes the whole content to the open binary file ``fh``.
    sync_dir : bool, default False
        Also fsync the folder after the rename (checkpoints and manifests, whose
        presence is what says a run is complete).

    Notes
    -----
    O(size) time; no memory beyond what ``write`` uses.  The file is created
    with mode 0o644 (less the umask), like ``open``.
    """
    path = Path(path)
    tmp = tmp_name(path)
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync_dir:
        fsync_dir(path.parent)


def atomic_save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """Save ``array`` as ``.npy`` at ``path`` atomically.

    Parameters
    ----------
    path : str or PathLike
        Final file name (written as given: no ``.npy`` is appended).
    array : ndarray
        Any non-object array (``allow_pickle=False``: object arrays are refused).
    """
    array = np.asanyarray(array)
    atomic_write(path, lambda fh: np.save(fh, np.ascontiguousarray(array), allow_pickle=False))


def atomic_write_text(path: str | os.PathLike, text: str, sync_dir: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    data = text.encode("utf-8")
    atomic_write(path, lambda fh: fh.write(data), sync_dir=sync_dir)


def atomic_write_json(path: str | os.PathLike, obj: Any, sync_dir: bool = False, **dump_options: Any) -> None:
    """Write ``obj`` as JSON (``json.dumps(obj, **dump_options)`` plus a newline) to ``path`` atomically."""
    atomic_write_text(path, json.dumps(obj, **dump_options) + "\n", sync_dir=sync_dir)


def read_format_json(
    path: str | os.PathLike,
    fmt: str,
    max_version: int,
    what: str,
    error: type[Exception] = ValueError,
    advice: str = "",
) -> dict[str, Any]:
    """Read one of graphemb's JSON documents (a walk manifest, a checkpoint) and check its format.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file.
    fmt : str
        Its expected ``"format"`` value.
    max_version : int
        The newest ``"format_version"`` this graphemb reads.
    what : str
        The document, in words, for the message (``"walk manifest"``).
    error : type of Exception, default ValueError
        What to raise.
    advice : str, default ""
        Appended to the message about a newer format.

    Returns
    -------
    dict
        The document; ``error`` (naming ``path``) when it is not valid JSON, not of ``fmt``
        or of a newer ``format_version``.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise error(f"{path}: not valid JSON ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        got = doc.get("format") if isinstance(doc, dict) else None
        raise error(f"{path}: not a graphemb {what} (format {got!r}, expected {fmt!r}).")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > max_version:
        raise error(
            f"{path}: format_version {version!r} is newer than this graphemb reads ({max_version}); "
            f"upgrade graphemb{advice}."
        )
    return doc
