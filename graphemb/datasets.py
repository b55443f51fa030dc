"""Datasets: the node2vec/DeepWalk benchmarks and small built-in graphs.

Benchmarks (:func:`load_blogcatalog`, :func:`load_ppi`, :func:`load_wikipedia`)
are looked up, in order:

1. the ``path`` argument: a folder (``edges.tsv`` + ``labels.tsv``, or the
   ``.mat`` file) or the ``.mat`` file itself;
2. ``$GRAPHEMB_DATA/<name>/`` (default ``../shared/datasets`` next to the
   repository root), same two layouts;
3. the cache ``$GRAPHEMB_CACHE`` (default ``pooch.os_cache("graphemb")``), which
   holds the authors' ``.mat`` file once downloaded;
4. a download of that ``.mat`` file with pooch (``download=True``).

Layouts
-------
``edges.tsv``: ``u<TAB>v`` per line, undirected, each edge once, optional third
column = weight; ``labels.tsv``: ``node<TAB>label`` per line (a node may have
several lines).  The node set is the union of the ids in both files.
``.mat`` (node2vec/DeepWalk authors): sparse ``network`` (n x n adjacency) and
``group`` (n x c label indicator); row ``i`` becomes node id ``i + 1`` and
column ``j`` label ``j + 1``, so ids are 1-based like the ``.tsv`` copies.

Ids are ints when every id in a file parses as an int, strings otherwise (the
edge-list reader's rule).  See ``datasets/README.md`` for the dataset cards.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import check_float, check_int, check_seed
from .graph.csr import CSRGraph
from .graph.io import read_edgelist, read_labels

__all__ = [
    "DatasetNotFoundError",
    "get_cache_dir",
    "get_data_home",
    "load_blogcatalog",
    "load_digits_graph",
    "load_karate",
    "load_les_miserables",
    "load_ppi",
    "load_wikipedia",
    "make_planted_partition",
    "make_powerlaw_graph",
    "make_sbm",
    "powerlaw_edges",
    "read_labels",
]

logger = logging.getLogger(__name__)

# name -> (file name in the cache, public URL).  Every download goes through pooch and is checked against SHA256
# below when one is pinned (see datasets/README.md for where each digest comes from).
REMOTE = {
    "blogcatalog": ("blogcatalog.mat", "http://leitang.net/code/social-dimension/data/blogcatalog.mat"),
    "ppi": ("Homo_sapiens.mat", "https://snap.stanford.edu/node2vec/Homo_sapiens.mat"),
    "wikipedia": ("POS.mat", "https://snap.stanford.edu/node2vec/POS.mat"),
}
# name -> SHA-256 of the file at REMOTE[name][1].  None: not pinned yet.  The publishers give no checksum and this
# repository's build machines cannot reach these hosts, so no digest could be computed from the real files here;
# the shared copies ($GRAPHEMB_DATA) are .tsv conversions, not the downloaded bytes.  Until a value is filled in,
# a download is not verified: the loader says so in a warning that prints the file's SHA-256, and
# $GRAPHEMB_SHA256_<NAME> (e.g. GRAPHEMB_SHA256_PPI) pins a digest without editing this file.
SHA256: dict[str, str | None] = {
    "blogcatalog": None,
    "ppi": None,
    "wikipedia": None,
}
_REPO_ROOT = Path(__file__).resolve().parents[1]


class DatasetNotFoundError(FileNotFoundError):
    """No local copy of a dataset and no way to download it; the message says what to do."""


# ------------------------------------------------------------------- places
def get_data_home() -> Path:
    """Folder holding ``<name>/`` dataset folders: ``$GRAPHEMB_DATA`` or ``<repo>/../shared/datasets``."""
    env = os.environ.get("GRAPHEMB_DATA")
    return Path(env).expanduser() if env else (_REPO_ROOT.parent / "shared" / "datasets")


def get_cache_dir() -> Path:
    """Download cache: ``$GRAPHEMB_CACHE`` or ``pooch.os_cache("graphemb")``."""
    env = os.environ.get("GRAPHEMB_CACHE")
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("graphemb"))


def _load_tsv_dir(folder: Path) -> tuple[CSRGraph, dict]:
    labels = read_labels(folder / "labels.tsv")
    graph = read_edgelist(folder / "edges.tsv", sep="\t", directed=False, nodes=list(labels))
    logger.info("loaded %s: %r, %d labelled nodes", folder, graph, len(labels))
    return graph, labels


def _load_mat(path: Path) -> tuple[CSRGraph, dict]:
    from scipy.io import loadmat

    mat = loadmat(str(path))
    if "network" not in mat or "group" not in mat:
        keys = sorted(k for k in mat if not k.startswith("__"))
        raise ValueError(f"{path}: expected variables 'network' and 'group' (node2vec/DeepWalk .mat); found {keys}.")
    network = sp.csr_array(mat["network"])
    n = network.shape[0]
    nodes = list(range(1, n + 1))
    graph = CSRGraph.from_scipy(network, directed=None, nodes=nodes)
    group = sp.coo_array(sp.csr_array(mat["group"]))
    if group.shape[0] != n:
        raise ValueError(f"{path}: 'group' has {group.shape[0]} rows but 'network' has {n} nodes.")
    labels: dict[int, list] = {}
    order = np.lexsort((group.col, group.row))
    for i, j in zip(group.row[order].tolist(), group.col[order].tolist(), strict=True):
        labels.setdefault(i + 1, []).append(j + 1)
    logger.info("loaded %s: %r, %d labelled nodes", path, graph, len(labels))
    return graph, labels


# ------------------------------------------------------------------ loading
def _load_from(where: Path, name: str) -> tuple[CSRGraph, dict] | None:
    fname = REMOTE[name][0]
    if where.is_file():
        return _load_mat(where)
    if not where.is_dir():
        return None
    if (where / "edges.tsv").is_file() and (where / "labels.tsv").is_file():
        return _load_tsv_dir(where)
    for cand in (fname, f"{name}.mat"):
        if (where / cand).is_file():
            return _load_mat(where / cand)
    return None


def expected_sha256(name: str) -> str | None:
    """The SHA-256 a download of dataset ``name`` must have: ``$GRAPHEMB_SHA256_<NAME>``, else :data:`SHA256`."""
    env = os.environ.get(f"GRAPHEMB_SHA256_{name.upper()}")
    value = env.strip().lower() if env else SHA256.get(name)
    if value is not None and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
        raise ValueError(f"the SHA-256 pinned for {name} ({value!r}) is not 64 hex digits.")
    return value


def _download(url: str, fname: str, cache: Path) -> Path:
    """Fetch ``url`` into ``cache / fname`` with pooch, checking its SHA-256 when one is pinned."""
    import pooch

    name = next((k for k, (f, u) in REMOTE.items() if f == fname and u == url), None)
    sha = expected_sha256(name) if name is not None else None
    cache.mkdir(parents=True, exist_ok=True)
    path = Path(
        pooch.retrieve(url=url, known_hash=f"sha256:{sha}" if sha else None, fname=fname, path=cache, progressbar=False)
    )
    if sha is None:
        digest = pooch.file_hash(str(path), alg="sha256")
        logger.warning(
            "%s: downloaded from %s WITHOUT checksum verification (no SHA-256 is pinned for it); its SHA-256 is %s. "
            "Check it against a trusted copy, then pin it with GRAPHEMB_SHA256_%s=%s.",
            path,
            url,
            digest,
            (name or fname).upper(),
            digest,
        )
    return path


def _load_benchmark(name: str, path: str | os.PathLike | None, download: bool) -> tuple[CSRGraph, dict]:
    fname, url = REMOTE[name]
    if path is not None:
        found = _load_from(Path(path).expanduser(), name)
        if found is None:
            raise DatasetNotFoundError(
                f"load_{name}: path={str(path)!r} holds neither edges.tsv + labels.tsv nor {fname}. "
                f"Point it at such a folder or at the .mat file (download: {url})."
            )
        return found
    home = get_data_home() / name
    found = _load_from(home, name)
    if found is not None:
        return found
    cache = get_cache_dir()
    sha = expected_sha256(name)
    if sha is not None and (cache / fname).is_file():
        import pooch

        digest = pooch.file_hash(str(cache / fname), alg="sha256")
        if digest != sha:
            raise DatasetNotFoundError(
                f"load_{name}: the cached {cache / fname} has SHA-256 {digest}, not the pinned {sha}; it is not the "
                f"file published at {url}. Delete it to download it again."
            )
    found = _load_from(cache, name)
    if found is not None:
        return found
    hint = (
        f"load_{name}: no local copy found (looked in {home} and {cache / fname}). Either set GRAPHEMB_DATA to a "
        f"folder containing {name}/edges.tsv and {name}/labels.tsv (or {name}/{fname}), pass path=..., or download "
        f"{url} yourself and save it as the file {fname} in the folder {cache} (or set GRAPHEMB_CACHE)."
    )
    if not download:
        raise DatasetNotFoundError(hint + " Downloading is off (download=False).")
    try:
        target = _download(url, fname, cache)
    except Exception as err:  # network errors come in many types (requests, OSError, ...)
        raise DatasetNotFoundError(f"{hint} The download failed: {type(err).__name__}: {err}") from err
    return _load_mat(target)


def load_blogcatalog(path: str | os.PathLike | None = None, download: bool = True) -> tuple[CSRGraph, dict]:
    """BlogCatalog social network with interest-group labels (multi-label, 39 groups in the original).

    Parameters
    ----------
    path : str or path, optional
        Folder with ``edges.tsv`` + ``labels.tsv`` or ``blogcatalog.mat``, or
        the ``.mat`` file; default: see the module docstring's search order.
    download : bool, default True
        Allow downloading ``blogcatalog.mat`` when no local copy exists.

    Returns
    -------
    graph : CSRGraph
        Undirected, unweighted, 1-based int node ids (10,312 nodes).
    labels : dict
        Node id -> list of int group ids (1-based).

    Raises
    ------
    DatasetNotFoundError
        No local copy and no download possible; the message lists the options.
    """
    return _load_benchmark("blogcatalog", path, download)


def load_ppi(path: str | os.PathLike | None = None, download: bool = True) -> tuple[CSRGraph, dict]:
    """Homo sapiens protein-protein interaction network (node2vec's PPI) with 50 biological-state labels.

    Parameters
    ----------
    path, download
        As in :func:`load_blogcatalog` (the file is ``Homo_sapiens.mat``, from the node2vec page).

    Returns
    -------
    graph : CSRGraph
        Undirected, 1-based int node ids; self-loops as in the source.
    labels : dict
        Node id -> list of int labels (1-based).  A ``DatasetNotFoundError`` says what to do when
        there is no local copy and no download is possible.
    """
    return _load_benchmark("ppi", path, download)


def load_wikipedia(path: str | os.PathLike | None = None, download: bool = True) -> tuple[CSRGraph, dict]:
    """Wikipedia word co-occurrence network with part-of-speech labels (node2vec's POS.mat).

    Parameters
    ----------
    path, download
        As in :func:`load_blogcatalog` (the file is ``POS.mat``, from the node2vec page).

    Returns
    -------
    graph : CSRGraph
        1-based int node ids; weights kept when the matrix is not all ones.
    labels : dict
        Node id -> list of int labels (1-based).

    Raises
    ------
    DatasetNotFoundError
        No local copy and no download possible.
    """
    return _load_benchmark("wikipedia", path, download)


# ---------------------------------------------------------------- built-ins
def load_karate() -> tuple[CSRGraph, dict]:
    """Zachary's karate club (34 nodes, 78 edges) with the club each member joined.

    Returns
    -------
    graph : CSRGraph
        Undirected, unweighted (networkx's interaction counts are dropped), ids 0..33.
    labels : dict
        Node -> ``"Mr. Hi"`` or ``"Officer"`` (single label per node).

    References
    ----------
    W. W. Zachary, "An information flow model for conflict and fission in small
    groups", J. Anthropological Research 33(4), 1977. doi:10.1086/jar.33.4.3629752
    """
    import networkx as nx

    g = nx.karate_club_graph()
    return CSRGraph.from_networkx(g, weight=None), {v: g.nodes[v]["club"] for v in g}


def load_les_miserables() -> tuple[CSRGraph, None]:
    """Co-appearance network of the characters of *Les Misérables* (77 nodes, 254 edges).

    Returns
    -------
    graph : CSRGraph
        Undirected, weighted by the number of co-appearances; node ids are
        character names (str).
    labels : None
        The dataset has no ground-truth labels (node2vec's Figure 3 colours
        come from clustering the embedding, not from data).

    References
    ----------
    D. E. Knuth, *The Stanford GraphBase*, Addison-Wesley, 1993.
    """
    import networkx as nx

    return CSRGraph.from_networkx(nx.les_miserables_graph(), weight="weight"), None


def make_sbm(sizes: Sequence[int], p: Any, seed: int = 0) -> tuple[CSRGraph, dict]:
    """Undirected stochastic block model with its blocks as labels.

    Parameters
    ----------
    sizes : sequence of int
        Nodes per block (each >= 1); nodes ``0..n-1`` are numbered block by block.
    p : array-like, shape (B, B)
        Symmetric edge probabilities in [0, 1]; ``p[a][b]`` between blocks a and b.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; same seed, same graph.

    Returns
    -------
    graph : CSRGraph
        Undirected, unweighted, no self-loops; isolated nodes kept.
    labels : dict
        Node -> block index (int).

    Notes
    -----
    Each pair ``{i, j}`` is an edge independently with probability
    ``p[block(i)][block(j)]``.  Time and memory O(n^2) (every pair is drawn):
    meant for graphs of up to a few thousand nodes.
    """
    owner = "make_sbm"
    sizes_t = list(sizes) if not isinstance(sizes, (str, bytes)) else []
    if not sizes_t or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes_t):
        raise ValueError(
            f"The 'sizes' parameter of {owner} must be a non-empty sequence of ints >= 1. Got {sizes!r} instead."
        )
    probs = np.asarray(p, dtype=np.float64)
    nb = len(sizes_t)
    if probs.shape != (nb, nb) or not np.all((probs >= 0) & (probs <= 1)) or not np.allclose(probs, probs.T):
        raise ValueError(
            f"The 'p' parameter of {owner} must be a symmetric ({nb}, {nb}) matrix of probabilities in [0, 1]. "
            f"Got {p!r} instead."
        )
    seed = check_seed(seed, "seed", owner, allow_none=False)
    rng = np.random.default_rng(int(seed))
    starts = np.concatenate([[0], np.cumsum(sizes_t)]).astype(np.int64)
    n = int(starts[-1])
    rows, cols = [], []
    for a in range(nb):
        for b in range(a, nb):
            sa, sb = int(sizes_t[a]), int(sizes_t[b])
            if a == b:
                iu, ju = np.triu_indices(sa, 1)
                hit = rng.random(iu.size) < probs[a, a]
                i, j = iu[hit], ju[hit]
            else:
                hit = np.flatnonzero(rng.random(sa * sb) < probs[a, b])
                i, j = hit // sb, hit % sb
            rows.append(i + starts[a])
            cols.append(j + starts[b])
    r = np.concatenate(rows).astype(np.int64)
    c = np.concatenate(cols).astype(np.int64)
    adj = sp.csr_array((np.ones(2 * r.size), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n, n))
    graph = CSRGraph.from_scipy(adj, directed=False, weighted=False)
    labels = {i: int(np.searchsorted(starts, i, side="right") - 1) for i in range(n)}
    return graph, labels


def make_planted_partition(
    n_blocks: int = 4, block_size: int = 32, p_in: float = 0.3, p_out: float = 0.02, seed: int = 0
) -> tuple[CSRGraph, dict]:
    """Planted partition graph: ``n_blocks`` equal blocks, edge probability ``p_in`` inside, ``p_out`` across.

    Parameters
    ----------
    n_blocks : int, default 4
    block_size : int, default 32
    p_in, p_out : float, default 0.3 and 0.02
        Probabilities in [0, 1].
    seed : int, default 0

    Returns
    -------
    graph : CSRGraph
        Undirected, nodes ``0..n_blocks * block_size - 1``.
    labels : dict
        Node -> block index; see :func:`make_sbm`.

    References
    ----------
    A. Condon and R. M. Karp, "Algorithms for graph partitioning on the planted
    partition model", Random Structures & Algorithms 18(2), 2001.
    doi:10.1002/1098-2418(200103)18:2<116::AID-RSA1001>3.0.CO;2-2
    """
    n_blocks = check_int(n_blocks, "n_blocks", "make_planted_partition", minimum=1)
    block_size = check_int(block_size, "block_size", "make_planted_partition", minimum=1)
    for name, val in (("p_in", p_in), ("p_out", p_out)):
        check_float(val, name, "make_planted_partition", minimum=0.0, inclusive=True, maximum=1.0)
    probs = np.full((n_blocks, n_blocks), float(p_out))
    np.fill_diagonal(probs, float(p_in))
    return make_sbm([int(block_size)] * int(n_blocks), probs, seed=seed)


def powerlaw_edges(
    num_nodes: int, num_edges: int, exponent: float = 2.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Edges of a Chung-Lu random graph with a power-law expected degree sequence.

    Node ``i`` (``0 <= i < num_nodes``) has weight ``w_i = integral of x ** -a over
    [i + 1, i + 2]`` with ``a = 1 / (exponent - 1)`` (about ``(i + 1.5) ** -a``), so the expected
    degrees follow a power law ``P(deg = k) ~ k ** -exponent``.  Both ends of every edge are
    drawn independently in proportion to ``w`` (the Chung-Lu model with a fixed number of
    edges), by inverting the continuous CDF in closed form; self-loops and repeated pairs are
    dropped and more edges drawn until exactly ``num_edges`` distinct undirected edges remain
    (an excess from the last draw is removed uniformly at random).

    Parameters
    ----------
    num_nodes : int
        Nodes ``0 .. num_nodes - 1`` (``>= 2``); low-weight nodes may end up isolated.
    num_edges : int
        Distinct undirected edges (``>= 1``, at most a quarter of all pairs).
    exponent : float, default 2.5
        Power-law exponent ``gamma > 2``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same edges on any machine.

    Returns
    -------
    u, v : ndarray of int32, shape (num_edges,)
        Edge ends with ``u < v``, sorted by ``(u, v)``.

    Notes
    -----
    Time O(E) to draw (closed-form inverse CDF) plus O(E log E) to drop repeats; memory about
    ``40 E`` bytes at the peak (int64 pair keys while merging draws): about 4.5 GB for
    10 million nodes and 100 million edges.

    References
    ----------
    F. Chung and L. Lu, "Connected components in random graphs with given expected degree
    sequences", Annals of Combinatorics 6, 2002. doi:10.1007/PL00012580
    """
    owner = "powerlaw_edges"
    n = check_int(num_nodes, "num_nodes", owner, minimum=2)
    m = check_int(num_edges, "num_edges", owner, minimum=1)
    if n > np.iinfo(np.int32).max:
        raise ValueError(f"The 'num_nodes' parameter of {owner} must be below 2**31. Got {n}.")
    if m > n * (n - 1) // 8:
        raise ValueError(
            f"The 'num_edges' parameter of {owner} must be at most a quarter of the {n * (n - 1) // 2} node pairs "
            f"(a sparse graph). Got {m}."
        )
    exponent = check_float(exponent, "exponent", owner, minimum=2.0)
    seed = check_seed(seed, "seed", owner, allow_none=False)
    rng = np.random.default_rng(int(seed))
    b1 = 1.0 - 1.0 / (float(exponent) - 1.0)  # CDF of x ** -a on [1, n + 1): (x ** b1 - 1) / ((n + 1) ** b1 - 1)
    span = (n + 1.0) ** b1 - 1.0

    def draw(size: int) -> np.ndarray:
        x = (1.0 + rng.random(size) * span) ** (1.0 / b1)
        return np.minimum(x.astype(np.int64) - 1, n - 1)  # floor(x) - 1, guarding rounding at x = n + 1

    keys = np.zeros(0, dtype=np.int64)
    batch = 1 << 22
    deficit = m
    while deficit > 0:
        want = int(deficit * 1.1) + 1024  # repeats and self-loops are dropped: draw a little more
        fresh = []
        for start in range(0, want, batch):
            b = min(batch, want - start)
            a = draw(b)
            c = draw(b)
            keep = a != c
            lo, hi = np.minimum(a[keep], c[keep]), np.maximum(a[keep], c[keep])
            fresh.append(np.unique(lo * n + hi))
        keys = np.unique(np.concatenate([keys, *fresh]))
        del fresh
        deficit = m - keys.size
    if keys.size > m:
        drop = rng.choice(keys.size, size=keys.size - m, replace=False)
        keys = np.delete(keys, drop)
    u = (keys // n).astype(np.int32)
    v = (keys % n).astype(np.int32)
    return u, v


def make_powerlaw_graph(num_nodes: int, num_edges: int, exponent: float = 2.5, seed: int = 0) -> CSRGraph:
    """Undirected Chung-Lu power-law graph (see :func:`powerlaw_edges`) as a :class:`CSRGraph`.

    Parameters
    ----------
    num_nodes, num_edges, exponent, seed
        As in :func:`powerlaw_edges`.

    Returns
    -------
    CSRGraph
        Undirected, unweighted, nodes ``0 .. num_nodes - 1`` (isolated nodes kept).

    Examples
    --------
    >>> g = make_powerlaw_graph(1000, 5000, seed=1)
    >>> g.num_nodes, g.num_edges
    (1000, 5000)
    """
    u, v = powerlaw_edges(num_nodes, num_edges, exponent=exponent, seed=seed)
    n = int(num_nodes)
    # rows (v, u) then (u, v): within each row the columns come out ascending, so the
    # counting-sort COO -> CSR conversion gives sorted rows without a sort
    rows = np.concatenate([v, u])
    cols = np.concatenate([u, v])
    adj = sp.csr_array((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(n, n))
    del rows, cols
    return CSRGraph(adj.indptr, adj.indices, None, directed=False)


def load_digits_graph(k: int = 10, metric: str = "cosine", **kwargs: Any) -> tuple[CSRGraph, dict]:
    """k-nearest-neighbour graph of scikit-learn's bundled digits images (1,797 8x8 images), labelled by digit.

    Parameters
    ----------
    k : int, default 10
        Neighbours per image.
    metric : str, default "cosine"
        Distance for the neighbour search.
    **kwargs
        Passed on to :func:`graphemb.graph.knn_graph`.

    Returns
    -------
    graph : CSRGraph
        As built by ``knn_graph``; node ``i`` is image ``i``.
    labels : dict
        Node -> digit 0..9 (single label per node).

    References
    ----------
    E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI
    Machine Learning Repository, 1998. doi:10.24432/C50P49
    """
    from sklearn.datasets import load_digits

    from .graph.knn import knn_graph

    digits = load_digits()
    graph = knn_graph(digits.data.astype(np.float32), k=k, metric=metric, **kwargs)
    return graph, {i: int(t) for i, t in enumerate(digits.target)}
