"""Benchmark: partitioned SGNS training (issue 14) — quality, negative bias, speed and memory against P.

Sections (each prints one JSON line per run, then a table; run with ``timeout``, note ``uptime``):

* ``quality``: BlogCatalog, DeepWalk walks (p = q = 1, 10 walks x 80 steps, walk seed 0),
  ``SGNS(dimensions=128, window=10, negative=5, epochs=1, sample=1e-3)`` with ``partitions`` P
  (``1`` = today's trainer; ``1p`` = the partitioned code path with one partition, which isolates
  the per-pair negatives and the once-drawn pair set from the partitioning itself), Macro/Micro-F1
  at 50 % training (``--repeats`` splits), and the bias of partition-local negatives:
  ``centre_share / noise_mass`` per partition (the expected number of negative updates a node
  receives, relative to P=1) and the mean total-variation distance between the partition mix of
  each context's positives and the noise mass (how far a context's negatives are from q).
* ``linkpred``: Facebook (SNAP ego-Facebook), node2vec protocol (half the edges held out,
  Hadamard operator, logistic regression), ROC-AUC for each P.
* ``speed``: pairs/s of P=4 on a Dask LocalCluster (2 workers, 1 thread each) against the
  in-process trainer (2 threads) and the in-memory partitioned executor (2 threads), BlogCatalog walks.
* ``memory``: peak RSS (``VmHWM`` of a fresh subprocess: its ``ru_maxrss`` would start from this
  process's peak) of out-of-core P=8 (``--buffers``, ``--chunks`` 2) against P=1 on a synthetic
  Zipf corpus (``--nodes`` nodes, one 10-step sequence per node, d=128, window 5), with the bytes
  read and written against the lower bound, and the peak above the interpreter baseline against
  what the memory plan (graphemb._memory) counts for the fit.

Usage::

    python benchmarks/partitioned.py quality --partitions 1 1p 2 4 8 16 --seeds 0
    python benchmarks/partitioned.py linkpred --partitions 1 4 16
    python benchmarks/partitioned.py speed
    python benchmarks/partitioned.py memory --nodes 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("GRAPHEMB_DATA", str(REPO.parent / "shared" / "datasets"))  # the shared copy beside the repo
# benchmarks/distributed.py is named like the Dask package: take this folder off the path so 'distributed' is Dask's
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "benchmarks"]
sys.path.insert(0, str(REPO))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def emit(record: dict) -> None:
    record["load"] = load()
    print(json.dumps(record, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)), flush=True)


def blog_walks(seed: int = 0):
    from graphemb.datasets import load_blogcatalog
    from graphemb.walks import random_walks

    graph, labels = load_blogcatalog(download=False)
    corpus = random_walks(graph, walk_length=80, num_walks=10, seed=seed, workers=2, verbose=False)
    return graph, labels, corpus


def train(corpus, n: int, P: str, seed: int, workers: int = 2, options: dict | None = None, **kw):
    """``P`` is an int as a string, or ``"1p"`` (partitioned code path with one partition)."""
    from graphemb.sgns import SGNS
    from graphemb.sgns import partitioned as pt

    params = dict(dimensions=128, window=10, negative=5, epochs=1, workers=workers, seed=seed, verbose=False)
    params.update(kw)
    counts = corpus.node_counts(n)
    if P == "1p":
        model = SGNS(**params)
        p = model._check_params()
        p["partitions"] = 1
        p["partition_options"] = options
        pt.fit_partitioned(model, p, corpus, counts, n)
        return model
    return SGNS(**params, partitions=int(P), partition_options=options).fit(corpus, num_nodes=n, node_counts=counts)


def context_tv(corpus, n: int, P: int, seed: int) -> float:
    """Mean (over pairs) total-variation distance between each context's positive-partition mix and the noise mass."""
    from graphemb.sgns import SGNS
    from graphemb.sgns import partitioned as pt
    from graphemb.sgns._common import keep_probabilities as _keep_probabilities

    counts = corpus.node_counts(n)
    plan = pt.snake_partition(counts, P)
    w = counts.astype(np.float64) ** 0.75
    mass = np.array([w[m].sum() for m in plan.members]) / w.sum()
    model = SGNS(dimensions=8, window=10, seed=seed)
    p = model._check_params()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "pairs").mkdir()
        keep = _keep_probabilities(counts, int(counts.sum()), 1e-3)
        pt.extract_bucket_pairs(corpus, tmp, plan, keep, 10, True, p["kernel_seed"], n)
        ncj = np.zeros((n, P), dtype=np.float64)
        for i in range(P):
            for j in range(P):
                raw = np.fromfile(pt.pairs_path(tmp, i, j), dtype="<i4").reshape(-1, 2)
                ctx = plan.members[i][raw[:, 0]]
                ncj[:, j] += np.bincount(ctx, minlength=n)
    nc = ncj.sum(axis=1)
    seen = nc > 0
    tv = 0.5 * np.abs(ncj[seen] / nc[seen, None] - mass[None, :]).sum(axis=1)
    return float((tv * nc[seen]).sum() / nc[seen].sum())


# ----------------------------------------------------------------- sections
def cmd_quality(args) -> None:
    from graphemb import Embedding
    from graphemb.evaluation import node_classification

    graph, labels, corpus = blog_walks(0)
    n = graph.num_nodes
    rows = []
    for seed in args.seeds:
        for P in args.partitions:
            t0 = time.perf_counter()
            options = {"chunks": args.chunks} if args.chunks else None
            model = train(corpus, n, P, seed, workers=args.workers, options=options)
            seconds = time.perf_counter() - t0
            emb = Embedding(graph.nodes, model.input_vectors_)
            df = node_classification(emb, labels, train_ratios=(0.5,), repeats=args.repeats, seed=0, verbose=False)
            macro = float(df[df.metric == "macro_f1"]["mean"].iloc[0])
            micro = float(df[df.metric == "micro_f1"]["mean"].iloc[0])
            rec = {"section": "quality", "dataset": "blogcatalog", "P": P, "seed": seed, "macro_f1": macro,
                   "micro_f1": micro, "fit_seconds": seconds, "train_seconds": model.train_seconds_,
                   "loss": float(model.loss_[0]), "repeats": args.repeats,
                   "chunks": args.chunks or "default"}  # fmt: skip
            stats = getattr(model, "partition_stats_", None)
            if stats is not None:
                share = stats["centre_share"] / stats["noise_mass"]
                rec.update(pairs=int(stats["pairs_trained"].sum()), extract_seconds=stats["extract_seconds"],
                           pairs_per_s=int(stats["pairs_trained"].sum() / model.train_seconds_),
                           neg_rate_min=float(share.min()), neg_rate_max=float(share.max()))  # fmt: skip
                if P not in ("1p", "1") and args.tv:
                    rec["context_tv"] = context_tv(corpus, n, int(P), seed)
            emit(rec)
            rows.append(rec)
    print("\n| P | seed | Macro-F1 | Micro-F1 | train s | pairs/s | neg. rate min-max | context TV |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['P']} | {r['seed']} | {r['macro_f1']:.4f} | {r['micro_f1']:.4f} | {r['train_seconds']:.1f} | "
              f"{r.get('pairs_per_s', '')} | {r.get('neg_rate_min', float('nan')):.3f}-"
              f"{r.get('neg_rate_max', float('nan')):.3f} | {r.get('context_tv', '')} |")  # fmt: skip


def cmd_linkpred(args) -> None:
    from graphemb import DeepWalk
    from graphemb.evaluation import link_prediction
    from graphemb.graph.io import read_edgelist

    data = Path(os.environ["GRAPHEMB_DATA"])  # defaulted at import, beside the repository
    graph = read_edgelist(data / "facebook" / "edges.tsv", sep="\t", directed=False)
    for seed in args.seeds:
        for P in args.partitions:
            model = DeepWalk(dimensions=128, walk_length=80, num_walks=10, window=10, workers=args.workers,
                             seed=seed, verbose=False, partitions=int(P))  # fmt: skip
            t0 = time.perf_counter()
            df = link_prediction(graph, model, test_fraction=0.5, seed=0, operators=("hadamard",))
            emit({"section": "linkpred", "dataset": "facebook", "P": P, "seed": seed,
                  "roc_auc": float(df["roc_auc"].iloc[0]), "ap": float(df["average_precision"].iloc[0]),
                  "seconds": time.perf_counter() - t0})  # fmt: skip


def cmd_speed(args) -> None:
    from distributed import Client, LocalCluster

    from graphemb.corpus import WalkCorpus
    from graphemb.distributed.training import DaskExecutor

    if args.nodes:  # the power-law graph of the scale benchmark (Chung-Lu, exponent 2.5, seed 0)
        from graphemb.datasets import make_powerlaw_graph
        from graphemb.walks import random_walks

        graph = make_powerlaw_graph(args.nodes, args.edges, seed=0)
        corpus = random_walks(graph, walk_length=80, num_walks=args.num_walks, seed=0, workers=2, verbose=False)
    else:
        graph, _, corpus = blog_walks(0)
    n = graph.num_nodes
    if args.fraction < 1:  # the first walks (rounds over all start nodes): a shorter run, same per-pair cost
        k = int(len(corpus) * args.fraction)
        corpus = WalkCorpus(corpus.walks[:k], corpus.lengths[:k])
    emit({"section": "speed", "graph": repr(graph), "trained_walks": len(corpus), "trained_tokens": corpus.num_tokens})
    train(WalkCorpus(corpus.walks[:2000], corpus.lengths[:2000]), n, "4", 0, workers=1)  # compile
    plain = train(corpus, n, "1", 0, workers=2)
    emit({"section": "speed", "trainer": "SGNS (P=1, 2 threads)", "train_seconds": plain.train_seconds_,
          "tokens_per_s": corpus.num_tokens / plain.train_seconds_})  # fmt: skip
    inmem = train(corpus, n, "4", 0, workers=2)
    pairs = int(inmem.partition_stats_["pairs_trained"].sum())
    emit({"section": "speed", "trainer": "P=4 in memory, 2 threads", "pairs_per_s": pairs / inmem.train_seconds_,
          "tokens_per_s": corpus.num_tokens / inmem.train_seconds_, "train_seconds": inmem.train_seconds_,
          "extract_seconds": inmem.partition_stats_["extract_seconds"]})  # fmt: skip
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        ooc = train(corpus, n, "4", 0, workers=2, options={"workdir": f"{tmp}/ooc"})
        emit({"section": "speed", "trainer": "P=4 out of core, buffer 4", "pairs_per_s": pairs / ooc.train_seconds_,
              "train_seconds": ooc.train_seconds_, "bytes_read": ooc.partition_stats_["bytes_read"],
              "bytes_written": ooc.partition_stats_["bytes_written"],
              "bytes_read_lower_bound": ooc.partition_stats_["bytes_read_lower_bound"]})  # fmt: skip
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with Client(cluster) as client:
                ex = DaskExecutor(client)
                dk = train(corpus, n, "4", 0, options={"workdir": f"{tmp}/dask", "executor": ex})
                same = bool(np.array_equal(np.asarray(dk.input_vectors_), inmem.input_vectors_))
                emit({"section": "speed", "trainer": "P=4 Dask LocalCluster, 2 workers x 1 thread",
                      "pairs_per_s": pairs / dk.train_seconds_, "train_seconds": dk.train_seconds_,
                      "tasks": dk.partition_stats_["tasks"], "equal_to_in_memory": same})  # fmt: skip


_GENERATE_CHILD = """
import numpy as np
n = {n}
walks = (np.random.default_rng(0).zipf(1.5, size=(n, 10)) % n).astype(np.int32)
np.save({tmp!r} + "/walks.npy", walks)
np.save({tmp!r} + "/counts.npy", np.bincount(walks.ravel(), minlength=n).astype(np.int64))
"""

_HWM = """
def peak_rss_bytes():  # VmHWM: this address space's peak (ru_maxrss carries the parent's over fork + exec)
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
"""

_MEMORY_CHILD = (
    _HWM.replace("{", "{{").replace("}", "}}")
    + """
import json, sys, time
import numpy as np
sys.path.insert(0, {repo!r})
from graphemb.sgns import SGNS
walks = np.load({walks!r}, mmap_mode="r")
counts = np.load({counts!r})
opts = {opts}
t0 = time.perf_counter()
m = SGNS(dimensions=128, window=5, negative=5, epochs=1, workers=1, seed=0, verbose=False, partitions={P},
         partition_options=opts).fit(walks, num_nodes=counts.shape[0], node_counts=counts)
stats = getattr(m, "partition_stats_", {{}})
print(json.dumps({{"peak_rss_bytes": peak_rss_bytes(),
                  "seconds": time.perf_counter() - t0, "bytes_read": stats.get("bytes_read"),
                  "bytes_written": stats.get("bytes_written"),
                  "bytes_read_lower_bound": stats.get("bytes_read_lower_bound")}}))
"""
)


def _planned_bytes(n: int, P: int, opts: dict | None) -> int:
    """What the memory plan counts for the child's fit: the trainer's items (graphemb._memory, as
    ``Node2Vec.memory_plan`` does) plus the memory-mapped corpus (4 bytes per token, all touched)."""
    from graphemb._memory import partition_items

    d, tokens = 128, 10 * n
    if P > 1:
        trainer = sum(partition_items(num_nodes=n, dimensions=d, partitions=P, partition_options=opts, window=5,
                                      num_tokens=tokens, walk_length=10, workers=1).values())  # fmt: skip
    else:
        trainer = 8 * n * d + 48 * n
    return trainer + 4 * tokens


def cmd_memory(args) -> None:
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        n = args.nodes
        # The corpus is generated in a child of its own: a child's ru_maxrss starts from its parent's
        # peak (Linux keeps the high-water mark across fork and exec), so this process stays small.
        subprocess.run([sys.executable, "-c", _GENERATE_CHILD.format(n=n, tmp=tmp)], check=True)
        base = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r}); {_HWM}"
                               "import graphemb.sgns.partitioned, numpy; print(peak_rss_bytes())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        baseline = int(base.stdout.strip())
        results = {}
        runs = [("P=1", 1, None)] + [
            (f"P=8 out of core, buffer {c}", 8, {"workdir": f"{tmp}/w8b{c}", "chunks": args.chunks, "buffer": c})
            for c in args.buffers
        ]
        for label, P, opts in runs:
            code = _MEMORY_CHILD.format(repo=str(REPO), walks=f"{tmp}/walks.npy", counts=f"{tmp}/counts.npy",
                                        opts=repr(opts), P=P)  # fmt: skip
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stderr[-3000:])
                raise SystemExit(done.returncode)
            results[label] = json.loads(done.stdout.strip().splitlines()[-1])
            planned = _planned_bytes(n, P, opts)
            above = results[label]["peak_rss_bytes"] - baseline
            emit({"section": "memory", "run": label, "nodes": n, "tables_bytes": 2 * n * 128 * 4,
                  "baseline_rss_bytes": baseline, **results[label], "planned_bytes": planned,
                  "peak_above_baseline_bytes": above, "above_baseline_vs_plan": above / planned})  # fmt: skip
        a = results["P=1"]["peak_rss_bytes"]
        for label, _, _ in runs[1:]:
            b = results[label]["peak_rss_bytes"]
            above = (b - baseline) / (a - baseline)
            emit({"section": "memory", "run": label, "ratio": b / a, "ratio_above_baseline": above})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="section", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--partitions", nargs="+", default=["1", "1p", "2", "4", "8", "16"])
    q.add_argument("--seeds", type=int, nargs="+", default=[0])
    q.add_argument("--repeats", type=int, default=5)
    q.add_argument("--workers", type=int, default=2)
    q.add_argument("--chunks", type=int, default=None, help="chunks per bucket (default: the trainer's, 8)")
    q.add_argument("--tv", action="store_true", help="also measure the per-context TV distance (an extra pass)")
    q.set_defaults(fn=cmd_quality)
    lp = sub.add_parser("linkpred")
    lp.add_argument("--partitions", nargs="+", default=["1", "2", "4", "8", "16"])
    lp.add_argument("--seeds", type=int, nargs="+", default=[0])
    lp.add_argument("--workers", type=int, default=2)
    lp.set_defaults(fn=cmd_linkpred)
    sp = sub.add_parser("speed")
    sp.add_argument("--tmp", default=None)
    sp.add_argument("--fraction", type=float, default=1.0, help="train on this fraction of the walks")
    sp.add_argument("--nodes", type=int, default=None, help="power-law graph nodes (default: BlogCatalog)")
    sp.add_argument("--edges", type=int, default=10_000_000, help="its edges (default 10M: the scale benchmark's)")
    sp.add_argument("--num-walks", type=int, default=1, help="walks per node on the power-law graph (default 1)")
    sp.set_defaults(fn=cmd_speed)
    me = sub.add_parser("memory")
    me.add_argument("--nodes", type=int, default=1_000_000)
    me.add_argument("--tmp", default=None)
    me.add_argument("--buffers", type=int, nargs="+", default=[4, 3])
    me.add_argument("--chunks", type=int, default=2, help="chunks of the out-of-core run (I/O grows with it)")
    me.set_defaults(fn=cmd_memory)
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)}  (load average {load()}, peak rss so far "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)", flush=True)  # fmt: skip
    args.fn(args)


if __name__ == "__main__":
    main()
