"""``Embedding``: learned vectors keyed by the original node ids.

The trainer produces a float32 matrix; this object owns the mapping between
node ids and rows, similarity queries and file formats (like gensim's
``KeyedVectors``, which is separate from its ``Word2Vec`` trainer).

File formats
------------
``.npz`` (:meth:`Embedding.save` / :meth:`Embedding.load`)
    Lossless: float32 vectors plus the node ids with their Python types (int,
    str, float, bool, None and tuples of these).  Readable with
    ``np.load(path, allow_pickle=False)``: arrays ``vectors`` (float32, (n, d)),
    ``id_kind`` (``"int"``, ``"str"`` or ``"json"``) and ``node_ids`` (int64
    array, unicode array, or one JSON string whose non-int, non-str ids are
    tagged lists such as ``["t", [1, "a"]]`` for the tuple ``(1, "a")``).
word2vec text / binary (:meth:`Embedding.save_word2vec_format`)
    The format of the original word2vec tool, readable by gensim's
    ``KeyedVectors.load_word2vec_format``: ids are written with ``str()``, so
    they come back as strings (or ints with ``node_type=int``).

Every write goes to a temporary file in the target directory, then
``os.replace`` moves it into place: an interrupted save never leaves a
half-written file under the target name.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Hashable, Iterator, Sequence
from typing import IO, Any

import numba
import numpy as np

from ._atomic import atomic_write
from ._format_kernels import format_lines, row_stride
from ._validation import check_int

__all__ = ["Embedding"]

_NPZ_VERSION = 1
_NPZ_CORE = frozenset({"vectors", "node_ids", "id_kind", "format_version"})
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class Embedding:
    """Node vectors addressed by original node id.

    Parameters
    ----------
    nodes : sequence of hashable
        Node ids, ``nodes[i]`` owns row ``i`` of ``vectors``.  Ids must be unique.
    vectors : array of shape (len(nodes), dimensions)
        Stored as C-contiguous float32.

    Attributes
    ----------
    nodes : list
    vectors : ndarray of float32, shape (n, d)

    Examples
    --------
    >>> import numpy as np
    >>> emb = Embedding(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    >>> emb["a"].tolist()
    [1.0, 0.0]
    >>> [node for node, _ in emb.most_similar("a", topn=2)]
    ['b', 'c']
    """

    def __init__(self, nodes: Sequence[Hashable], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        nodes = list(nodes)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D (n, dimensions); got shape {vectors.shape}.")
        if vectors.shape[0] != len(nodes):
            raise ValueError(f"{len(nodes)} node ids but {vectors.shape[0]} vectors.")
        index = {}
        for i, v in enumerate(nodes):
            if v in index:
                raise ValueError(f"node id {v!r} appears twice.")
            index[v] = i
        self.nodes = nodes
        self._index = index
        self.vectors = vectors

    # ------------------------------------------------------------------ access
    @property
    def vectors(self) -> np.ndarray:
        """float32 (n, dimensions) vectors, row ``i`` for ``nodes[i]``; a read-only view.

        Read-only so that the unit vectors cached for :meth:`most_similar` and
        :meth:`similarity` can never go stale: to change vectors, assign a new
        array (``emb.vectors = new``, same shape), which drops the cache.
        """
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        value = np.ascontiguousarray(value, dtype=np.float32)
        if value.ndim != 2 or value.shape[0] != len(self.nodes):
            raise ValueError(f"vectors must have shape ({len(self.nodes)}, dimensions); got {value.shape}.")
        view = value.view()
        view.flags.writeable = False
        self._vectors = view
        self._unit: np.ndarray | None = None

    @property
    def dimensions(self) -> int:
        """Length of each vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node: Hashable) -> bool:
        try:
            return node in self._index
        except TypeError:
            return False

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.nodes)

    def __getitem__(self, node: Hashable) -> np.ndarray:
        return self.vectors[self.index_of(node)]

    def __repr__(self) -> str:
        return f"Embedding({len(self)} nodes, {self.dimensions} dimensions)"

    def index_of(self, node: Hashable) -> int:
        """Row of ``node``; ``KeyError`` naming the node if unknown."""
        try:
            return self._index[node]
        except (KeyError, TypeError):
            raise KeyError(f"node {node!r} is not in the embedding") from None

    def indices_of(self, nodes: Sequence[Hashable]) -> np.ndarray:
        """Rows (int64) of several nodes; ``KeyError`` names the first unknown one."""
        return np.fromiter((self.index_of(v) for v in nodes), dtype=np.int64, count=len(nodes))

    def get_vectors(self, nodes: Sequence[Hashable]) -> np.ndarray:
        """Vectors of ``nodes`` as an (len(nodes), d) float32 array (a copy)."""
        return self.vectors[self.indices_of(nodes)]

    # -------------------------------------------------------------- similarity
    def _unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (cached; zero rows stay zero)."""
        if self._unit is None or self._unit.shape != self.vectors.shape:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.maximum(norms, np.float32(1e-12))
        return self._unit

    def similarity(self, u: Hashable, v: Hashable) -> float:
        """Cosine similarity of the vectors of nodes ``u`` and ``v``.

        Parameters
        ----------
        u, v : hashable
            Node ids.

        Returns
        -------
        float
            In [-1, 1]; 0 when either vector is zero.

        Raises
        ------
        KeyError
            If a node is not in the embedding.
        """
        unit = self._unit_vectors()
        return float(unit[self.index_of(u)] @ unit[self.index_of(v)])

    def most_similar(self, node: Hashable, topn: int = 10) -> list[tuple[Hashable, float]]:
        r"""Nodes whose vectors have the highest cosine similarity with ``node``'s.

        .. math:: \cos(x, y) = \frac{x \cdot y}{\lVert x \rVert \, \lVert y \rVert}

        Parameters
        ----------
        node : hashable
            Query node id; it is left out of the answer.
        topn : int, default 10
            Number of neighbours returned (fewer when the embedding has fewer
            other nodes).

        Returns
        -------
        list of (node, float)
            Neighbours by decreasing similarity; ties keep row order.

        Raises
        ------
        KeyError
            If ``node`` is not in the embedding.
        ValueError
            If ``topn`` is not an int >= 1.

        Notes
        -----
        Exact search, O(n d) time and O(n) extra memory per query (plus a
        cached copy of the unit-length vectors, O(n d), on first use).
        """
        topn = check_int(topn, "topn", "Embedding.most_similar", minimum=1)
        row = self.index_of(node)
        unit = self._unit_vectors()
        scores = (unit @ unit[row]).astype(np.float64)
        scores[row] = -np.inf
        k = min(int(topn), len(self) - 1)
        if k <= 0:
            return []
        if k < len(self) - 1:
            part = np.argpartition(-scores, k - 1)[:k]
        else:
            part = np.flatnonzero(np.isfinite(scores))
        best = part[np.lexsort((part, -scores[part]))]
        return [(self.nodes[i], float(scores[i])) for i in best.tolist()]

    def to_dataframe(self) -> Any:
        """The vectors as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            Shape (n, d), index = node ids (object index; tuple ids stay
            tuples, not a MultiIndex), columns ``0 .. d-1``, float32 values.
        """
        import pandas as pd

        index = pd.Index(self.nodes, dtype=object, tupleize_cols=False, name="node")
        return pd.DataFrame(self.vectors, index=index, columns=range(self.dimensions), copy=True)

    def to_pandas(self) -> Any:
        """The vectors as a pandas DataFrame indexed by node id (same as :meth:`to_dataframe`).

        Returns
        -------
        pandas.DataFrame
            Shape (n, d), index ``node`` = node ids, columns ``0 .. d-1``.
        """
        return self.to_dataframe()

    def to_numpy(self, nodes: Sequence[Hashable] | None = None) -> np.ndarray:
        """The vectors as a float32 array (a copy), rows in ``nodes`` order (default: ``self.nodes``).

        Parameters
        ----------
        nodes : sequence of hashable, optional
            Rows to return, e.g. ``range(n)`` for the ``0..n-1`` ids of a matrix.

        Returns
        -------
        ndarray of float32, shape (len(nodes), d)

        Raises
        ------
        KeyError
            Naming the first node not in the embedding.
        """
        return self.vectors.copy() if nodes is None else self.get_vectors(list(nodes))

    def to_gensim(self) -> Any:
        """The vectors as gensim ``KeyedVectors`` (keys ``str(node)``, as in the word2vec file format).

        Returns
        -------
        gensim.models.KeyedVectors

        Raises
        ------
        ImportError
            When gensim is not installed (``pip install "graphemb[gensim]"``).
        ValueError
            If two ids have the same ``str()`` (e.g. ``1`` and ``"1"``).
        """
        try:
            from gensim.models import KeyedVectors
        except ImportError:
            raise ImportError('Embedding.to_gensim needs gensim: pip install "graphemb[gensim]"') from None
        keys = [str(v) for v in self.nodes]
        if len(set(keys)) != len(keys):
            dup = next(k for k, c in _counts(keys).items() if c > 1)
            raise ValueError(f"two node ids print as {dup!r}; gensim keys are strings and would collide.")
        kv = KeyedVectors(vector_size=self.dimensions, count=0, dtype=np.float32)
        kv.add_vectors(keys, self.vectors.copy())
        return kv

    @classmethod
    def from_gensim(cls, kv: Any, node_type: type | str = str) -> Embedding:
        """Wrap gensim ``KeyedVectors`` (or a ``Word2Vec`` model's ``wv``) as an :class:`Embedding`.

        Parameters
        ----------
        kv : gensim.models.KeyedVectors or gensim.models.Word2Vec
            Anything with ``index_to_key`` and ``vectors`` (a model's ``wv`` is used).
        node_type : {str, int, "auto"}, default str
            Type of the ids, as in :meth:`load_word2vec_format`.

        Returns
        -------
        Embedding
            Row order of ``kv.index_to_key``.

        Raises
        ------
        TypeError
            If ``kv`` is not a KeyedVectors-like object.
        ValueError
            If ``node_type=int`` and a key is not an int.
        """
        kv = getattr(kv, "wv", kv)
        if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
            raise TypeError(f"Embedding.from_gensim expects gensim KeyedVectors; got {type(kv).__name__}.")
        if node_type not in (str, int, "auto"):
            raise ValueError(f"The 'node_type' parameter of from_gensim must be str, int or 'auto'. Got {node_type!r}.")
        keys = list(kv.index_to_key)
        nodes: list[Any] = keys
        if node_type is not str:
            try:
                nodes = [k if isinstance(k, int) else int(k) for k in keys]
            except (TypeError, ValueError):
                if node_type is int:
                    bad = next(k for k in keys if not str(k).lstrip("-").isdigit())
                    raise ValueError(f"Embedding.from_gensim: key {bad!r} is not an int; pass node_type=str.") from None
                nodes = keys
        return cls(nodes, np.asarray(kv.vectors))

    def plot(
        self,
        labels: Any = None,
        method: str = "pca",
        ax: Any = None,
        title: str | None = None,
        seed: int = 0,
        annotate: bool | None = None,
    ) -> Any:
        """Draw a 2-D projection of the vectors, one point per node, coloured by label.

        Parameters
        ----------
        labels : mapping or sequence, optional
            ``node -> label`` (a multi-label node takes its first label;
            missing nodes are grey), or one label per row.
        method : {"pca", "tsne", "umap"}, default "pca"
            Projection (:func:`graphemb.plotting.project`); ``tsne`` uses
            scikit-learn, ``umap`` needs umap-learn.
        ax : matplotlib Axes, optional
            Draw into it; a new figure otherwise.
        title : str, optional
            Default names the method and the size.
        seed : int, default 0
            Random state of t-SNE / UMAP.
        annotate : bool, optional
            Write node ids on the points; default only for up to 60 nodes.

        Returns
        -------
        matplotlib.figure.Figure
            Save it with ``fig.savefig("emb.png")``.

        Raises
        ------
        ImportError
            Without matplotlib (the message names ``pip install "graphemb[plot]"``).
        ValueError
            Unknown method, or labels of the wrong length.
        """
        from .plotting import labels_for, project, require_matplotlib, scatter_2d

        require_matplotlib("Embedding.plot")
        point_labels = labels_for(self.nodes, labels) if labels is not None else None
        xy = project(self.vectors, method=method, seed=seed)
        if title is None:
            how = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}.get(method, method)
            title = f"{len(self)} nodes, {self.dimensions} dimensions ({how})"
        show_ids = len(self) <= 60 if annotate is None else bool(annotate)
        return scatter_2d(xy, point_labels, title=title, ax=ax, annotate=self.nodes if show_ids else None)

    # --------------------------------------------------------------------- npz
    def save(self, path: str | os.PathLike, extra: dict[str, np.ndarray] | None = None) -> None:
        """Write the embedding losslessly to a ``.npz`` file (atomically).

        Parameters
        ----------
        path : str or os.PathLike
            Target file; written exactly there (no suffix is appended).
        extra : dict of str to ndarray, optional
            More arrays stored beside the embedding's (no object arrays: the file
            stays readable with ``allow_pickle=False``); :meth:`load` ignores
            them.  A fitted model saves its training state this way
            (``model.save``).

        Raises
        ------
        TypeError
            If a node id is not an int, str, float, bool, None or a tuple of these.

        See Also
        --------
        load : read it back, ids with their types.
        save_word2vec_format : the text format other tools read.
        """
        kind, ids = _encode_ids(self.nodes)
        arrays = {}
        for name, value in (extra or {}).items():
            value = np.asarray(value)
            if name in _NPZ_CORE or value.dtype == object:
                why = "a reserved name" if name in _NPZ_CORE else "of dtype object (not storable without pickle)"
                raise ValueError(f"The extra array {name!r} passed to Embedding.save is {why}.")
            arrays[name] = value

        def write(fh: IO[bytes]) -> None:
            np.savez(
                fh,
                vectors=self.vectors,
                node_ids=ids,
                id_kind=np.array(kind),
                format_version=np.array(_NPZ_VERSION, dtype=np.int64),
                **arrays,
            )

        atomic_write(path, write)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Embedding:
        """Read an embedding written by :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike
            A ``.npz`` file (loaded with ``allow_pickle=False``).

        Returns
        -------
        Embedding
            Same ids (same Python types) and vectors as when saved.

        Raises
        ------
        ValueError
            If the file is not an embedding written by :meth:`save`.
        """
        path = os.fspath(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                missing = {"vectors", "node_ids", "id_kind"} - set(data.files)
                if missing:
                    raise ValueError(
                        f"{path}: not a graphemb embedding file (missing arrays {sorted(missing)}); "
                        "write it with Embedding.save, or read word2vec files with Embedding.load_word2vec_format."
                    )
                vectors = data["vectors"]
                kind = str(data["id_kind"])
                raw = data["node_ids"]
        except (OSError, EOFError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise ValueError(
                f"{path}: cannot be read as a .npz embedding ({exc}). "
                "For word2vec files use Embedding.load_word2vec_format."
            ) from None
        return cls(_decode_ids(kind, raw, path), vectors)

    # ----------------------------------------------------------------- word2vec
    def save_word2vec_format(self, path: str | os.PathLike, binary: bool = False) -> None:
        """Write the word2vec format (gensim ``KeyedVectors.load_word2vec_format`` reads it).

        Parameters
        ----------
        path : str or os.PathLike
            Target file, written atomically.
        binary : bool, default False
            False: a text line ``id v1 ... vd`` per node (9 significant digits,
            exact for float32).  True: ``id``, a space, ``d`` little-endian
            float32 values and a newline per node.  Both start with the line
            ``n d``.

        Raises
        ------
        ValueError
            If an id is empty or contains whitespace once written with
            ``str()``, or two ids print alike (e.g. ``1`` and ``"1"``); use
            :meth:`save` for such ids.
        """
        if not isinstance(binary, (bool, np.bool_)):
            raise ValueError(f"The 'binary' parameter of save_word2vec_format must be a bool. Got {binary!r}.")
        names = [str(v) for v in self.nodes]
        seen: dict[str, Hashable] = {}
        for node, name in zip(self.nodes, [] if _plain_and_distinct(names) else names, strict=False):
            if not name or any(ch.isspace() for ch in name):
                raise ValueError(
                    f"node id {node!r} cannot be written in word2vec format: its text {name!r} is empty or holds "
                    "whitespace. Rename the node, or use Embedding.save (.npz), which keeps any id."
                )
            if name in seen:
                raise ValueError(
                    f"node ids {seen[name]!r} and {node!r} are both written as {name!r} in word2vec format, so they "
                    "would merge when read back. Use Embedding.save (.npz), which keeps id types."
                )
            seen[name] = node
        n, d = self.vectors.shape

        def write(fh: IO[bytes]) -> None:
            fh.write(f"{n} {d}\n".encode())
            if binary:
                little = self.vectors.astype("<f4", copy=False)
                for name, row in zip(names, little, strict=True):
                    fh.write(name.encode("utf-8") + b" " + row.tobytes() + b"\n")
                return
            _write_text_rows(fh, names, self.vectors)

        atomic_write(path, write)

    @classmethod
    def load_word2vec_format(
        cls, path: str | os.PathLike, binary: bool = False, node_type: type | str = str
    ) -> Embedding:
        """Read a word2vec-format file (text or binary).

        Parameters
        ----------
        path : str or os.PathLike
            File written by :meth:`save_word2vec_format`, gensim, word2vec,
            node2vec or PecanPy.
        binary : bool, default False
            Whether the vectors are binary float32 (word2vec ``-binary 1``).
        node_type : {str, int, "auto"}, default str
            Type of the ids: ``str`` keeps the text, ``int`` parses every id as
            an int (error naming the line otherwise), ``"auto"`` gives ints when
            every id parses as one and strings otherwise.

        Returns
        -------
        Embedding

        Raises
        ------
        ValueError
            On a malformed header or line (message gives ``file:line``), or an
            id that appears twice.
        """
        if node_type not in (str, int, "auto"):
            raise ValueError(
                f"The 'node_type' parameter of load_word2vec_format must be str, int or 'auto'. Got {node_type!r}."
            )
        path = os.fspath(path)
        with open(path, "rb") as fh:
            n, d = _read_header(fh, path)
            if binary:
                names, vectors = _read_binary_rows(fh, path, n, d)
            else:
                names, vectors = _read_text_rows(fh, path, n, d)
        nodes: list[Any] = names
        if node_type is not str:
            parsed = []
            for k, name in enumerate(names):
                try:
                    parsed.append(int(name))
                except ValueError:
                    if node_type == "auto":
                        parsed = None
                        break
                    raise ValueError(
                        f"{path}: node id {name!r} (vector {k + 1}) is not an int; pass node_type=str or 'auto'."
                    ) from None
            if parsed is not None:
                nodes = parsed
        if len(set(nodes)) != len(nodes):
            dup = next(v for v, c in _counts(nodes).items() if c > 1)
            raise ValueError(f"{path}: node id {dup!r} appears twice.")
        return cls(nodes, vectors)


# ---------------------------------------------------------------- id codec
def _encode_one(v: Any) -> Any:
    """JSON value for one id: ints and strs bare, anything else a tagged list."""
    if isinstance(v, (bool, np.bool_)):
        return ["b", bool(v)]
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, numbers.Real):
        return ["f", float(v)]
    if v is None:
        return ["n"]
    if isinstance(v, tuple):
        return ["t", [_encode_one(x) for x in v]]
    raise TypeError(
        f"node id {v!r} of type {type(v).__name__} cannot be saved; ids must be int, str, float, bool, None or "
        "tuples of these."
    )


def _decode_one(x: Any) -> Any:
    if isinstance(x, (int, str)):
        return x
    if isinstance(x, list) and x:
        tag = x[0]
        if tag == "t" and len(x) == 2 and isinstance(x[1], list):
            return tuple(_decode_one(y) for y in x[1])
        if tag == "f" and len(x) == 2:
            return float(x[1])
        if tag == "b" and len(x) == 2:
            return bool(x[1])
        if tag == "n" and len(x) == 1:
            return None
    raise ValueError(f"unknown encoded node id {x!r}")


def _encode_ids(nodes: list) -> tuple[str, np.ndarray]:
    def is_int(v: Any) -> bool:
        return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))

    if nodes and all(is_int(v) and _INT64_MIN <= int(v) <= _INT64_MAX for v in nodes):
        return "int", np.array([int(v) for v in nodes], dtype=np.int64)
    if nodes and all(isinstance(v, str) for v in nodes) and not any(v.endswith("\x00") for v in nodes):
        return "str", np.array(nodes, dtype=np.str_)
    return "json", np.array(json.dumps([_encode_one(v) for v in nodes], ensure_ascii=False))


def _decode_ids(kind: str, raw: np.ndarray, path: str) -> list:
    if kind == "int":
        return raw.astype(np.int64).tolist()
    if kind == "str":
        return [str(s) for s in raw.tolist()]
    if kind == "json":
        try:
            return [_decode_one(x) for x in json.loads(str(raw))]
        except ValueError as exc:
            raise ValueError(f"{path}: corrupt node ids ({exc}).") from None
    raise ValueError(f"{path}: unknown id_kind {kind!r}; was it written by a newer graphemb?")


def _counts(items: list) -> dict:
    out: dict = {}
    for v in items:
        out[v] = out.get(v, 0) + 1
    return out


# ---------------------------------------------------------- word2vec writing
def _plain_and_distinct(names: list[str]) -> bool:
    """Whether no name is empty or holds whitespace and no two are alike, checked in C (O(total length)).

    ``str.split`` and ``str.isspace`` share one definition of whitespace.  When
    this says no, :meth:`Embedding.save_word2vec_format` walks the ids to name
    the first offending one.
    """
    joined = "".join(names)
    return all(names) and joined.split() == ([joined] if joined else []) and len(set(names)) == len(names)


_TEXT_BLOCK_BYTES = 1 << 24  # rows per block: at most 16 MiB of formatted values (and at least one row)
_CHUNK_ROWS = 256  # rows per parallel task within a block


def _write_text_rows(fh: IO[bytes], names: list[str], vectors: np.ndarray) -> None:
    """Write ``name v1 ... vd\\n`` for every row, each value as ``"%.9g" % float(v)`` (byte for byte).

    The numba kernel :func:`graphemb._format_kernels.format_lines` formats a
    block of rows, chunks in parallel (exact round-half-even to nine digits, as
    Python prints), straight into one buffer.  O(n d) time; memory bounded by
    the block: ``_TEXT_BLOCK_BYTES`` (16 MiB) plus the block's id bytes, or
    one row's worth if a row alone is larger.
    """
    n, d = vectors.shape
    bits = np.ascontiguousarray(vectors, dtype=np.float32).view(np.uint32)
    stride = row_stride(d)
    block = max(1, _TEXT_BLOCK_BYTES // stride)
    out = np.empty(0, dtype=np.uint8)
    for start in range(0, n, block):
        chunk = names[start : start + block]
        k = len(chunk)
        blob = "".join(chunk).encode("utf-8")
        name_lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=k)
        if len(blob) != int(name_lengths.sum()):  # some id is not ASCII: count its UTF-8 bytes
            name_lengths = np.fromiter((len(x.encode("utf-8")) for x in chunk), dtype=np.int64, count=k)
        most = np.concatenate([[0], np.cumsum(name_lengths + stride)])  # most bytes before each row
        chunk_starts = np.ascontiguousarray(most[:k:_CHUNK_ROWS])
        chunk_ends = np.empty_like(chunk_starts)
        if out.size < most[-1]:  # one buffer for all blocks (drop the old one before allocating)
            out = None
            out = np.empty(int(most[-1]), dtype=np.uint8)
        names_u8 = np.frombuffer(blob, dtype=np.uint8)
        name_ends = np.cumsum(name_lengths)
        with numba.parallel_chunksize(1):  # chunks handed out one at a time: a busy core holds up no block
            format_lines(bits[start : start + k], names_u8, name_ends, _CHUNK_ROWS, chunk_starts, out, chunk_ends)
        for lo, hi in zip(chunk_starts.tolist(), chunk_ends.tolist(), strict=True):
            fh.write(out[lo:hi].data)


# ---------------------------------------------------------- word2vec reading
def _read_header(fh: IO[bytes], path: str) -> tuple[int, int]:
    line = fh.readline()
    parts = line.split()
    try:
        n, d = int(parts[0]), int(parts[1])
        ok = len(parts) == 2 and n >= 0 and d >= 1
    except (ValueError, IndexError):
        ok = False
    if not ok:
        raise ValueError(
            f"{path}:1: expected the word2vec header '<num_nodes> <dimensions>', got {line[:80]!r}. "
            "Is this a word2vec file (or a binary one: pass binary=True)?"
        )
    return n, d


def _read_text_rows(fh: IO[bytes], path: str, n: int, d: int) -> tuple[list[str], np.ndarray]:
    names: list[str] = []
    values: list[str] = []
    linenos: list[int] = []
    lineno = 1
    for raw in fh:
        lineno += 1
        text = raw.decode("utf-8", errors="strict").rstrip("\r\n")
        if not text.strip():
            continue
        parts = text.rstrip().split(" ")
        if len(names) >= n:
            raise ValueError(f"{path}:{lineno}: more vectors than the {n} announced in the header.")
        if len(parts) != d + 1:
            raise ValueError(
                f"{path}:{lineno}: expected an id and {d} numbers, got {len(parts) - 1} fields: {text[:80]!r}."
            )
        names.append(parts[0])
        values.extend(parts[1:])
        linenos.append(lineno)
    if len(names) != n:
        raise ValueError(f"{path}: the header announces {n} vectors but the file holds {len(names)}.")
    try:
        vectors = np.array(values, dtype=np.float32).reshape(n, d)
    except ValueError:
        for k in range(n):  # find the offending line for the message
            row = values[k * d : (k + 1) * d]
            try:
                np.array(row, dtype=np.float32)
            except ValueError:
                raise ValueError(
                    f"{path}:{linenos[k]}: a value is not a number: {' '.join([names[k], *row])[:80]!r}."
                ) from None
        raise
    return names, vectors


def _read_binary_rows(fh: IO[bytes], path: str, n: int, d: int) -> tuple[list[str], np.ndarray]:
    names: list[str] = []
    vectors = np.empty((n, d), dtype=np.float32)
    width = 4 * d
    for k in range(n):
        name = bytearray()
        while True:
            ch = fh.read(1)
            if not ch:
                raise ValueError(f"{path}: file ends inside vector {k + 1} of {n} (truncated?).")
            if ch == b" ":
                break
            if ch != b"\n" or name:
                name += ch
        data = fh.read(width)
        if len(data) != width:
            raise ValueError(f"{path}: file ends inside vector {k + 1} of {n} (truncated?).")
        vectors[k] = np.frombuffer(data, dtype="<f4")
        names.append(name.decode("utf-8"))
    return names, vectors


# ------------------------------------------------------------- atomic write
