"""Benchmark: edge-list loading (graphemb vs networkx, pandas, pyarrow, PecanPy).

Each measurement runs in a fresh subprocess, so peak memory (``VmHWM``; ``ru_maxrss``
would start from this process's peak) is that loader's alone: we report the peak-RSS
increase over the process's state right after imports. Times are the best of ``--repeat``
loads in that process (the first load is included, so file-cache effects are the same for
everyone).

    .venv/bin/python benchmarks/load.py [--dataset blogcatalog] [--repeat 3]
    .venv/bin/python benchmarks/load.py --path EDGES.tsv --methods graphemb,graphemb-pandas,pandas,pyarrow

(``benchmarks/trainer_scale.py`` writes a 10M-edge power-law edge list to use as ``--path``.)

Loaders:
  graphemb      graphemb.graph.io.read_edgelist -> CSRGraph (ids, dedup, both directions)
  graphemb-pandas  the same with the numba parser disabled (its pandas path, the one before)
  graphemb-parse   the numba parser alone (bytes -> id arrays, no graph)
  networkx      networkx.read_edgelist(nodetype=int) -> nx.Graph
  pandas        pandas.read_csv(sep="\t") only (a parse, no graph: the floor the issue sets)
  pandas-ws     pandas.read_csv with read_edgelist's former options (any whitespace, comments)
  pyarrow       pyarrow.csv.read_csv only (multi-threaded parse, no graph)
  pandas+scipy  read_csv + np.unique ids + symmetric scipy CSR (a hand-rolled graph)
  pecanpy       PecanPy SparseOTF.read_edg (anchors venv, .venv-anchors; skipped if absent)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _rss import peak_rss_bytes  # benchmarks/_rss.py (this folder is sys.path[0])

REPO = Path(__file__).resolve().parents[1]
ANCHOR_PY = REPO / ".venv-anchors" / "bin" / "python"


def data_home() -> Path:
    return Path(os.environ.get("GRAPHEMB_DATA", REPO.parent / "shared" / "datasets"))


def child(method: str, path: str, repeat: int) -> None:
    """Run one loader ``repeat`` times in this process and print a JSON line."""
    if method == "graphemb":
        from graphemb.graph.io import read_edgelist

        def load():
            g = read_edgelist(path)
            return g.num_nodes, g.num_edges

    elif method == "graphemb-pandas":
        from graphemb.graph import io

        io._parse_int_edges = lambda *a, **k: None

        def load():
            g = io.read_edgelist(path)
            return g.num_nodes, g.num_edges

    elif method == "graphemb-parse":
        from graphemb.graph import io

        def load():
            src, _, _ = io._parse_int_edges(path, None, "#", 0, 2)
            return None, len(src)

    elif method == "pandas-ws":
        import csv

        import pandas as pd

        def load():  # the parse read_edgelist made before 2026-12-02 (any whitespace, '#' comments)
            df = pd.read_csv(path, sep=r"\s+", header=None, comment="#", na_filter=False, engine="c",
                             quoting=csv.QUOTE_NONE)  # fmt: skip
            return None, len(df)

    elif method == "pyarrow":
        import pyarrow.csv as pacsv

        def load():
            t = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(autogenerate_column_names=True),
                parse_options=pacsv.ParseOptions(delimiter="\t"),
            )
            return None, t.num_rows

    elif method == "networkx":
        import networkx as nx

        def load():
            g = nx.read_edgelist(path, nodetype=int)
            return g.number_of_nodes(), g.number_of_edges()

    elif method == "pandas":
        import pandas as pd

        def load():
            df = pd.read_csv(path, sep="\t", header=None)
            return None, len(df)

    elif method == "pandas+scipy":
        import numpy as np
        import pandas as pd
        import scipy.sparse as sp

        def load():
            e = pd.read_csv(path, sep="\t", header=None).to_numpy()
            ids, inv = np.unique(e, return_inverse=True)
            inv = inv.reshape(e.shape)
            n = ids.size
            a = sp.coo_array((np.ones(len(e)), (inv[:, 0], inv[:, 1])), shape=(n, n)).tocsr()
            a = ((a + a.T) > 0).astype(np.float32)
            return n, a.nnz

    elif method == "pecanpy":
        from pecanpy import pecanpy

        def load():
            g = pecanpy.SparseOTF(p=1, q=1, workers=1, verbose=False)
            g.read_edg(path, weighted=False, directed=False)
            return len(g.nodes), None

    else:
        raise SystemExit(f"unknown method {method!r}")
    base = peak_rss_bytes()
    times, cpus = [], []
    shape = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        shape = load()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    peak = peak_rss_bytes() - base
    print(json.dumps({"method": method, "seconds": min(times), "cpu": min(cpus), "peak_bytes": peak, "shape": shape}))


def run_one(method: str, path: Path, repeat: int) -> dict | None:
    py = str(ANCHOR_PY) if method == "pecanpy" else sys.executable
    if method == "pecanpy" and not ANCHOR_PY.exists():
        return None
    cmd = [py, str(Path(__file__).resolve()), "--child", method, "--path", str(path), "--repeat", str(repeat)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write(f"[{method}] failed:\n{proc.stderr[-2000:]}\n")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="blogcatalog")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--methods", default="graphemb,networkx,pandas,pandas-ws,pyarrow,pandas+scipy,pecanpy")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help="an edge-list file (tab-separated ints) instead of --dataset")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path, args.repeat)
        return
    path = Path(args.path) if args.path else data_home() / args.dataset / "edges.tsv"
    if not path.is_file():
        raise SystemExit(f"{path} not found; set GRAPHEMB_DATA to the folder holding {args.dataset}/edges.tsv")
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    host = f"host {os.uname().nodename}, {os.cpu_count()} cpus"
    print(f"# {path} ({lines:,} lines), best of {args.repeat}, {stamp}, {host}, load {os.getloadavg()[0]:.2f}")
    results = {}
    for m in args.methods.split(","):
        r = run_one(m, path, args.repeat)
        if r is not None:
            results[m] = r
    ref = results.get("graphemb")
    head = f"{'loader':<16}{'seconds':>9}{'CPU s':>8}{'Medges/s':>10}{'peak MiB':>10}{'x graphemb':>12}"
    print(head + "  result (nodes, edges)")
    for m, r in results.items():
        ratio = r["seconds"] / ref["seconds"] if ref else float("nan")
        print(
            f"{m:<16}{r['seconds']:>9.3f}{r['cpu']:>8.2f}{lines / r['seconds'] / 1e6:>10.2f}"
            f"{r['peak_bytes'] / 2**20:>10.1f}{ratio:>12.2f}  {tuple(r['shape'])}"
        )
    for floor in ("pandas", "pandas-ws"):
        if ref and floor in results:
            print(
                f"graphemb read_edgelist (parse + ids + CSR graph) / {floor} read_csv (parse only): "
                f"{ref['seconds'] / results[floor]['seconds']:.2f}x the time (target <= 1), "
                f"{ref['cpu'] / results[floor]['cpu']:.2f}x the CPU time; load {os.getloadavg()[0]:.2f} at the end"
            )


if __name__ == "__main__":
    main()
