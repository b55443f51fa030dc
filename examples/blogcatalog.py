"""BlogCatalog node classification with the node2vec paper's settings.

DeepWalk (p = q = 1) and node2vec (p = 0.25, q = 4 by default) with d = 128,
80-node walks, 10 walks per node, window 10, 5 negatives, 1 epoch; scored by
one-vs-rest logistic regression at 10 %, 50 % and 90 % training labels, 10
random splits each (``graphemb.evaluation.node_classification``).

The data come from ``$GRAPHEMB_DATA/blogcatalog`` (default ``../shared/datasets``
beside the repository) or a download (see ``graphemb.datasets``).  A few minutes
on 2 cores.

    .venv/bin/python examples/blogcatalog.py
    .venv/bin/python examples/blogcatalog.py --p 1 --q 1 --repeats 3
"""

from __future__ import annotations

import argparse
import time

import graphemb
from graphemb.datasets import load_blogcatalog
from graphemb.evaluation import format_table, node_classification


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--p", type=float, default=0.25)
    parser.add_argument("--q", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    graph, labels = load_blogcatalog()
    print(f"{graph!r}, {len(labels)} labelled nodes")
    paper = dict(dimensions=128, walk_length=80, num_walks=10, window=10, negative=5, epochs=1)
    models = {
        "DeepWalk": graphemb.DeepWalk(**paper, workers=args.workers, seed=args.seed),
        f"node2vec (p={args.p:g}, q={args.q:g})": graphemb.Node2Vec(
            **paper, p=args.p, q=args.q, workers=args.workers, seed=args.seed
        ),
    }
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(graph)
        fit_s = time.perf_counter() - t0
        scores = node_classification(model.embedding_, labels, repeats=args.repeats, seed=0, verbose=False)
        print(f"\n{name}: fitted in {fit_s:.1f} s; {scores.attrs['protocol']}")
        print(format_table(scores))
    print("\nnode2vec paper (KDD 2016, Table 2), Macro-F1 at 50 %: DeepWalk 0.2110, node2vec 0.2581")


if __name__ == "__main__":
    main()
