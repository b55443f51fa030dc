"""Benchmark: graphemb's SGNS trainer against gensim Word2Vec on the same walks.

Builds the BlogCatalog walk corpus once (graphemb.random_walks, p = q = 1, fixed
seed; 10 walks x 80 steps per node), saves it as .npy, then for each ``sample``
value trains, each in its own fresh subprocess:

* graphemb ``SGNS(dimensions=128, window=10, negative=5, epochs=1, workers=W)``
  (this repo's .venv),
* gensim ``Word2Vec(sg=1, hs=0, negative=5, window=10, vector_size=128, epochs=1,
  workers=W, min_count=0)`` on the same walks as lists of str tokens
  (.venv-anchors),

and prints training seconds (vocabulary/counting pass excluded for both; the
graphemb total with its counting pass is printed too), corpus tokens per second,
peak RSS of each subprocess (its ``VmHWM``; ``ru_maxrss`` would start from this
process's peak), the throughput ratio, and the node-classification Macro/Micro-F1 of
both embeddings (50 % train, one-vs-rest logistic regression, top-k prediction,
``--repeats`` splits, averaged then over ``--seeds`` training seeds: trainer seeds
move Macro-F1 by about 0.002).

Usage::

    .venv/bin/python benchmarks/sgns.py                      # sample 0 and 1e-3, seeds 0 1 2
    .venv/bin/python benchmarks/sgns.py --samples 1e-3 --seeds 0 --trainers graphemb gensim
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _rss import peak_rss_bytes  # benchmarks/_rss.py (this folder is sys.path[0])

REPO = Path(__file__).resolve().parents[1]
ANCHOR_PYTHON = REPO / ".venv-anchors" / "bin" / "python"


def data_home() -> Path:
    return Path(os.environ.get("GRAPHEMB_DATA", REPO.parent / "shared" / "datasets"))


# --------------------------------------------------------------------- corpus
def build_walks(dataset: str, out: Path, seed: int) -> Path:
    """Walk corpus of ``dataset`` (node i = file id i + 1) saved as int32 .npy."""
    path = out / f"{dataset}_walks_seed{seed}.npy"
    if path.exists():
        return path
    import scipy.sparse as sp

    edges = np.loadtxt(data_home() / dataset / "edges.tsv", dtype=np.int64, delimiter="\t") - 1
    n = int(edges.max()) + 1
    adj = sp.coo_array((np.ones(len(edges), np.float32), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    adj = ((adj + adj.T) > 0).astype(np.float32)
    from graphemb import CSRGraph
    from graphemb.walks import random_walks

    graph = CSRGraph.from_scipy(adj, directed=False, weighted=False)
    corpus = random_walks(graph, walk_length=80, num_walks=10, p=1.0, q=1.0, seed=seed, verbose=False)
    if np.any(corpus.lengths != corpus.walk_length):
        raise RuntimeError("unexpected short walks (dead ends) in an undirected graph")
    np.save(path, corpus.walks)
    return path


# -------------------------------------------------------------------- workers
def worker_graphemb(
    walks_path: str,
    vectors_path: str,
    sample: float,
    workers: int,
    seed: int,
    shared: bool = True,
    frequency_order: bool = True,
) -> dict:
    from graphemb.sgns import SGNS

    walks = np.load(walks_path)
    n = int(walks.max()) + 1
    SGNS(dimensions=8, window=2, epochs=1, workers=workers, seed=0, verbose=False).fit(walks[:50], num_nodes=n)
    t0 = time.perf_counter()
    model = SGNS(
        dimensions=128,
        window=10,
        negative=5,
        sample=sample,
        epochs=1,
        workers=workers,
        seed=seed,
        verbose=False,
        shared_negatives=shared,
        frequency_order=frequency_order,
    ).fit(walks, num_nodes=n)
    total = time.perf_counter() - t0
    np.save(vectors_path, model.input_vectors_)
    return {"seconds": model.train_seconds_, "seconds_with_counting": total, "tokens": int(walks.size)}


def worker_gensim(walks_path: str, vectors_path: str, sample: float, workers: int, seed: int) -> dict:
    from gensim.models import Word2Vec

    walks = np.load(walks_path)
    n = int(walks.max()) + 1
    sentences = [[str(x) for x in row] for row in walks.tolist()]
    model = Word2Vec(
        vector_size=128, window=10, sg=1, hs=0, negative=5, min_count=0, sample=sample,
        workers=workers, epochs=1, seed=seed,
    )  # fmt: skip
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=1)
    seconds = time.perf_counter() - t0
    vectors = np.zeros((n, 128), dtype=np.float32)
    for i in range(n):
        key = str(i)
        if key in model.wv.key_to_index:
            vectors[i] = model.wv[key]
    np.save(vectors_path, vectors)
    return {"seconds": seconds, "tokens": int(walks.size)}


def run_worker(python: Path, kind: str, walks: Path, vectors: Path, sample: float, workers: int, seed: int) -> dict:
    cmd = [str(python), __file__, "--worker", kind, str(walks), str(vectors), repr(sample), str(workers), str(seed)]
    env = dict(os.environ, PYTHONPATH=str(REPO) if kind.startswith("graphemb") else "")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- evaluation
def read_labels(dataset: str) -> dict[int, list[int]]:
    table = np.loadtxt(data_home() / dataset / "labels.tsv", dtype=np.int64, delimiter="\t")
    labels: dict[int, list[int]] = {}
    for node, label in table.tolist():
        labels.setdefault(node, []).append(label)
    return labels


def score(vectors: np.ndarray, labels: dict[int, list[int]], repeats: int, seed: int) -> dict:
    """Macro/Micro-F1 at 50 % train (graphemb.evaluation if present, else the same protocol locally)."""
    try:
        from graphemb import Embedding
        from graphemb.evaluation import node_classification

        emb = Embedding(list(range(1, vectors.shape[0] + 1)), vectors)
        df = node_classification(emb, labels, train_ratios=(0.5,), repeats=repeats, seed=seed, verbose=False)
        get = {row.metric: (row.mean, row.std) for row in df.itertuples()}
        return {"macro_f1": get["macro_f1"], "micro_f1": get["micro_f1"], "scorer": "graphemb.evaluation"}
    except ImportError:
        pass
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    nodes = np.array(sorted(labels))
    y = MultiLabelBinarizer().fit_transform([labels[v] for v in nodes])
    x = vectors[nodes - 1]
    macro, micro = [], []
    for r in range(repeats):
        perm = np.random.default_rng([seed, r]).permutation(len(nodes))
        tr, te = perm[: len(perm) // 2], perm[len(perm) // 2 :]
        clf = OneVsRestClassifier(LogisticRegression(solver="liblinear")).fit(x[tr], y[tr])
        proba = clf.predict_proba(x[te])
        k = y[te].sum(axis=1)
        pred = np.zeros_like(y[te])
        top = np.argsort(-proba, axis=1)
        for i in range(len(te)):
            pred[i, top[i, : k[i]]] = 1
        macro.append(f1_score(y[te], pred, average="macro", zero_division=0))
        micro.append(f1_score(y[te], pred, average="micro", zero_division=0))
    return {
        "macro_f1": (float(np.mean(macro)), float(np.std(macro))),
        "micro_f1": (float(np.mean(micro)), float(np.std(micro))),
        "scorer": "local",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="blogcatalog")
    parser.add_argument("--samples", type=float, nargs="+", default=[0.0, 1e-3])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--walk-seed", type=int, default=0, help="seed of the walk corpus")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="training seeds per trainer")
    parser.add_argument("--repeats", type=int, default=10, help="classification splits per embedding")
    parser.add_argument("--trainers", nargs="+", default=list(TRAINERS), choices=list(TRAINERS), help="trainers to run")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "sgns"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if "gensim" in args.trainers and not ANCHOR_PYTHON.exists():
        sys.exit(f"{ANCHOR_PYTHON} is missing; build it with benchmarks/setup_anchors.sh")

    walks = build_walks(args.dataset, out, args.walk_seed)
    labels = read_labels(args.dataset)
    now = datetime.datetime.now()
    print(f"# {now:%Y-%m-%d %H:%M} {platform.node()} {os.cpu_count()} cpus; {args.dataset} walks {walks}")
    print(f"# {args.workers} workers, training seeds {args.seeds}, Macro/Micro-F1 = mean over {args.repeats} splits,")
    print("# then mean +- std over the training seeds; seconds and tokens/s: mean over the seeds")
    header = ("sample", "trainer", "seconds", "tokens/s", "peak MiB", "macro-F1", "micro-F1")
    print("{:>7} {:>14} {:>8} {:>10} {:>9} {:>15} {:>15}".format(*header))
    for sample in args.samples:
        results = {}
        for kind in args.trainers:
            python = ANCHOR_PYTHON if kind == "gensim" else Path(sys.executable)
            runs = []
            for seed in args.seeds:
                vectors = out / f"{kind}_sample{sample:g}_seed{seed}.npy"
                res = run_worker(python, kind, walks, vectors, sample, args.workers, seed)
                res.update(score(np.load(vectors), labels, args.repeats, 0))
                runs.append(res)
            macro = np.array([r["macro_f1"][0] for r in runs])
            micro = np.array([r["micro_f1"][0] for r in runs])
            res = {
                "seconds": float(np.mean([r["seconds"] for r in runs])),
                "tokens": runs[0]["tokens"],
                "peak_rss": max(r["peak_rss"] for r in runs),
                "macro_f1": (float(macro.mean()), _sd(macro)),
                "micro_f1": (float(micro.mean()), _sd(micro)),
                "scorer": runs[0]["scorer"],
            }
            results[kind] = res
            ma, mi = res["macro_f1"], res["micro_f1"]
            print(
                f"{sample:>7g} {kind:>14} {res['seconds']:>8.2f} {res['tokens'] / res['seconds']:>10,.0f} "
                f"{res['peak_rss'] / 2**20:>9.0f} {ma[0]:.4f}+-{ma[1]:.4f} {mi[0]:.4f}+-{mi[1]:.4f}",
                flush=True,
            )
        if "gensim" not in results:
            continue
        a = results["gensim"]
        for kind, g in results.items():
            if kind == "gensim":
                continue
            print(
                f"{sample:>7g} ratio {kind}/gensim: throughput {a['seconds'] / g['seconds']:.2f}x, "
                f"macro-F1 difference {g['macro_f1'][0] - a['macro_f1'][0]:+.4f} ({g['scorer']} scorer)",
                flush=True,
            )


def _sd(x: np.ndarray) -> float:
    return float(x.std(ddof=1)) if x.size > 1 else 0.0


TRAINERS = ("graphemb", "graphemb-pair", "graphemb-ids", "gensim")
"""graphemb: SGNS defaults (window-shared negatives, frequency-ordered rows); graphemb-pair:
shared_negatives=False; graphemb-ids: frequency_order=False (rows in node-id order, as before)."""


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, walks_path, vectors_path, sample, workers, seed = sys.argv[2:8]
        if kind == "gensim":
            result = worker_gensim(walks_path, vectors_path, float(sample), int(workers), int(seed))
        else:
            shared = kind != "graphemb-pair"
            result = worker_graphemb(
                walks_path, vectors_path, float(sample), int(workers), int(seed), shared, kind != "graphemb-ids"
            )
        result["peak_rss"] = peak_rss_bytes()
        print(json.dumps(result))
    else:
        main()
