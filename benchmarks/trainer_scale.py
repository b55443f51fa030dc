"""Benchmark: the SGNS trainer on a large power-law graph (frequency order, parallel efficiency).

Generates a Chung-Lu graph deterministically (``--nodes`` nodes, about ``--edges`` edges,
degree exponent 2.5, node ids shuffled so that frequent nodes are scattered through the
id range as in real data), walks it once (``--walk-nodes`` random start nodes, one walk of
80 nodes each, p = q = 1), saves the walks as .npy, and then trains, each run in its own
subprocess, ``SGNS(dimensions=128, window=10, negative=5, sample=1e-3, epochs=1)`` with
``frequency_order`` on and off and the given worker counts.  For each run it prints the
training tokens/s, the CPU utilisation of ``fit`` (process CPU seconds over wall seconds:
200 % is two busy cores), the share of the training pass spent inside the numba kernels
(the rest is Python between pieces), the time ``fit`` spends outside the training passes
(tables, frequency order and renumbering back), and the peak RSS (``VmHWM`` of that
subprocess: its ``ru_maxrss`` would start from the peak of this one, which built the graph).

It also writes the graph's edge list as text (``edges.tsv``, one ``u<TAB>v`` per line), the
file ``benchmarks/load.py --path`` reads.

    .venv/bin/python benchmarks/trainer_scale.py                    # 1M nodes, 10M edges
    .venv/bin/python benchmarks/trainer_scale.py --nodes 200000 --edges 2000000 --walk-nodes 50000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _rss import peak_rss_bytes  # benchmarks/_rss.py (this folder is sys.path[0])

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]


def chung_lu(nodes: int, edges: int, exponent: float = 2.5, max_degree: int = 14_000, seed: int = 0) -> np.ndarray:
    """Edge array (k, 2) int64 of a Chung-Lu graph: endpoints drawn with probability ~ w_i.

    ``w_i = (i + i0) ** (-1 / (exponent - 1))``, ``i0`` chosen so that the heaviest node's
    expected degree is about ``max_degree``; node ids are then shuffled.  Self-loops and
    duplicates are removed by the graph builder.  O(edges log nodes) time.
    """
    rng = np.random.default_rng(seed)
    beta = 1.0 / (exponent - 1.0)
    lo, hi = 0.0, float(nodes)
    for _ in range(60):  # bisect the offset i0 for the target maximum degree
        i0 = (lo + hi) / 2
        w = (np.arange(nodes) + 1 + i0) ** -beta
        top = 2 * edges * w[0] / w.sum()
        lo, hi = (i0, hi) if top > max_degree else (lo, i0)
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    ends = np.searchsorted(cdf, rng.random(2 * edges)).reshape(-1, 2)
    ends = np.minimum(ends, nodes - 1)
    labels = rng.permutation(nodes)
    return labels[ends]


def prepare(args: argparse.Namespace, out: Path) -> tuple[Path, Path]:
    tag = f"cl_{args.nodes}_{args.edges}"
    walks_path = out / f"{tag}_walks{args.walk_nodes}.npy"
    edges_path = out / f"{tag}_edges.tsv"
    if walks_path.exists() and edges_path.exists():
        return walks_path, edges_path
    import scipy.sparse as sp

    from graphemb import CSRGraph
    from graphemb.walks import random_walks

    t0 = time.perf_counter()
    e = chung_lu(args.nodes, args.edges)
    adj = sp.coo_array((np.ones(len(e), np.float32), (e[:, 0], e[:, 1])), shape=(args.nodes, args.nodes)).tocsr()
    adj = adj + adj.T
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj = (adj > 0).astype(np.float32)
    graph = CSRGraph.from_scipy(adj, directed=False, weighted=False)
    upper = sp.triu(adj, k=1).tocoo()
    tmp = edges_path.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        for a in range(0, upper.nnz, 1_000_000):
            block = np.stack([upper.row[a : a + 1_000_000], upper.col[a : a + 1_000_000]], axis=1)
            np.savetxt(fh, block, fmt="%d", delimiter="\t")
    os.replace(tmp, edges_path)
    deg = np.diff(graph.indptr)
    print(
        f"# graph: {graph.num_nodes:,} nodes, {upper.nnz:,} edges, max degree {deg.max():,}, "
        f"{int((deg == 0).sum()):,} isolated; built in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    starts = np.sort(np.random.default_rng(1).choice(np.flatnonzero(deg > 0), args.walk_nodes, replace=False))
    corpus = random_walks(graph, walk_length=80, num_walks=1, seed=0, start_nodes=starts.tolist(), verbose=False)
    np.save(walks_path, corpus.walks)
    return walks_path, edges_path


def worker(walks_path: str, n: int, workers: int, order: bool, seed: int, limit: int) -> dict:
    from graphemb.sgns import SGNS, _kernels

    walks = np.load(walks_path)[:limit]
    kernel_seconds = [0.0]
    for name in ("train_walk_range", "train_walks_parallel"):  # time spent inside the kernels
        real = getattr(_kernels, name)

        def timed(*args, _real=real):
            t = time.perf_counter()
            out = _real(*args)
            kernel_seconds[0] += time.perf_counter() - t
            return out

        setattr(_kernels, name, timed)
    SGNS(dimensions=8, window=2, epochs=1, workers=workers, seed=0, verbose=False).fit(walks[:50], num_nodes=n)
    kernel_seconds[0] = 0.0  # the warm-up fit's kernel time is not the measured fit's
    counts = np.bincount(walks.ravel(), minlength=n).astype(np.int64)
    model = SGNS(
        dimensions=128, window=10, negative=5, sample=1e-3, epochs=1, workers=workers, seed=seed, verbose=False,
        frequency_order=order,
    )  # fmt: skip
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    model.fit(walks, num_nodes=n, node_counts=counts)
    r1, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - t0
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {
        "tokens": int(walks.size),
        "train_seconds": model.train_seconds_,
        "fit_seconds": wall,
        "cpu_seconds": cpu,
        "kernel_seconds": kernel_seconds[0],
        "peak_rss": peak_rss_bytes(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--edges", type=int, default=10_000_000)
    ap.add_argument("--walk-nodes", type=int, default=150_000, help="walks (80 nodes each) to train on")
    ap.add_argument("--workers", type=int, nargs="+", default=[2])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--train-walks", type=int, default=None, help="train on the first N walks only")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "trainer_scale"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    walks_path, edges_path = prepare(args, out)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {os.cpu_count()} cpus; walks {walks_path}")
    print(f"# edge list for benchmarks/load.py: {edges_path}")
    print(f"{'workers':>7} {'order':>9} {'seed':>4} {'tokens/s':>10} {'CPU %':>6} {'in kernels':>10} "
          f"{'fit - train s':>13} {'peak MiB':>9} {'load (1 min)':>12}")  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for workers in args.workers:
        for order in (False, True):
            for seed in args.seeds:
                cmd = [sys.executable, __file__, "--worker", str(walks_path), str(args.nodes), str(workers)]
                cmd += [str(int(order)), str(seed), str(args.train_walks or args.walk_nodes)]
                done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
                if done.returncode != 0:
                    raise RuntimeError(done.stderr[-3000:])
                r = json.loads(done.stdout.strip().splitlines()[-1])
                print(
                    f"{workers:>7} {'frequency' if order else 'ids':>9} {seed:>4} "
                    f"{r['tokens'] / r['train_seconds']:>10,.0f} {100 * r['cpu_seconds'] / r['fit_seconds']:>6.0f} "
                    f"{100 * r['kernel_seconds'] / r['train_seconds']:>9.1f}% "
                    f"{r['fit_seconds'] - r['train_seconds']:>13.2f} {r['peak_rss'] / 2**20:>9.0f} "
                    f"{os.getloadavg()[0]:>12.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        path, n, workers, order, seed, limit = sys.argv[2:8]
        print(json.dumps(worker(path, int(n), int(workers), bool(int(order)), int(seed), int(limit))))
    else:
        main()
