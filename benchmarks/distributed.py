"""Walks on a Dask cluster against walks in one process (issue 13).

Graph: the seeded Chung-Lu power-law graph of the scale benchmark
(``graphemb.datasets.make_powerlaw_graph``, exponent 2.5).  Three ways to make
the same walk directory (shards + manifest), each run ``--rounds`` times (default 3) in
alternating order, after one reference run that every directory is compared with:

* ``in-process``: one process, numba's parallel kernel with 2 threads, each
  chunk counted (the tasks' kernel) and written as a shard (what
  ``graphemb.write_walks(WalkStream(...))`` does);
* ``cluster 2x1``: ``LocalCluster(n_workers=2, threads_per_worker=1)``, one task per shard;
* ``cluster 1x2``: ``LocalCluster(n_workers=1, threads_per_worker=2)``.

Printed per row: wall time of the call (cluster start-up excluded: a cluster
normally exists already; it is printed apart), phases (scatter; walks and
writing summed over tasks, in CPU-seconds; node counting; the final manifest
task), ratio to in-process, peak RSS of the client and of every worker process.
Every directory is checked byte for byte against the reference one.  Rows are
the median run of each set-up (every wall printed too); ratios are of medians,
since one run of a 10-30 s job varies by 10-25 % even on a quiet machine.  Target: ``cluster 2x1`` within 15 % of
``in-process`` (ratio <= 1.15).

Run (note the load: ``uptime``)::

    timeout 3000 python benchmarks/distributed.py                    # 1M nodes, 10M edges (the scale graph)
    timeout 600 python benchmarks/distributed.py --nodes 100000 --edges 500000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# this file is named like the Dask package: take its folder off the path so 'distributed' is Dask's
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import graphemb  # noqa: E402
from graphemb.datasets import make_powerlaw_graph  # noqa: E402
from graphemb.shards import shard_name, walk_params, write_manifest, write_shard  # noqa: E402
from graphemb.walks import WalkStream  # noqa: E402


def _peak_rss_mib() -> float:
    """Peak RSS of this process (VmHWM: per address space; ru_maxrss would carry the parent's over fork + exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _warm_up() -> None:
    """Import graphemb and load the serial walk kernel (numba cache) in a worker."""
    g = graphemb.CSRGraph(np.array([0, 1, 2]), np.array([1, 0]))
    WalkStream(g, 3, 1, seed=0, verbose=False).plan().generate(0, 2)


def in_process(graph, out: Path, args) -> dict:
    """Walk with 2 threads and write each chunk as a shard; timings per phase."""
    t_start = time.perf_counter()
    stream = WalkStream(graph, args.walk_length, args.num_walks, p=args.p, q=args.q, seed=args.seed,
                        workers=2, chunk_size=args.chunk_size, verbose=False)  # fmt: skip
    plan = stream.plan()
    counts = np.zeros(graph.num_nodes, dtype=np.int64)
    walk_s = write_s = count_s = 0.0
    entries = []
    it = iter(stream)
    while True:
        t0 = time.perf_counter()
        chunk = next(it, None)
        t1 = time.perf_counter()
        if chunk is None:
            break
        walk_s += t1 - t0
        plan.count_nodes(chunk.walks, chunk.lengths, counts)  # the cluster tasks' counting kernel
        t2 = time.perf_counter()
        count_s += t2 - t1
        entries.append(write_shard(out, chunk.start, chunk.walks, chunk.lengths))
        write_s += time.perf_counter() - t2
    manifest = {"format": "graphemb-walks", "format_version": 1, "walks": walk_params(stream), "shards": entries}
    write_manifest(out, manifest)
    return {"wall_s": time.perf_counter() - t_start, "walk_s": walk_s, "write_s": write_s, "count_s": count_s,
            "scatter_s": 0.0, "finish_s": 0.0, "workers_rss_mib": {}}  # fmt: skip


def on_cluster(graph, out: Path, args, n_workers: int, threads: int) -> dict:
    from distributed import Client, LocalCluster

    import graphemb.distributed as gd

    t0 = time.perf_counter()
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with LocalCluster(n_workers=n_workers, threads_per_worker=threads, processes=True, dashboard_address=None,
                      env=env, silence_logs=40, memory_limit=0) as cluster, Client(cluster) as client:  # fmt: skip
        client.wait_for_workers(n_workers)
        startup = time.perf_counter() - t0
        client.run(_warm_up)  # workers load the kernels before the clock starts
        stats: dict = {}
        gd.random_walks(graph, client, out, walk_length=args.walk_length, num_walks=args.num_walks, p=args.p,
                        q=args.q, seed=args.seed, chunk_size=args.chunk_size, verbose=False, stats=stats)  # fmt: skip
        stats["startup_s"] = startup
        stats["workers_rss_mib"] = client.run(_peak_rss_mib)
    return stats


def same_walks(a: Path, b: Path, entries: list[dict]) -> bool:
    for e in entries:
        for part in ("walks", "lengths"):
            name = f"{shard_name(e['first_walk'])}.{part}.npy"
            x = np.load(a / "shards" / name, mmap_mode="r")
            y = np.load(b / "shards" / name, mmap_mode="r")
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--edges", type=int, default=10_000_000)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--p", type=float, default=1.0)
    ap.add_argument("--q", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=None, help="walks per shard (default about 64 MiB)")
    ap.add_argument("--workdir", default=None, help="where the walk directories go (default: a temporary folder)")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    ap.add_argument("--rounds", type=int, default=3, help="runs of each set-up, alternating order; medians reported")
    args = ap.parse_args()

    print(f"load average at start: {_load()} ({os.cpu_count()} cores)")
    t0 = time.perf_counter()
    graph = make_powerlaw_graph(args.nodes, args.edges, seed=0)
    print(f"graph: {graph!r} built in {time.perf_counter() - t0:.1f} s")
    total = args.num_walks * graph.num_nodes
    print(f"walks: {total:,} x {args.walk_length} (p={args.p:g}, q={args.q:g}), "
          f"{4 * total * (args.walk_length + 1) / 2**30:.2f} GiB of shards per run")  # fmt: skip
    # compile / load the kernels once outside the clocks
    graphemb.random_walks(graph, walk_length=3, num_walks=1, p=args.p, q=args.q, seed=0, workers=2, verbose=False)
    WalkStream(graph, 3, 1, p=args.p, q=args.q, seed=0, verbose=False).plan().generate(0, 16)

    root = Path(args.workdir or tempfile.mkdtemp(prefix="graphemb-dist-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    ref_dir = root / "reference"
    shutil.rmtree(ref_dir, ignore_errors=True)
    ref = in_process(graph, ref_dir, args)  # the reference directory (also a warm-up of the page cache)
    print(f"reference in-process run: {ref['wall_s']:.2f} s (not counted)", flush=True)
    entries = json.loads((ref_dir / "manifest.json").read_text())["shards"]
    configs = {"in-process (2 threads)": None, "cluster 2 workers x 1 thread": (2, 1),
               "cluster 1 worker x 2 threads": (1, 2)}  # fmt: skip
    runs: dict[str, list[dict]] = {label: [] for label in configs}
    for rnd in range(args.rounds):
        order = list(configs) if rnd % 2 == 0 else list(configs)[::-1]  # alternate: drift of the load cancels
        for label in order:
            out = root / label.replace(" ", "_")
            shutil.rmtree(out, ignore_errors=True)
            cfg = configs[label]
            r = in_process(graph, out, args) if cfg is None else on_cluster(graph, out, args, *cfg)
            r["load"] = _load()
            r["identical"] = same_walks(ref_dir, out, entries)
            shutil.rmtree(out, ignore_errors=True)
            runs[label].append(r)
            print(f"  round {rnd + 1}: {label}: {r['wall_s']:.2f} s, identical {r['identical']}, load {r['load']}",
                  flush=True)  # fmt: skip
    shutil.rmtree(ref_dir, ignore_errors=True)
    rows = {}
    for label, rs in runs.items():
        walls = [r["wall_s"] for r in rs]
        mid = rs[int(np.argsort(walls)[len(walls) // 2])]  # the median run (upper median for an even count)
        rows[label] = {**mid, "walls_s": walls, "identical": all(r["identical"] for r in rs)}
    base = rows["in-process (2 threads)"]["wall_s"]
    print(f"\n{'run (median of ' + str(args.rounds) + ')':32s} {'wall s':>7s} {'ratio':>6s} {'scatter':>7s} "
          f"{'walk*':>7s} {'write*':>7s} {'count*':>7s} {'finish':>6s} {'start':>6s}  peak RSS MiB per worker; "
          "identical; load; every wall")  # fmt: skip
    for label, r in rows.items():
        rss = ", ".join(f"{v:.0f}" for v in r["workers_rss_mib"].values()) or "-"
        walls = ", ".join(f"{w:.2f}" for w in r["walls_s"])
        print(f"{label:32s} {r['wall_s']:7.2f} {r['wall_s'] / base:6.2f} {r['scatter_s']:7.2f} {r['walk_s']:7.2f} "
              f"{r['write_s']:7.2f} {r['count_s']:7.2f} {r['finish_s']:6.2f} {r.get('startup_s', 0.0):6.1f}  "
              f"{rss}; {r['identical']}; {r['load']}; {walls}")  # fmt: skip
    print(f"ratio: median wall / median in-process wall ({base:.2f} s)")
    print(f"client (this process) peak RSS: {_peak_rss_mib():.0f} MiB")
    print("* summed over tasks (CPU-seconds, several at once on a cluster); wall excludes cluster start-up")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1, default=str))
    if args.workdir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
