"""BlogCatalog node classification with the node2vec paper's settings.

DeepWalk (p = q = 1) and node2vec (p = 0.25, q = 4 by default) with d = 128,
80-node walks, 10 walks per node, window 10, 5 negatives, 1 epoch; scored by
one-vs-rest logistic regression at 10 %, 50 % and 90 % training labels, 10
random splits each (``graphemb.evaluation.node_classification``).  The scores
go to ``--out DIR/blogcatalog_scores.csv`` and, with matplotlib, the two
training-loss curves to ``DIR/blogcatalog_loss.png``.

The data come from ``$GRAPHEMB_DATA/blogcatalog`` (default ``../shared/datasets``
beside the repository) or a download (see ``graphemb.datasets``).  A few minutes
on 2 cores; ``--quick`` (seconds) runs short walks, d = 16 and one 50 % split, to check
the pipeline rather than to reproduce the paper.

    python examples/blogcatalog.py
    python examples/blogcatalog.py --p 1 --q 1 --repeats 3
    python examples/blogcatalog.py --quick --out /tmp/blogcatalog
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import graphemb
from graphemb.datasets import load_blogcatalog
from graphemb.evaluation import format_table, node_classification
from graphemb.plotting import PLOT_INSTALL_HINT

OUTPUT = Path(__file__).resolve().parent / "output"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--p", type=float, default=0.25)
    parser.add_argument("--q", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="seconds: 1 walk of 10 nodes per node, d=16, one split")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default examples/output)")
    args = parser.parse_args(argv)

    graph, labels = load_blogcatalog()
    print(f"{graph!r}, {len(labels)} labelled nodes")
    paper = dict(dimensions=128, walk_length=80, num_walks=10, window=10, negative=5, epochs=1)
    if args.quick:
        paper.update(dimensions=16, walk_length=10, num_walks=1, window=5)
        args.repeats = 1
    ratios = (0.5,) if args.quick else (0.1, 0.5, 0.9)
    models = {
        "DeepWalk": graphemb.DeepWalk(**paper, workers=args.workers, seed=args.seed, verbose=False),
        f"node2vec (p={args.p:g}, q={args.q:g})": graphemb.Node2Vec(
            **paper, p=args.p, q=args.q, workers=args.workers, seed=args.seed, verbose=False
        ),
    }
    tables = []
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(graph)
        fit_s = time.perf_counter() - t0
        scores = node_classification(
            model.embedding_, labels, train_ratios=ratios, repeats=args.repeats, seed=0, verbose=False
        )
        print(f"\n{name}: fitted in {fit_s:.1f} s; {scores.attrs['protocol']}")
        print(format_table(scores))
        tables.append(scores.assign(model=name, fit_seconds=round(fit_s, 2)))
    print("\nnode2vec paper (KDD 2016, Table 2), Macro-F1 at 50 %: DeepWalk 0.2110, node2vec 0.2581")
    args.out.mkdir(parents=True, exist_ok=True)
    pd.concat(tables, ignore_index=True).to_csv(args.out / "blogcatalog_scores.csv", index=False)
    print(f"wrote {args.out / 'blogcatalog_scores.csv'}")

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(PLOT_INSTALL_HINT)
        return
    from graphemb.plotting import plot_loss, require_matplotlib, save_figure

    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(5.0, 3.2))
    for name, model in models.items():
        plot_loss(model.loss_, ax=ax, title="BlogCatalog: SGNS loss per epoch")
        ax.lines[-1].set_label(name)
    ax.legend(fontsize=7)
    save_figure(fig, args.out / "blogcatalog_loss.png")
    print(f"picture: {args.out / 'blogcatalog_loss.png'}")


if __name__ == "__main__":
    main()
