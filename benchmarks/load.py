"""Benchmark: edge-list loading on BlogCatalog (graphemb vs networkx, pandas, PecanPy).

Each measurement runs in a fresh subprocess, so peak memory (``ru_maxrss``) is
that loader's alone: we report the peak-RSS increase over the process's state
right after imports. Times are the best of ``--repeat`` loads in that process
(the first load is included, so file-cache effects are the same for everyone).

    .venv/bin/python benchmarks/load.py [--dataset blogcatalog] [--repeat 3]

Loaders:
  graphemb      graphemb.graph.io.read_edgelist -> CSRGraph (ids, dedup, both directions)
  networkx      networkx.read_edgelist(nodetype=int) -> nx.Graph
  pandas        pandas.read_csv only (a parse, no graph: the floor)
  pandas+scipy  read_csv + np.unique ids + symmetric scipy CSR (a hand-rolled graph)
  pecanpy       PecanPy SparseOTF.read_edg (anchors venv, .venv-anchors; skipped if absent)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANCHOR_PY = REPO / ".venv-anchors" / "bin" / "python"


def data_home() -> Path:
    return Path(os.environ.get("GRAPHEMB_DATA", REPO.parent / "shared" / "datasets"))


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def child(method: str, path: str, repeat: int) -> None:
    """Run one loader ``repeat`` times in this process and print a JSON line."""
    if method == "graphemb":
        from graphemb.graph.io import read_edgelist

        def load():
            g = read_edgelist(path)
            return g.num_nodes, g.num_edges

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
    base = _maxrss_bytes()
    times = []
    shape = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        shape = load()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"method": method, "seconds": min(times), "peak_bytes": _maxrss_bytes() - base, "shape": shape}))


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
    ap.add_argument("--methods", default="graphemb,networkx,pandas,pandas+scipy,pecanpy")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path, args.repeat)
        return
    path = data_home() / args.dataset / "edges.tsv"
    if not path.is_file():
        raise SystemExit(f"{path} not found; set GRAPHEMB_DATA to the folder holding {args.dataset}/edges.tsv")
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    host = f"host {os.uname().nodename}, {os.cpu_count()} cpus"
    print(f"# {path} ({lines:,} lines), best of {args.repeat}, {stamp}, {host}")
    results = {}
    for m in args.methods.split(","):
        r = run_one(m, path, args.repeat)
        if r is not None:
            results[m] = r
    ref = results.get("graphemb")
    print(f"{'loader':<14}{'seconds':>9}{'Medges/s':>10}{'peak MiB':>10}{'x graphemb':>12}  result (nodes, edges)")
    for m, r in results.items():
        ratio = r["seconds"] / ref["seconds"] if ref else float("nan")
        print(
            f"{m:<14}{r['seconds']:>9.3f}{lines / r['seconds'] / 1e6:>10.2f}"
            f"{r['peak_bytes'] / 2**20:>10.1f}{ratio:>12.2f}  {tuple(r['shape'])}"
        )


if __name__ == "__main__":
    main()
