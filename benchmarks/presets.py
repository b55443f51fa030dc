"""Epoch / learning-rate / window / negatives / subsampling sweep behind ``--preset converged`` (issue 15).

For each dataset one walk corpus is generated per (p, q, seed) and SGNS is trained
on it with each (epochs, alpha) setting, so the sweep costs one walk pass per
configuration.  Node classification (BlogCatalog, PPI): Macro/Micro-F1 at 50 %
train, ``--repeats`` splits (DeepWalk protocol).  Link prediction (Facebook):
the node2vec protocol (50 % of edges removed, split seed 0), Hadamard and the
other operators' ROC-AUC.  Rows are written to ``--out`` (CSV) after every
setting, atomically (temporary name then rename), so an interrupted sweep keeps
what it measured; ``uptime`` load is recorded per row.

    python benchmarks/presets.py --datasets ppi --epochs 1 2 3 5 10 --out /tmp/presets_ppi.csv
    python benchmarks/presets.py --datasets blogcatalog --pq 1,0.5 --epochs 3 --windows 5 10 20 \
        --negatives 5 10 --samples 1e-3 1e-4 0 --out /tmp/presets_bc.csv

Every (epochs, alpha, window, negatives, sample) combination of the lists is trained on each
corpus: keep all but one list at its default to vary one setting at a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphemb.datasets import get_data_home, load_blogcatalog, load_ppi  # noqa: E402
from graphemb.embedding import Embedding  # noqa: E402
from graphemb.evaluation import node_classification, score_link_prediction, train_test_split_edges  # noqa: E402
from graphemb.graph.io import read_edgelist  # noqa: E402
from graphemb.models import derive_seeds  # noqa: E402
from graphemb.sgns import SGNS  # noqa: E402
from graphemb.walks import WalkStream  # noqa: E402


def load(name: str):
    if name == "facebook":
        return read_edgelist(get_data_home() / "facebook" / "edges.tsv", sep="\t"), None
    return {"blogcatalog": load_blogcatalog, "ppi": load_ppi}[name](download=False)


def write_atomic(rows: list[dict], out: str) -> None:
    tmp = f"{out}.tmp{os.getpid()}"
    pd.DataFrame(rows).to_csv(tmp, index=False)
    os.replace(tmp, out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["ppi", "facebook", "blogcatalog"])
    ap.add_argument("--epochs", nargs="+", type=int, default=[1, 2, 3, 5, 10])
    ap.add_argument("--alphas", nargs="+", type=float, default=[0.025])
    ap.add_argument("--windows", nargs="+", type=int, default=[10], help="context window sizes")
    ap.add_argument("--negatives", nargs="+", type=int, default=[5], help="negatives per positive")
    ap.add_argument("--samples", nargs="+", type=float, default=[1e-3], help="subsampling thresholds (0: off)")
    ap.add_argument("--pq", nargs="+", default=["1,1"], help="p,q pairs")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows: list[dict] = []
    if os.path.exists(args.out):
        rows = pd.read_csv(args.out).to_dict("records")
    for r in rows:  # rows written before the window / negative / sample sweep had the defaults
        r.setdefault("window", 10)
        r.setdefault("negative", 5)
        r.setdefault("sample", 1e-3)
    done = {(r["dataset"], r["p"], r["q"], r["seed"], r["epochs"], r["alpha"], r["window"], r["negative"], r["sample"])
            for r in rows}  # fmt: skip
    settings = [(e, a, w, k, s) for e in args.epochs for a in args.alphas for w in args.windows
                for k in args.negatives for s in args.samples]  # fmt: skip
    for name in args.datasets:
        graph, labels = load(name)
        split = None
        if labels is None:
            split = train_test_split_edges(graph, test_fraction=0.5, seed=0)
            graph = split.graph
        for pq in args.pq:
            p, q = (float(x) for x in pq.split(","))
            for seed in args.seeds:
                todo = [st for st in settings if (name, p, q, seed, *st) not in done]
                if not todo:
                    continue
                walk_seed, train_seed = derive_seeds(seed)
                t0 = time.perf_counter()
                stream = WalkStream(graph, 80, 10, p=p, q=q, seed=walk_seed, workers=args.workers, verbose=False)
                corpus = stream.to_corpus()
                counts = corpus.node_counts(graph.num_nodes)
                walk_s = time.perf_counter() - t0
                for epochs, alpha, window, negative, sample in todo:
                    t0 = time.perf_counter()
                    sgns = SGNS(epochs=epochs, alpha=alpha, window=window, negative=negative, sample=sample,
                                workers=args.workers, seed=train_seed, verbose=False)  # fmt: skip
                    sgns.fit(corpus, num_nodes=graph.num_nodes, node_counts=counts)
                    train_s = time.perf_counter() - t0
                    emb = Embedding(graph.nodes, sgns.input_vectors_)
                    row = {"dataset": name, "p": p, "q": q, "seed": seed, "epochs": epochs, "alpha": alpha,
                           "window": window, "negative": negative, "sample": sample,
                           "walk_s": round(walk_s, 1), "train_s": round(train_s, 1)}  # fmt: skip
                    if labels is not None:
                        df = node_classification(emb, labels, train_ratios=0.5, repeats=args.repeats, verbose=False)
                        s = df.set_index("metric")["mean"]
                        row.update(macro_f1=round(float(s["macro_f1"]), 4), micro_f1=round(float(s["micro_f1"]), 4))
                    else:
                        lp = score_link_prediction(emb, split).set_index("operator")["roc_auc"]
                        row.update({f"auc_{op}": round(float(v), 4) for op, v in lp.items()})
                    row["load1"] = round(os.getloadavg()[0], 2)
                    rows.append(row)
                    write_atomic(rows, args.out)
                    print(row, flush=True)


if __name__ == "__main__":
    main()
