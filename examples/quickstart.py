"""Quickstart: node2vec on Zachary's karate club (no download, a few seconds).

Fits :class:`graphemb.Node2Vec`, prints each club leader's nearest members,
saves the embedding (lossless ``.npz`` and word2vec text) and draws a 2-D
projection coloured by the club each member joined, into ``examples/output/``.

    .venv/bin/python examples/quickstart.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, no window
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

import graphemb  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "output"


def main() -> None:
    graph = nx.karate_club_graph()  # node ids 0..33, attribute "club"
    club = {v: graph.nodes[v]["club"] for v in graph}

    # A tiny graph: no sub-sampling of frequent nodes, a few epochs.
    model = graphemb.Node2Vec(
        dimensions=16, walk_length=20, num_walks=20, window=5, epochs=10, sample=0.0, p=1.0, q=0.5,
        workers=1, seed=0, verbose=False,
    )  # fmt: skip
    model.fit(graph)
    emb = model.embedding_
    print(f"{emb!r}, seed {model.seed_}, final loss {model.loss_[-1]:.3f}")

    for leader in (0, 33):
        print(f"nearest to {leader} ({club[leader]}):")
        for node, score in emb.most_similar(leader, topn=5):
            print(f"  {node:>2}  {club[node]:8s}  cosine {score:.3f}")

    OUTPUT.mkdir(parents=True, exist_ok=True)
    emb.save(OUTPUT / "karate.npz")  # ids keep their Python types
    emb.save_word2vec_format(OUTPUT / "karate.emb")  # gensim/word2vec text
    assert graphemb.Embedding.load(OUTPUT / "karate.npz").nodes == emb.nodes

    # 2-D projection (principal components of the centred vectors)
    x = emb.vectors - emb.vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T
    colours = ["tab:blue" if club[v] == "Mr. Hi" else "tab:orange" for v in emb.nodes]
    fig, ax = plt.subplots(figsize=(6, 5))
    for u, v in graph.edges():
        i, j = emb.index_of(u), emb.index_of(v)
        ax.plot(xy[[i, j], 0], xy[[i, j], 1], color="0.85", lw=0.6, zorder=1)
    ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=60, zorder=2)
    for (px, py), v in zip(xy, emb.nodes, strict=True):
        ax.annotate(str(v), (px, py), fontsize=7, ha="center", va="center", zorder=3)
    ax.set_title("node2vec on the karate club (blue: Mr. Hi, orange: Officer)")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    fig.tight_layout()
    fig.savefig(OUTPUT / "karate.png", dpi=120)
    print(f"wrote {OUTPUT / 'karate.npz'}, {OUTPUT / 'karate.emb'} and {OUTPUT / 'karate.png'}")


if __name__ == "__main__":
    main()
