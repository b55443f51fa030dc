"""Edge lists (text files and pandas DataFrames) -> :class:`~graphemb.graph.csr.CSRGraph`.

Files of integer ids are parsed by numba kernels (:mod:`graphemb.graph._kernels`,
in parallel); any other file, or one the kernels stop on, by pandas' C parser.  A
Python line-by-line scan runs only when something is wrong, to name the file, line
number and line text in the error.
The format, the id policy and the duplicate / self-loop / weight policy are
documented in docs/graph-input.md.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import logging
import lzma
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numba
import numpy as np

from .._lazy import LazyModule
from .._validation import check_choice
from . import _kernels
from .convert import DUPLICATES, SELF_LOOPS, ZERO_WEIGHTS, from_edge_arrays, order_ids
from .csr import CSRGraph, register_entry_point

pd = LazyModule("pandas")  # imported on first use (graphemb/_lazy.py)

__all__ = ["read_adjlist", "read_edgelist", "read_labels", "read_mat"]

logger = logging.getLogger(__name__)

_OWNER = "read_edgelist"
_INT_PATTERN = r"[+-]?[0-9]+"  # an integer node id (the pandas paths match the same pattern)
_INT_RE = re.compile(_INT_PATTERN)
_HEADER_NAMES = frozenset(
    {
        "source", "target", "src", "dst", "from", "to", "u", "v", "node1", "node2", "node_1", "node_2",
        "head", "tail", "source_id", "target_id", "id1", "id2", "weight", "w", "i", "j",
    }
)  # fmt: skip


def read_edgelist(
    source: str | os.PathLike | pd.DataFrame,
    *,
    weighted: bool | None = None,
    directed: bool = False,
    sep: str | None = None,
    comment: str | None = "#",
    header: bool | None = None,
    nodes: Iterable[Hashable] | None = None,
    node_type: type | str | None = None,
    duplicates: str = "merge",
    self_loops: str = "keep",
    zero_weights: str = "error",
) -> CSRGraph:
    """Read an edge list (text file or pandas DataFrame) into a :class:`CSRGraph`.

    Each line of a file is ``source target`` or ``source target weight``.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        Path of a text file (``.gz``, ``.bz2``, ``.xz`` are decompressed), or a
        DataFrame whose columns are named ``source``/``target`` (and
        optionally ``weight``), or whose first 2 (or 3) columns are taken as
        source, target (and weight).
    weighted : bool or None, default None
        None: weighted when lines have a third field (DataFrame: a weight
        column). True: the third field is required. False: a third field, if
        present on every line, is ignored.
    directed : bool, default False
        False: each line is an undirected edge, stored in both rows.
    sep : str or None, default None
        One-character field separator (e.g. ``'\\t'``, ``','``); None means any
        run of spaces or tabs. With an explicit ``sep``, spaces around fields
        are stripped.
    comment : str or None, default '#'
        Character starting a comment; the rest of the line is ignored.
        Blank lines are always skipped; CRLF line endings are accepted.
    header : bool or None, default None
        Whether the first non-comment line is a header. None guesses: it is a
        header when its third field is not a number, when both id fields are
        common column names (``source target``, ``src dst``, ``u v``,
        ``node1 node2``, ...), or when neither of its ids is an integer but
        both on the next line are. Pass False if a real edge would be mistaken.
    nodes : iterable of hashable, optional
        Extra node ids to include even when no edge touches them (isolated
        nodes). For files they must have the type of the file's ids.
    node_type : {None, int, str}, default None
        Type of file ids. None: int when every id token is an integer
        (``[+-]?[0-9]+``, so ``007`` and ``7`` are the same node), str
        otherwise. ``str`` keeps tokens verbatim. ``int`` raises on the first
        non-integer token. For DataFrames, None keeps the values as they are;
        int/str convert them.
    duplicates : {'merge', 'sum', 'error'}, default 'merge'
        An edge listed more than once (for undirected graphs ``u v`` and
        ``v u`` are the same edge): 'merge' keeps one copy and raises, naming
        both lines, when the copies' weights differ; 'sum' adds the weights
        (the multiplicity for unweighted lists); 'error' always raises.
    self_loops : {'keep', 'drop'}, default 'keep'
    zero_weights : {'error', 'drop'}, default 'error'
        Zero-weight edges raise, or are dropped (their endpoints stay).

    Returns
    -------
    CSRGraph
        Rows in ascending id order when all ids are ints or all are strings;
        otherwise (DataFrames with mixed or tuple ids) ``nodes`` first, then
        ids in order of first appearance.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        A malformed line (the message gives ``file:line`` and the line text),
        a bad weight, conflicting duplicates, or an empty graph.

    Examples
    --------
    >>> import pandas as pd
    >>> g = read_edgelist(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}))
    >>> g.nodes, g.num_edges
    (['a', 'b', 'c'], 2)
    """
    if weighted is not None and not isinstance(weighted, (bool, np.bool_)):
        raise ValueError(f"The 'weighted' parameter of {_OWNER} must be a bool or None. Got {weighted!r} instead.")
    if not isinstance(directed, (bool, np.bool_)):
        raise ValueError(f"The 'directed' parameter of {_OWNER} must be a bool. Got {directed!r} instead.")
    if header is not None and not isinstance(header, (bool, np.bool_)):
        raise ValueError(f"The 'header' parameter of {_OWNER} must be a bool or None. Got {header!r} instead.")
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in "\r\n"):
        raise ValueError(
            f"The 'sep' parameter of {_OWNER} must be None (any whitespace) or a single character such as "
            f"'\\t' or ','. Got {sep!r} instead."
        )
    if comment is not None and (not isinstance(comment, str) or len(comment) != 1 or comment.isspace()):
        raise ValueError(
            f"The 'comment' parameter of {_OWNER} must be None or a single non-space character. "
            f"Got {comment!r} instead."
        )
    if sep is not None and sep == comment:
        raise ValueError(f"The 'sep' and 'comment' parameters of {_OWNER} must differ. Both are {sep!r}.")
    node_type = _check_node_type(node_type)
    check_choice(duplicates, "duplicates", DUPLICATES, _OWNER)
    check_choice(self_loops, "self_loops", SELF_LOOPS, _OWNER)
    check_choice(zero_weights, "zero_weights", ZERO_WEIGHTS, _OWNER)
    extra = _check_nodes(nodes)
    policy = {"directed": bool(directed), "duplicates": duplicates, "self_loops": self_loops}
    policy["zero_weights"] = zero_weights
    if isinstance(source, pd.DataFrame):
        return _from_dataframe(source, weighted, extra, node_type, policy)
    if isinstance(source, (str, os.PathLike)):
        return _from_file(os.fspath(source), weighted, sep, comment, header, extra, node_type, policy)
    raise TypeError(
        f"read_edgelist expects a file path (str or os.PathLike) or a pandas DataFrame; got {type(source).__name__}."
    )


# ------------------------------------------------------------- validation
def _check_node_type(node_type: Any) -> type | None:
    if node_type is None or node_type is int or node_type is str:
        return node_type
    if node_type in ("int", "str"):
        return int if node_type == "int" else str
    raise ValueError(f"The 'node_type' parameter of {_OWNER} must be None, int or str. Got {node_type!r} instead.")


def _check_nodes(nodes: Iterable[Hashable] | None) -> list:
    if nodes is None:
        return []
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Iterable):
        raise ValueError(
            f"The 'nodes' parameter of {_OWNER} must be an iterable of node ids (e.g. a list). Got {nodes!r} instead."
        )
    out = list(nodes)
    for x in out:
        try:
            hash(x)
        except TypeError:
            raise ValueError(f"The 'nodes' parameter of {_OWNER} holds an unhashable id {x!r}.") from None
    return out


def _is_int_like(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


# ------------------------------------------------------------------ files
def _open_text(path: str):
    opener: Callable[..., Any] = open
    low = path.lower()
    if low.endswith(".gz"):
        opener = gzip.open
    elif low.endswith(".bz2"):
        opener = bz2.open
    elif low.endswith(".xz"):
        opener = lzma.open
    return opener(path, "rt", encoding="utf-8", errors="replace")


def _data_lines(path: str, sep: str | None, comment: str | None) -> Iterator[tuple[int, str, list[str]]]:
    """Yield ``(line_number, line_text, fields)`` for every non-blank, non-comment line."""
    with _open_text(path) as f:
        for lineno, raw in enumerate(f, start=1):
            text = raw.rstrip("\r\n")
            content = text.split(comment, 1)[0] if comment is not None else text
            if not content.strip():
                continue
            fields = content.split() if sep is None else [t.strip() for t in content.split(sep)]
            yield lineno, text, fields


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _looks_like_header(first: list[str], second: list[str] | None) -> bool:
    if len(first) >= 3 and not _is_number(first[2]):
        return True
    ids = first[:2]
    if len(ids) == 2 and all(t.lower() in _HEADER_NAMES for t in ids):
        return True
    if second is not None and len(second) >= 2:
        first_words = not any(_INT_RE.fullmatch(t) for t in ids)
        second_int = all(_INT_RE.fullmatch(t) for t in second[:2])
        return first_words and second_int
    return False


class _FileRows:
    """Maps data-row numbers (0-based, after the header) back to file lines, for messages."""

    def __init__(self, path: str, sep: str | None, comment: str | None, skip_lines: int) -> None:
        self.path, self.sep, self.comment, self.skip_lines = path, sep, comment, skip_lines

    def lines(self) -> Iterator[tuple[int, str, list[str]]]:
        for item in _data_lines(self.path, self.sep, self.comment):
            if item[0] > self.skip_lines:
                yield item

    def where(self, lineno: int, text: str) -> str:
        return f"{self.path}:{lineno} ({text!r})"

    def describe(self, rows: list[int]) -> list[str]:
        wanted = {r: None for r in rows}
        last = max(rows)
        for k, (lineno, text, _) in enumerate(self.lines()):
            if k in wanted:
                wanted[k] = self.where(lineno, text)
            if k >= last:
                break
        return [wanted[r] or f"{self.path}: data row {r}" for r in rows]

    def raise_first_bad_line(self, ncols: int, weighted: bool, int_ids: bool, cause: str | None = None) -> None:
        """Scan line by line and raise a ValueError naming the first malformed line."""
        for lineno, text, fields in self.lines():
            where = self.where(lineno, text)
            if len(fields) != ncols:
                raise ValueError(
                    f"{where}: expected {ncols} fields (source, target{', weight' if ncols == 3 else ''}) "
                    f"like the first edge line, found {len(fields)}. Fix or comment out the line, or check "
                    "the 'sep' parameter."
                )
            if any(t == "" for t in fields):
                raise ValueError(f"{where}: empty field; fix the line or check the 'sep' parameter.")
            if int_ids:
                for t in fields[:2]:
                    if not _INT_RE.fullmatch(t):
                        raise ValueError(f"{where}: node id {t!r} is not an integer (node_type=int).")
            if weighted and not _is_number(fields[2]):
                raise ValueError(f"{where}: the weight {fields[2]!r} is not a number.")
        detail = f" ({cause})" if cause else ""
        raise ValueError(f"{self.path}: could not parse the edge list{detail}.")


def _from_file(
    path: str,
    weighted: bool | None,
    sep: str | None,
    comment: str | None,
    header: bool | None,
    extra: list,
    node_type: type | None,
    policy: dict,
) -> CSRGraph:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Edge-list file {path!r} does not exist (read_edgelist).")
    head: list[tuple[int, str, list[str]]] = []
    for item in _data_lines(path, sep, comment):
        head.append(item)
        if len(head) == 2:
            break
    skip_lines = 0
    if head:
        second = head[1][2] if len(head) > 1 else None
        is_header = header if header is not None else _looks_like_header(head[0][2], second)
        if is_header:
            skip_lines = head[0][0]
            head = head[1:]  # empty when the header was the only data line
    rows = _FileRows(path, sep, comment, skip_lines)
    if not head:
        return _isolated_only(extra, f"The edge list {path!r} has no edges", policy)
    lineno, text, fields = head[0]
    ncols = len(fields)
    if ncols not in (2, 3):
        raise ValueError(
            f"{rows.where(lineno, text)}: expected 2 fields (source target) or 3 (source target weight), "
            f"found {ncols}. Check the 'sep' parameter, or set header=True/False if this is a header."
        )
    if weighted is True and ncols == 2:
        raise ValueError(f"{rows.where(lineno, text)}: weighted=True but the line has no weight field.")
    use_weights = ncols == 3 and weighted is not False
    int_ids = node_type is int
    if node_type is not str:
        fast = _parse_int_edges(path, sep, comment, skip_lines, ncols)
        if fast is not None:  # integer ids, parsed by the numba kernels
            src_ids, dst_ids, w_fast = fast
            _check_extra_types(extra, int, path)
            src, dst, node_list = _factorize_fast(src_ids, dst_ids, extra)
            del src_ids, dst_ids
            w = w_fast if use_weights else None
            return from_edge_arrays(src, dst, w, node_list, describe=rows.describe, owner=_OWNER, **policy)

    kw: dict[str, Any] = {
        "sep": r"\s+" if sep is None else sep,
        "header": None,
        "comment": comment,
        "skiprows": skip_lines,
        "na_filter": False,
        "engine": "c",
        "quoting": csv.QUOTE_NONE,
        "encoding": "utf-8",
        "encoding_errors": "replace",
        "skip_blank_lines": True,
    }

    def read(as_str: bool) -> pd.DataFrame:
        if as_str:
            kw["dtype"] = {0: object, 1: object}
        try:
            df = pd.read_csv(path, **kw)
        except (pd.errors.ParserError, ValueError) as exc:
            rows.raise_first_bad_line(ncols, use_weights, int_ids, cause=str(exc).strip())
        if df.shape[1] != ncols:
            rows.raise_first_bad_line(ncols, use_weights, int_ids)
        return df

    df = read(as_str=node_type is str)
    ints = all(df[c].dtype.kind == "i" for c in (0, 1)) and node_type is not str
    all_int = ints
    if ints:
        src_ids, dst_ids = df[0].to_numpy(), df[1].to_numpy()
    else:
        if node_type is not str:
            df = read(as_str=True)
        src_tok = df[0].to_numpy(dtype=object)
        dst_tok = df[1].to_numpy(dtype=object)
        wcol = df[2] if ncols == 3 else None
        if sep is not None:
            src_tok = pd.Series(src_tok).str.strip().to_numpy(dtype=object)
            dst_tok = pd.Series(dst_tok).str.strip().to_numpy(dtype=object)
        # whitespace-only lines give all-empty rows with an explicit sep: drop them (the scan skips them too)
        blank = (src_tok == "") & (dst_tok == "")
        if wcol is not None:
            blank &= wcol.astype(str).str.strip().to_numpy() == ""
        if np.any(blank):
            keep = ~blank
            src_tok, dst_tok = src_tok[keep], dst_tok[keep]
            df = df.loc[keep].reset_index(drop=True)
        if np.any(src_tok == "") or np.any(dst_tok == ""):
            rows.raise_first_bad_line(ncols, use_weights, int_ids)
        all_int = False
        if node_type is not str:
            all_int = bool(
                pd.Series(src_tok).str.fullmatch(_INT_PATTERN).all()
                and pd.Series(dst_tok).str.fullmatch(_INT_PATTERN).all()
            )
            if node_type is int and not all_int:
                rows.raise_first_bad_line(ncols, use_weights, True)
        if all_int:
            src_ids, dst_ids = _tokens_to_ints(src_tok), _tokens_to_ints(dst_tok)
            ints = src_ids.dtype != object
        else:
            src_ids, dst_ids = src_tok, dst_tok
    w = None
    if use_weights:
        col = df[2]
        if col.dtype.kind in "iuf":
            w = col.to_numpy(dtype=np.float64)
        else:
            w = pd.to_numeric(col.astype(str).str.strip(), errors="coerce").to_numpy(dtype=np.float64)
            nan = np.flatnonzero(np.isnan(w))
            for r in nan[:1]:
                token = str(col.iloc[int(r)]).strip()
                if not _is_number(token):  # a missing field or a word: the scan names the line
                    rows.raise_first_bad_line(ncols, True, int_ids)
    _check_extra_types(extra, int if all_int else str, path)
    src, dst, node_list = _factorize(src_ids, dst_ids, extra, numeric=ints)
    return from_edge_arrays(src, dst, w, node_list, describe=rows.describe, owner=_OWNER, **policy)


def _read_bytes(path: str) -> np.ndarray:
    """The file's bytes (decompressed for .gz, .bz2, .xz) as a uint8 array."""
    low = path.lower()
    for suffix, opener in ((".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)):
        if low.endswith(suffix):
            with opener(path, "rb") as fh:
                return np.frombuffer(fh.read(), dtype=np.uint8)
    return np.fromfile(path, dtype=np.uint8)


def _line_offset(buf: np.ndarray, lines: int) -> int:
    """Byte offset just after the first ``lines`` newlines of ``buf`` (the header and what precedes it)."""
    pos = 0
    for _ in range(lines):
        step = 1 << 16
        while True:
            hits = np.flatnonzero(buf[pos : pos + step] == 10)
            if hits.size or pos + step >= buf.size:
                break
            step *= 4
        if not hits.size:
            return int(buf.size)
        pos += int(hits[0]) + 1
    return pos


def _parse_int_edges(
    path: str, sep: str | None, comment: str | None, skip_lines: int, ncols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """Parse an edge list of integer ids with the numba kernels; None when the file needs the general path.

    The kernels accept two integer ids per line (``[+-]?[0-9]{1,18}``), optionally a decimal
    weight on the exact fast path, with the same separators, comments and blank lines as
    the pandas path; on anything else (string ids, a malformed line, an unusual weight) they
    stop and the caller parses the file with pandas, which names the file and line of an
    error.  Time O(file size) over all cores; memory the file's bytes plus 16 (24 with
    weights) bytes per line.
    """
    if (sep is not None and (not sep.isascii() or sep in "0123456789+-.eE")) or (
        comment is not None and not comment.isascii()
    ):
        return None
    buf = _read_bytes(path)
    start = _line_offset(buf, skip_lines)
    threads = max(1, numba.get_num_threads())
    nblocks = max(1, min(4 * threads, buf.size // (1 << 20) + 1))
    starts, line_counts = _kernels.split_blocks(buf, start, nblocks)
    src, dst, w, bad = _kernels.parse_edges(
        buf, starts, line_counts, -1 if sep is None else ord(sep), -1 if comment is None else ord(comment), ncols
    )
    del buf
    if bad >= 0 or src.size == 0:
        line = skip_lines + bad + 1
        logger.debug("read_edgelist: %s line %d is not a plain integer edge; parsing with pandas", path, line)
        return None
    return src, dst, (w if ncols == 3 else None)


def _tokens_to_ints(tokens: np.ndarray) -> np.ndarray:
    try:
        return tokens.astype(np.int64)
    except (OverflowError, ValueError):
        return np.array([int(t) for t in tokens], dtype=object)


def _check_extra_types(extra: list, kind: type, where: str) -> None:
    for x in extra:
        ok = _is_int_like(x) if kind is int else isinstance(x, str)
        if not ok:
            raise ValueError(
                f"The 'nodes' parameter of {_OWNER} holds {x!r} ({type(x).__name__}) but the ids in {where} are "
                f"{kind.__name__}s; give nodes as {kind.__name__}s (or set node_type to match)."
            )


def _factorize_fast(src_ids: np.ndarray, dst_ids: np.ndarray, extra: list) -> tuple:
    """:func:`_factorize` of int64 ids, by a numba kernel when the ids are dense (int32 rows)."""
    k = src_ids.size
    if extra or k == 0:
        return _factorize(src_ids, dst_ids, extra, numeric=True)
    lo = int(min(src_ids.min(), dst_ids.min()))
    hi = int(max(src_ids.max(), dst_ids.max()))
    if hi - lo >= 4 * 2 * k + 1024 or hi - lo >= 2**31 - 1:
        return _factorize(src_ids, dst_ids, extra, numeric=True)
    rows_src, rows_dst, ids = _kernels.dense_rows(src_ids, dst_ids, lo, hi - lo + 1)
    return rows_src, rows_dst, ids.tolist()


def _factorize(src_ids: np.ndarray, dst_ids: np.ndarray, extra: list, numeric: bool) -> tuple:
    """Map ids to rows ``0..n-1``; returns ``(src, dst, nodes)``."""
    k = len(src_ids)
    if numeric:
        parts = [np.asarray(src_ids, dtype=np.int64), np.asarray(dst_ids, dtype=np.int64)]
        if extra:
            parts.append(np.array([int(x) for x in extra], dtype=np.int64))
        ids = np.concatenate(parts)
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo < 4 * ids.size + 1024:  # dense ids (the common 0..n or 1..n case): O(k) ranking
            present = np.zeros(hi - lo + 1, dtype=bool)
            ids -= lo  # our own copy: shift in place
            present[ids] = True
            rank = np.cumsum(present, dtype=np.int64) - 1
            inv, uniq = rank[ids], np.flatnonzero(present) + lo
            del ids
        else:
            uniq, inv = np.unique(ids, return_inverse=True)
        return inv[:k], inv[k : 2 * k], uniq.tolist()
    ex = np.fromiter(extra, dtype=object, count=len(extra))
    both = np.empty(2 * k, dtype=object)
    both[0::2] = src_ids
    both[1::2] = dst_ids
    codes, uniques = pd.factorize(np.concatenate((ex, both)), sort=False, use_na_sentinel=False)
    codes, nodes = order_ids(np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object))
    codes = codes[len(extra) :]
    return codes[0::2], codes[1::2], nodes


def _isolated_only(extra: list, what: str, policy: dict) -> CSRGraph:
    if not extra:
        raise ValueError(
            f"{what} and no nodes were given: the graph would be empty. Add edges, or pass nodes=[...] "
            "for a graph of isolated nodes."
        )
    codes, uniques = pd.factorize(np.fromiter(extra, dtype=object, count=len(extra)), sort=False)
    _, node_list = order_ids(np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object))
    empty = np.zeros(0, dtype=np.int64)
    return from_edge_arrays(empty, empty, None, node_list, owner=_OWNER, **policy)


# -------------------------------------------------------------- DataFrames
def _from_dataframe(
    df: pd.DataFrame, weighted: bool | None, extra: list, node_type: type | None, policy: dict
) -> CSRGraph:
    cols = list(df.columns)
    if "source" in cols and "target" in cols:
        s, t = "source", "target"
        wcol = "weight" if "weight" in cols else None
    else:
        if len(cols) < 2 or len(cols) > 3:
            raise ValueError(
                f"The DataFrame given to {_OWNER} has {len(cols)} columns {cols}; name them "
                "'source', 'target' (and 'weight'), or pass exactly 2 or 3 columns."
            )
        s, t = cols[0], cols[1]
        wcol = cols[2] if len(cols) == 3 else None
    if weighted is True and wcol is None:
        raise ValueError(f"weighted=True but the DataFrame given to {_OWNER} has no weight column (columns {cols}).")
    if weighted is False:
        wcol = None
    if len(df) == 0:
        return _isolated_only(extra, "The DataFrame has no rows", policy)
    used = [s, t] + ([wcol] if wcol is not None else [])

    def describe(rows: list[int]) -> list[str]:
        out = []
        for r in rows:
            label = df.index[r]
            label = label.item() if isinstance(label, np.generic) else label
            out.append(f"DataFrame row {r} (index {label!r}: {tuple(df.iloc[r][used].tolist())!r})")
        return out

    src_ids = _frame_ids(df[s], node_type, describe, "source")
    dst_ids = _frame_ids(df[t], node_type, describe, "target")
    numeric = src_ids.dtype.kind == "i" and dst_ids.dtype.kind == "i" and all(_is_int_like(x) for x in extra)
    w = None
    if wcol is not None:
        col = df[wcol]
        if col.dtype.kind not in "iuf":
            raise ValueError(
                f"The weight column {wcol!r} of the DataFrame has dtype {col.dtype}; weights must be numeric "
                "(convert with pandas.to_numeric)."
            )
        w = col.to_numpy(dtype=np.float64)
    src, dst, node_list = _factorize(src_ids, dst_ids, extra, numeric=numeric)
    return from_edge_arrays(src, dst, w, node_list, describe=describe, owner=_OWNER, **policy)


def _frame_ids(col: pd.Series, node_type: type | None, describe: Callable, which: str) -> np.ndarray:
    if col.dtype.kind == "b":
        raise ValueError(f"The {which} column of the DataFrame holds bools; use ints or strings as node ids.")
    if col.dtype.kind == "i" and node_type is not str:
        return col.to_numpy()
    values = col.to_numpy(dtype=object)
    missing = pd.isna(values)
    if np.any(missing):
        r = int(np.flatnonzero(missing)[0])
        (where,) = describe([r])
        raise ValueError(f"{where}: the {which} id is missing.")
    if node_type is str:
        return np.array([str(x) for x in values], dtype=object)
    if node_type is int:
        out = np.empty(len(values), dtype=object)
        for r, x in enumerate(values):
            if _is_int_like(x):
                out[r] = int(x)
            elif isinstance(x, str) and _INT_RE.fullmatch(x.strip()):
                out[r] = int(x)
            elif isinstance(x, (float, np.floating)) and float(x).is_integer():
                out[r] = int(x)
            else:
                (where,) = describe([r])
                raise ValueError(f"{where}: the {which} id {x!r} is not an integer (node_type=int).")
        try:
            return out.astype(np.int64)
        except OverflowError:
            return out
    return values


# ------------------------------------------------------------------ labels
def parse_ids(tokens: Sequence[str]) -> list:
    """Ints when every token is an int literal, else the stripped strings."""
    try:
        return [int(t) for t in tokens]
    except ValueError:
        return list(tokens)


def read_labels(path: str | os.PathLike) -> dict[Any, list]:
    """Read a labels file: ``node<TAB>label`` per line.

    Parameters
    ----------
    path : str or path
        Text file.  Fields are separated by a tab (or, without tabs, by
        whitespace); extra fields on a line are further labels of that node; a
        node may appear on several lines.  Blank lines, ``#`` comments, CRLF
        endings and a ``node<TAB>label`` header are accepted.

    Returns
    -------
    dict
        Node id -> list of distinct labels in file order.  Node ids (and,
        separately, labels) are ints when all of them parse as ints.

    Raises
    ------
    ValueError
        On a line with a single field (message gives file, line and text).
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    nodes: list[str] = []
    labs: list[list[str]] = []
    with open(path, encoding="utf-8") as fh:
        first = True
        for lineno, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            fields = [f.strip() for f in fields if f.strip()]
            if first and [f.lower() for f in fields[:2]] in (["node", "label"], ["node", "labels"], ["id", "label"]):
                first = False
                continue
            first = False
            if len(fields) < 2:
                raise ValueError(
                    f"{path}:{lineno}: expected 'node<TAB>label', got {raw.rstrip()!r}. "
                    "Fix or remove the line (nodes without labels are simply left out)."
                )
            nodes.append(fields[0])
            labs.append(fields[1:])
    node_ids = parse_ids(nodes)
    flat = parse_ids([lab for row in labs for lab in row])
    out: dict[Any, list] = {}
    k = 0
    for node, row in zip(node_ids, labs, strict=True):
        cur = out.setdefault(node, [])
        for lab in flat[k : k + len(row)]:
            if lab not in cur:
                cur.append(lab)
        k += len(row)
    return out


# ------------------------------------------------------ DeepWalk's formats
def read_adjlist(
    path: str | os.PathLike,
    *,
    directed: bool = False,
    comment: str | None = "#",
    node_type: type | str | None = None,
) -> CSRGraph:
    """Read an adjacency list (DeepWalk's ``--format adjlist``) into a :class:`CSRGraph`.

    Each line is ``node neighbour neighbour ...`` separated by any whitespace
    (DeepWalk's ``karate.adjlist``).  A node alone on its line is an isolated
    node; a node may have several lines (their neighbours add up).

    Parameters
    ----------
    path : str or path
        Text file (``.gz``, ``.bz2``, ``.xz`` are decompressed).
    directed : bool, default False
        False (DeepWalk's default): each ``u v`` pair is an undirected edge, so
        ``v`` listing ``u`` again is the same edge.  True: arcs ``u -> v``.
    comment : str or None, default '#'
        Character starting a comment.
    node_type : {None, int, str}, default None
        None: ints when the first token of every line is an int (DeepWalk's
        files), strings otherwise.  With int ids, a neighbour token that is not
        an int is an error naming the file, line and token (a dangling
        separator or a weight such as ``3:0.5``).

    Returns
    -------
    CSRGraph
        Unweighted; rows in ascending id order; duplicates merged.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        A non-int token in an int adjacency list (``file:line`` and the token
        named), or a file without any node.

    Notes
    -----
    One pass over the file in Python (O(total tokens) time); memory O(m) for
    the pair arrays before the CSR build.
    """
    owner = "read_adjlist"
    if not isinstance(directed, (bool, np.bool_)):
        raise ValueError(f"The 'directed' parameter of {owner} must be a bool. Got {directed!r} instead.")
    kind = _check_node_type(node_type)
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{owner}: {path}: no such file.")
    lines = list(_data_lines(path, None, comment))
    if not lines:
        raise ValueError(f"{path}: no node found (an adjacency list has 'node neighbour ...' per line).")
    as_int = kind is int or (kind is None and all(_INT_RE.fullmatch(fields[0]) for _, _, fields in lines))
    if as_int:
        for lineno, text, fields in lines:
            bad = next((tok for tok in fields if not _INT_RE.fullmatch(tok)), None)
            if bad is not None:
                raise ValueError(
                    f"{path}:{lineno}: token {bad!r} is not an int node id, but the ids of this adjacency list "
                    f"are ints (line: {text.strip()!r}). Remove the dangling token, or pass node_type=str."
                )
    parse: Callable[[str], Any] = int if as_int else str
    srcs = [parse(fields[0]) for _, _, fields in lines for _ in fields[1:]]
    dsts = [parse(tok) for _, _, fields in lines for tok in fields[1:]]
    nodes = list(dict.fromkeys(parse(fields[0]) for _, _, fields in lines))
    dtype = np.int64 if as_int else object
    frame = pd.DataFrame({"source": np.array(srcs, dtype=dtype), "target": np.array(dsts, dtype=dtype)})
    return read_edgelist(frame, weighted=False, directed=bool(directed), nodes=nodes)


def read_mat(
    path: str | os.PathLike,
    adj_matrix_name: str = "network",
    label_matrix_name: str | None = "group",
    *,
    directed: bool | None = None,
) -> tuple[CSRGraph | None, dict[int, list[int]] | None]:
    """Read a MATLAB ``.mat`` benchmark (DeepWalk's and node2vec's ``network`` / ``group``).

    Node ids are the matrix rows ``0..n-1`` and labels the columns ``0..c-1``
    of the label matrix, as DeepWalk's ``scoring.py`` expects (it looks nodes
    up as ``str(i)``).  Note that :mod:`graphemb.datasets` loaders number the
    same files from 1, like the ``.tsv`` copies.

    Parameters
    ----------
    path : str or path
        ``.mat`` file (MATLAB v4-v7.2; v7.3 files are HDF5 and need h5py).
    adj_matrix_name : str or None, default "network"
        Variable holding the (n, n) adjacency matrix (DeepWalk's
        ``--matfile-variable-name``); None reads only the labels (``graph``
        is then None).
    label_matrix_name : str or None, default "group"
        Variable holding the (n, c) label indicator matrix; None reads no
        labels.
    directed : bool or None, default None
        None: directed only when the matrix is asymmetric.

    Returns
    -------
    graph : CSRGraph
        Nodes ``0..n-1``, weighted when the matrix is not all ones.
    labels : dict or None
        Node -> list of label columns (ascending); nodes without a label are
        absent.  None when ``label_matrix_name`` is None.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not a readable ``.mat`` file, lacks a named variable
        (the message lists the variables it has), or the matrices' shapes do
        not agree.
    """
    import scipy.sparse as sp
    from scipy.io import loadmat

    owner = "read_mat"
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{owner}: {path}: no such file.")
    try:
        mat = loadmat(path)
    except NotImplementedError as err:  # MATLAB v7.3 = HDF5
        raise ValueError(f"{path}: {err}; save it with MATLAB's -v7 flag or convert it to an edge list.") from None
    except Exception as err:  # scipy raises several types for a file that is not .mat
        raise ValueError(f"{path}: not a readable MATLAB .mat file ({type(err).__name__}: {err}).") from None
    keys = sorted(k for k in mat if not k.startswith("__"))
    for flag, name in (("adj_matrix_name", adj_matrix_name), ("label_matrix_name", label_matrix_name)):
        if name is not None and (not isinstance(name, str) or name not in mat):
            raise ValueError(
                f"{path}: no variable {name!r} (the {flag}); the file holds {keys}. "
                f"Pass the right name (CLI: --{flag.replace('_', '-')})."
            )
    if adj_matrix_name is None:
        if label_matrix_name is None:
            raise ValueError(f"{owner}: adj_matrix_name and label_matrix_name are both None; nothing to read.")
        return None, _mat_labels(mat, label_matrix_name, None, path)
    network = mat[adj_matrix_name]
    if not (sp.issparse(network) or isinstance(network, np.ndarray)) or network.ndim != 2:
        raise ValueError(f"{path}: {adj_matrix_name!r} is not a 2-D matrix (got {type(network).__name__}).")
    network = sp.csr_array(network)
    n, n2 = network.shape
    if n != n2:
        raise ValueError(f"{path}: {adj_matrix_name!r} has shape {network.shape}; an adjacency matrix is square.")
    network.data = network.data.astype(np.float64)
    graph = CSRGraph.from_scipy(network, directed=directed)
    if label_matrix_name is None:
        return graph, None
    return graph, _mat_labels(mat, label_matrix_name, (adj_matrix_name, n), path)


def _mat_labels(mat: dict, name: str, network: tuple[str, int] | None, path: str) -> dict[int, list[int]]:
    """Row -> label columns of the indicator matrix ``mat[name]`` (rows checked against the network's size)."""
    import scipy.sparse as sp

    group = mat[name]
    if not (sp.issparse(group) or isinstance(group, np.ndarray)) or group.ndim != 2:
        raise ValueError(f"{path}: {name!r} is not a 2-D matrix (got {type(group).__name__}).")
    group = sp.coo_array(sp.csr_array(group))
    if network is not None and group.shape[0] != network[1]:
        raise ValueError(f"{path}: {name!r} has {group.shape[0]} rows but {network[0]!r} has {network[1]} nodes.")
    labels: dict[int, list[int]] = {}
    keep = group.data != 0
    rows, cols = group.row[keep], group.col[keep]
    order = np.lexsort((cols, rows))
    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        labels.setdefault(int(i), []).append(int(j))
    return labels


register_entry_point("read_edgelist", read_edgelist)
