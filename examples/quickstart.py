"""Quickstart: node2vec on Zachary's karate club (no download, a few seconds).

Fits :class:`graphemb.Node2Vec`, prints each club leader's nearest members and
the club-prediction score, saves the embedding (lossless ``.npz`` and word2vec
text) and, when matplotlib is installed, draws a 2-D projection coloured by
the club each member joined and the training-loss curve::

    python examples/quickstart.py                  # into examples/output/
    python examples/quickstart.py --quick --out /tmp/karate

Needs only ``pip install .``; the pictures need ``pip install "graphemb[plot]"``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import networkx as nx

import graphemb
from graphemb.evaluation import format_table, node_classification
from graphemb.plotting import PLOT_INSTALL_HINT

OUTPUT = Path(__file__).resolve().parent / "output"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer epochs and splits (about a second after compiling)")
    ap.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default examples/output)")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    graph = nx.karate_club_graph()  # node ids 0..33, attribute "club"
    club = {v: graph.nodes[v]["club"] for v in graph}

    # A tiny graph: no sub-sampling of frequent nodes, several epochs.
    model = graphemb.Node2Vec(
        dimensions=16, walk_length=20, num_walks=20, window=5, epochs=4 if args.quick else 10, sample=0.0,
        p=1.0, q=0.5, workers=1, seed=args.seed, verbose=False,
    )  # fmt: skip
    model.fit(graph)
    emb = model.embedding_
    print(f"{emb!r}, seed {model.seed_}, loss per epoch {[round(float(x), 3) for x in model.loss_]}")

    for leader in (0, 33):
        print(f"nearest to {leader} ({club[leader]}):")
        for node, score in emb.most_similar(leader, topn=5):
            print(f"  {node:>2}  {club[node]:8s}  cosine {score:.3f}")
    scores = node_classification(emb, club, train_ratios=0.5, repeats=5 if args.quick else 20, verbose=False)
    print("club prediction (logistic regression, half the members for training):")
    print(format_table(scores))

    args.out.mkdir(parents=True, exist_ok=True)
    emb.save(args.out / "karate.npz")  # ids keep their Python types
    emb.save_word2vec_format(args.out / "karate.emb")  # gensim/word2vec text
    assert graphemb.Embedding.load(args.out / "karate.npz").nodes == emb.nodes
    print(f"wrote {args.out / 'karate.npz'} and {args.out / 'karate.emb'}")

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(PLOT_INSTALL_HINT)
        return
    from graphemb.plotting import plot_loss, save_figure

    fig = emb.plot(labels=club, method="pca", title="node2vec on the karate club (PCA), coloured by club")
    save_figure(fig, args.out / "karate.png")
    save_figure(plot_loss(model.loss_, title="karate club: SGNS loss per epoch"), args.out / "karate_loss.png")
    print(f"pictures: {args.out / 'karate.png'}, {args.out / 'karate_loss.png'}")


if __name__ == "__main__":
    main()
