"""Quality floor: DeepWalk / Node2Vec with the paper's settings on BlogCatalog and PPI (slow).

Run with ``.venv/bin/python -m pytest -m slow tests/test_end_to_end.py`` (several minutes).
The datasets come from ``$GRAPHEMB_DATA`` (default ``../shared/datasets`` next to the
repository); the tests skip when a dataset is absent.

Floors: Macro-F1 at 50 % training, scored by ``graphemb.evaluation.node_classification``
(10 splits, seed 0), of PecanPy (SparseOTF + gensim Word2Vec) on the same files with the
same settings and scorer, minus 0.005.  The fits use one worker, so each score is
bit-for-bit repeatable and a test cannot pass or fail by Hogwild chance.  Measured with
``benchmarks/end_to_end.py``; see the "End to end" section of docs/performance.md for the figures and the date.
"""

from __future__ import annotations

import pytest

from graphemb import DeepWalk, Node2Vec
from graphemb.datasets import get_data_home, load_blogcatalog, load_ppi
from graphemb.evaluation import node_classification

PAPER = dict(dimensions=128, walk_length=80, num_walks=10, window=10, negative=5, epochs=1)

# PecanPy SparseOTF Macro-F1 @ 50 % minus 0.005; PecanPy measured by benchmarks/end_to_end.py on
# 2026-12-02 (2-core VM, 2 workers): BlogCatalog 0.2278 (p=q=1, seed 0), PPI 0.1831 (p=q=1, seed 0)
# and 0.1742 (p=0.25, q=4, seed 0). BlogCatalog at p=0.25, q=4 uses the mean over PecanPy seeds 0, 1, 2
# (0.2222, 0.2177, 0.2192 -> 0.2197): its seed-0 run alone sits 2 spreads above the other two
# (docs/performance.md, "End to end").
FLOORS = {
    ("blogcatalog", "deepwalk"): 0.2228,
    ("blogcatalog", "node2vec"): 0.2147,
    ("ppi", "deepwalk"): 0.1781,
    ("ppi", "node2vec"): 0.1692,
}
LOADERS = {"blogcatalog": load_blogcatalog, "ppi": load_ppi}


def make_model(kind: str):
    if kind == "deepwalk":
        return DeepWalk(**PAPER, seed=0, workers=1, verbose=False)
    return Node2Vec(**PAPER, p=0.25, q=4.0, seed=0, workers=1, verbose=False)


@pytest.mark.slow
@pytest.mark.parametrize(("dataset", "kind"), sorted(FLOORS))
def test_macro_f1_floor(dataset, kind):
    if not (get_data_home() / dataset / "edges.tsv").exists():
        pytest.skip(f"{dataset} not found under {get_data_home()} (set GRAPHEMB_DATA)")
    floor = FLOORS[dataset, kind]
    graph, labels = LOADERS[dataset](download=False)
    model = make_model(kind).fit(graph)
    assert len(model.embedding_) == graph.num_nodes
    df = node_classification(model.embedding_, labels, train_ratios=(0.5,), repeats=10, seed=0, verbose=False)
    macro = float(df.loc[df["metric"] == "macro_f1", "mean"].iloc[0])
    assert macro >= floor, f"{kind} on {dataset}: Macro-F1 {macro:.4f} below the floor {floor:.4f}"
