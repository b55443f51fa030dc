"""Images -> kNN similarity graph -> node2vec -> classify the digit.

scikit-learn's bundled digits (1,797 8x8 images, 10 classes; no download) are
flattened to 64 pixel features, joined into a k-nearest-neighbour graph with
``graphemb.graph.knn_graph``, embedded with ``graphemb.Node2Vec`` and scored
by node classification of the digit class (``graphemb.evaluation.
node_classification``: one-vs-rest logistic regression, 50 % of the nodes for
training, 10 random splits).  The same evaluator, on the same splits, scores
two baselines: logistic regression on the raw pixels, and on a spectral
embedding (Laplacian eigenmaps, ``sklearn.manifold.SpectralEmbedding``) of the
same graph.  A 2-D t-SNE picture of the node2vec embedding coloured by digit is
saved under ``examples/output/`` (``--out DIR``) when matplotlib is installed, with the
training-loss curve.

    python examples/image_graph.py                 # the comparison table + picture
    python examples/image_graph.py --sweep         # k in {5, 10, 20} x the three weightings
    python examples/image_graph.py --quick --out /tmp/digits   # seconds: smaller walks, 2 splits, PCA picture

Needs only ``pip install .``; the pictures need ``pip install "graphemb[plot]"``.

Features from a pretrained image model plug in the same way: pass its
penultimate-layer activations (an ``(n, f)`` array) instead of the pixels; see
docs/image-graphs.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

import graphemb
from graphemb.embedding import Embedding
from graphemb.evaluation import node_classification
from graphemb.graph import connected_components, knn_graph
from graphemb.plotting import PLOT_INSTALL_HINT

OUTPUT = Path(__file__).resolve().parent / "output"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k", type=int, default=10, help="neighbours per image (default 10)")
    ap.add_argument("--metric", default="cosine", choices=["cosine", "euclidean", "manhattan"])
    ap.add_argument("--weighting", default="similarity", choices=["similarity", "gaussian", "none"])
    ap.add_argument("--mutual", action="store_true", help="mutual kNN graph instead of the union")
    ap.add_argument("--dimensions", type=int, default=64)
    ap.add_argument("--walk-length", type=int, default=40)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--p", type=float, default=1.0)
    ap.add_argument("--q", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=10, help="random 50/50 splits (default 10)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--sweep", action="store_true", help="node2vec accuracy for k in {5,10,20} x the weightings")
    ap.add_argument("--quick", action="store_true", help="a run of seconds (for tests): short walks, 2 splits")
    ap.add_argument("--out", "--output", dest="output", type=Path, default=OUTPUT,
                    help="output folder (default examples/output)")  # fmt: skip
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.walk_length, args.num_walks, args.repeats, args.dimensions = 20, 4, 2, 32
    return args


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Pixels (1797, 64) float64 in [0, 16] and digit labels (1797,)."""
    from sklearn.datasets import load_digits as _load

    d = _load()
    return d.data.astype(np.float64), d.target.astype(np.int64)


def accuracy(embedding: Embedding, y: np.ndarray, repeats: int, seed: int) -> dict[str, float]:
    """Micro-F1 (= accuracy for one label per node) and Macro-F1 at 50 % training labels."""
    df = node_classification(
        embedding, {i: int(c) for i, c in enumerate(y)}, train_ratios=(0.5,), repeats=repeats, seed=seed,
        verbose=False,
    )  # fmt: skip
    row = df.set_index("metric")
    return {
        "accuracy": float(row.loc["micro_f1", "mean"]),
        "accuracy_std": float(row.loc["micro_f1", "std"]),
        "macro_f1": float(row.loc["macro_f1", "mean"]),
    }


def node2vec(graph: graphemb.CSRGraph, args: argparse.Namespace) -> graphemb.Node2Vec:
    model = graphemb.Node2Vec(
        dimensions=args.dimensions, walk_length=args.walk_length, num_walks=args.num_walks, window=args.window,
        p=args.p, q=args.q, workers=args.workers, seed=args.seed, verbose=False,
    )  # fmt: skip
    return model.fit(graph)


def spectral(graph: graphemb.CSRGraph, dimensions: int, seed: int) -> Embedding:
    """Laplacian eigenmaps of the same (weighted) adjacency, columns standardised.

    The eigenvectors have entries of order ``1/sqrt(n)``; without standardising,
    the L2 penalty of the logistic regression (C = 1) would swamp them.
    """
    from sklearn.manifold import SpectralEmbedding

    a = graph.to_scipy()
    adjacency = sp.csr_matrix((a.data.astype(np.float64), a.indices.astype(np.int32), a.indptr.astype(np.int32)),
                              shape=a.shape)  # fmt: skip
    se = SpectralEmbedding(n_components=dimensions, affinity="precomputed", random_state=seed)
    z = se.fit_transform(adjacency)
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    return Embedding(graph.nodes, z.astype(np.float32))


def build_graph(x: np.ndarray, k: int, metric: str, weighting: str, mutual: bool) -> graphemb.CSRGraph:
    return knn_graph(x, k=k, metric=metric, weighting=None if weighting == "none" else weighting, mutual=mutual)


def compare(x: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> tuple[pd.DataFrame, graphemb.Node2Vec]:
    rows: list[dict[str, Any]] = []
    t = time.perf_counter()
    graph = build_graph(x, args.k, args.metric, args.weighting, args.mutual)
    t_graph = time.perf_counter() - t
    ncomp = connected_components(graph)[0]
    print(f"graph: {graph!r}, {ncomp} component(s), built in {t_graph:.2f} s")

    pixels = Embedding(range(len(y)), x)
    rows.append({"method": "logistic regression on raw pixels (64)", **accuracy(pixels, y, args.repeats, args.seed)})
    t = time.perf_counter()
    spec = spectral(graph, args.dimensions, args.seed)
    rows.append({"method": f"spectral embedding of the graph (d={args.dimensions})",
                 **accuracy(spec, y, args.repeats, args.seed), "seconds": time.perf_counter() - t})  # fmt: skip
    t = time.perf_counter()
    model = node2vec(graph, args)
    scores = accuracy(model.embedding_, y, args.repeats, args.seed)
    rows.append({"method": f"graphemb Node2Vec on the graph (d={args.dimensions})", **scores,
                 "seconds": time.perf_counter() - t})  # fmt: skip
    return pd.DataFrame(rows), model


def sweep(x: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> pd.DataFrame:
    rows = []
    for k in (5, 10, 20):
        for weighting in ("similarity", "gaussian", "none"):
            graph = build_graph(x, k, args.metric, weighting, args.mutual)
            scores = accuracy(node2vec(graph, args).embedding_, y, args.repeats, args.seed)
            rows.append({"k": k, "weighting": weighting, "edges": graph.num_edges,
                         "components": connected_components(graph)[0], **scores})  # fmt: skip
            print(f"k={k:2d} weighting={weighting:10s} accuracy {scores['accuracy']:.4f}", flush=True)
    return pd.DataFrame(rows)


def plot(model: graphemb.Node2Vec, y: np.ndarray, folder: Path, quick: bool, seed: int) -> None:
    """The embedding in 2-D coloured by digit (t-SNE; PCA with --quick) and the training-loss curve."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(PLOT_INSTALL_HINT)
        return
    from graphemb.plotting import plot_loss, save_figure

    how = "pca" if quick else "tsne"
    emb = model.embedding_
    labels = {v: int(c) for v, c in zip(emb.nodes, y, strict=True)}
    title = f"node2vec embedding of the digits kNN graph ({'PCA' if quick else 't-SNE'}), coloured by digit"
    folder.mkdir(parents=True, exist_ok=True)
    save_figure(emb.plot(labels=labels, method=how, seed=seed, title=title), folder / "digits_node2vec.png")
    save_figure(plot_loss(model.loss_, title="digits: SGNS loss per epoch"), folder / "digits_loss.png")
    print(f"pictures: {folder / 'digits_node2vec.png'}, {folder / 'digits_loss.png'}")


def main(argv: list[str] | None = None) -> pd.DataFrame:
    args = parse_args(argv)
    x, y = load_digits()
    print(f"digits: {x.shape[0]} images x {x.shape[1]} pixels, {len(np.unique(y))} classes")
    if args.sweep:
        table = sweep(x, y, args)
        print(f"\nnode2vec accuracy at 50 % training labels, {args.metric} kNN graph, {args.repeats} splits")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return table
    table, model = compare(x, y, args)
    print(f"\ndigit classification, 50 % training labels, {args.repeats} splits "
          f"({args.k}-NN {args.metric} graph, weighting={args.weighting})")  # fmt: skip
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep="-"))
    args.output.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output / "digits_scores.csv", index=False)
    model.embedding_.save_word2vec_format(args.output / "digits.emb")
    print(f"wrote {args.output / 'digits_scores.csv'} and {args.output / 'digits.emb'}")
    if not args.no_plot:
        plot(model, y, args.output, args.quick, args.seed)
    return table


if __name__ == "__main__":
    main()
