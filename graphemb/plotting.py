"""Pictures: 2-D projections of node vectors coloured by label, and training-loss curves.

matplotlib is optional (``pip install "graphemb[plot]"``); every function here
imports it lazily and raises :class:`ImportError` naming that command when it is
missing.  The projections use scikit-learn (a core dependency) for PCA and
t-SNE, and umap-learn for UMAP when it is installed.  Nothing here imports
other graphemb modules: :meth:`graphemb.Embedding.plot` and the command line
(``graphemb plot``) call in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "METHODS",
    "PLOT_INSTALL_HINT",
    "labels_for",
    "plot_loss",
    "project",
    "require_matplotlib",
    "save_figure",
    "scatter_2d",
]

#: The one line the examples and errors print when matplotlib is missing.
PLOT_INSTALL_HINT = 'matplotlib is not installed; plots are skipped. Install them with: pip install "graphemb[plot]"'
#: Projection methods of :func:`project`.
METHODS = ("pca", "tsne", "umap")


def require_matplotlib(owner: str = "plot") -> Any:
    """Import ``matplotlib.pyplot`` with a file-only backend (Agg) unless a backend is already chosen.

    Parameters
    ----------
    owner : str, default "plot"
        Name used in the error message.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Raises
    ------
    ImportError
        When matplotlib is not installed; the message names ``pip install "graphemb[plot]"``.
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f'{owner} needs matplotlib, which is not installed: pip install "graphemb[plot]"') from None
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def project(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project vectors to 2-D.

    Parameters
    ----------
    vectors : ndarray, shape (n, d)
        ``n >= 2`` rows.
    method : {"pca", "tsne", "umap"}, default "pca"
        ``pca``: principal components (exact SVD, O(n d min(n, d))); ``tsne``:
        scikit-learn's Barnes-Hut t-SNE initialised by PCA (O(n log n) per
        iteration, seconds for a few thousand points); ``umap``: umap-learn
        (``pip install umap-learn``).
    seed : int, default 0
        Random state of t-SNE and UMAP.

    Returns
    -------
    ndarray of float64, shape (n, 2)

    Raises
    ------
    ValueError
        Unknown method, or fewer than 2 rows.
    ImportError
        ``method="umap"`` without umap-learn.
    """
    if method not in METHODS:
        raise ValueError(f"The 'method' parameter must be one of {', '.join(map(repr, METHODS))}. Got {method!r}.")
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"a 2-D projection needs at least 2 vectors; got an array of shape {x.shape}.")
    if x.shape[1] == 1:
        x = np.concatenate([x, np.zeros_like(x)], axis=1)
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(x)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (x.shape[0] - 1) / 3)))
        return TSNE(n_components=2, init="pca", random_state=seed, perplexity=perplexity).fit_transform(x)
    try:
        import umap
    except ImportError:
        raise ImportError('method="umap" needs umap-learn, which is not installed: pip install umap-learn') from None
    return np.asarray(umap.UMAP(n_components=2, random_state=seed).fit_transform(x), dtype=np.float64)


def _colour_codes(labels: Sequence[Any]) -> tuple[np.ndarray, list]:
    """Integer codes of the labels (sorted classes; None = unlabelled = -1) and the class list."""
    present = [lab for lab in labels if lab is not None]
    try:
        classes = sorted(set(present))
    except TypeError:
        classes = sorted(set(present), key=repr)
    code = {c: i for i, c in enumerate(classes)}
    return np.array([code[lab] if lab is not None else -1 for lab in labels], dtype=np.int64), classes


def scatter_2d(
    xy: np.ndarray,
    labels: Sequence[Any] | None = None,
    title: str | None = None,
    ax: Any = None,
    annotate: Sequence[Hashable] | None = None,
) -> Any:
    """Scatter plot of 2-D points coloured by label.

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
    labels : sequence, optional
        One label per point (``None`` = unlabelled, drawn grey); up to 10
        classes get a legend entry each.
    title : str, optional
    ax : matplotlib Axes, optional
        Drawn into; a new figure otherwise.
    annotate : sequence, optional
        Text drawn on each point (e.g. the node ids of a small graph).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = require_matplotlib("scatter_2d")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 5.0))
    else:
        fig = ax.figure
    size = 40 if len(xy) <= 200 else (8 if len(xy) <= 5000 else 2)
    if labels is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, color="tab:blue")
    else:
        codes, classes = _colour_codes(list(labels))
        cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
        if np.any(codes < 0):
            ax.scatter(xy[codes < 0, 0], xy[codes < 0, 1], s=size, color="0.8", label="no label")
        for i, c in enumerate(classes):
            hit = codes == i
            ax.scatter(xy[hit, 0], xy[hit, 1], s=size, color=cmap(i % cmap.N), label=str(c))
        if len(classes) <= 20:
            ax.legend(fontsize=7, markerscale=1.5 if size < 10 else 0.8, loc="best")
    if annotate is not None:
        for (px, py), text in zip(xy, annotate, strict=True):
            ax.annotate(str(text), (px, py), fontsize=6, ha="center", va="center")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_loss(loss: Sequence[float] | np.ndarray, ax: Any = None, title: str = "SGNS training loss") -> Any:
    """Line plot of a training-loss curve (``model.loss_``: one value per epoch).

    Parameters
    ----------
    loss : sequence of float
        Loss per epoch (or per chunk), in training order.
    ax : matplotlib Axes, optional
    title : str, default "SGNS training loss"

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = require_matplotlib("plot_loss")
    y = np.asarray(loss, dtype=np.float64).ravel()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.0, 3.2))
    else:
        fig = ax.figure
    from matplotlib.ticker import MaxNLocator

    ax.plot(np.arange(1, y.size + 1), y, marker="o", ms=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss per logit")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def labels_for(nodes: Sequence[Hashable], labels: Any) -> list:
    """One label per node (first label of a multi-label node; None when unlabelled)."""
    if labels is None:
        return [None] * len(nodes)
    if isinstance(labels, Mapping):
        out = []
        for v in nodes:
            lab = labels.get(v)
            if isinstance(lab, (list, tuple, set, frozenset)):
                lab = next(iter(lab), None) if not isinstance(lab, set) else (sorted(lab, key=repr) or [None])[0]
            out.append(lab)
        return out
    seq = list(labels)
    if len(seq) != len(nodes):
        raise ValueError(f"labels has {len(seq)} entries but there are {len(nodes)} nodes; pass a dict node -> label.")
    return seq


def save_figure(fig: Any, path: str | os.PathLike, dpi: int = 120) -> None:
    """Save ``fig`` atomically (temporary name in the same folder, then rename) and close it."""
    import tempfile

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1] or ".png"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=ext, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, format=ext.lstrip(".") or "png")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        require_matplotlib().close(fig)
