"""Benchmark: graphemb random walks vs PecanPy and fastnode2vec on BlogCatalog.

Each tool runs in its own fresh subprocess wrapped in ``/usr/bin/time -v`` (peak
RSS of that process); graphemb runs in the main venv, the anchors in
``.venv-anchors``.  Walks: 10 per node, 80 nodes each (PecanPy's
``walk_length`` counts steps, so it gets 79), 2 threads, node2vec p=0.25, q=4 and
p = q = 1.  Every tool generates the walks twice in its process: the first call
includes JIT compilation (and, for graphemb, loading its on-disk numba cache),
the second is the steady state.  graphemb additionally times a call on a tiny
graph first, which isolates compile/cache-load time.

Usage::

    .venv/bin/python benchmarks/walks.py [--dataset blogcatalog] [--workers 2] [--skip-fastnode2vec]

The machine may be shared: run anchor and graphemb back to back and read the
ratios rather than the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR_PY = ROOT / ".venv-anchors" / "bin" / "python"
MAIN_PY = ROOT / ".venv" / "bin" / "python"


def data_dir() -> Path:
    return Path(os.environ.get("GRAPHEMB_DATA", ROOT.parent / "shared" / "datasets"))


# --------------------------------------------------------------- workers
GRAPHEMB_WORKER = r"""
import json, sys, time
import numpy as np, pandas as pd, scipy.sparse as sp
path, p, q = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
workers, num_walks, walk_length = (int(x) for x in sys.argv[4:7])
t0 = time.perf_counter()
from graphemb import CSRGraph, random_walks
t_import = time.perf_counter() - t0
# compile / cache-load time, on a tiny graph
tiny = CSRGraph.from_scipy(sp.csr_array(np.ones((4, 4)) - np.eye(4)))
t0 = time.perf_counter()
random_walks(tiny, walk_length=5, num_walks=1, p=p, q=q, seed=0, workers=workers, verbose=False)
t_jit = time.perf_counter() - t0
t0 = time.perf_counter()
e = pd.read_csv(path, sep="\t", header=None, comment="#").to_numpy() - 1
n = int(e.max()) + 1
a = sp.csr_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
a = ((a + a.T) > 0).astype(np.float64)
g = CSRGraph.from_scipy(a, directed=False, weighted=False)
t_load = time.perf_counter() - t0
times = []
for rep in range(2):
    t0 = time.perf_counter()
    c = random_walks(g, walk_length=walk_length, num_walks=num_walks, p=p, q=q, seed=rep, workers=workers,
                     verbose=False)
    times.append(time.perf_counter() - t0)
print(json.dumps({"tool": "graphemb", "first_s": times[0], "steady_s": times[1], "jit_s": t_jit,
                  "load_s": t_load, "import_s": t_import, "steps": int(c.num_tokens - len(c))}))
"""

PECANPY_WORKER = r"""
import json, sys, time
import numpy as np
path, p, q = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
workers, num_walks, walk_length = (int(x) for x in sys.argv[4:7])
mode = sys.argv[7]
import numba
numba.set_num_threads(workers)
from pecanpy import pecanpy
t0 = time.perf_counter()
cls = getattr(pecanpy, mode)
g = cls(p=p, q=q, workers=workers, verbose=False, extend=False, random_state=0)
g.read_edg(path, weighted=False, directed=False)
t_load = time.perf_counter() - t0
# end to end (walks + mapping to lists of str ids), twice: the first includes JIT
e2e = []
for rep in range(2):
    t0 = time.perf_counter()
    walks = g.simulate_walks(num_walks, walk_length - 1)
    e2e.append(time.perf_counter() - t0)
steps = sum(len(w) - 1 for w in walks)
del walks
# kernel only (index matrix, no id mapping), with a fixed compiled move_forward
g._preprocess_transition_probs()
start = np.concatenate([np.arange(g.num_nodes, dtype=np.uint32)] * num_walks)
np.random.seed(0); np.random.shuffle(start)
mf, hn = g.get_move_forward(), g.get_has_nbrs()
from pecanpy.pecanpy import ProgressBar
kern = []
for rep in range(1 if mode == "SparseOTF" else 2):  # SparseOTF: one pass (tens of seconds)
    with ProgressBar(total=start.size, disable=True) as bar:
        t0 = time.perf_counter()
        g._random_walks(start.size, walk_length - 1, 0, start, hn, mf, bar)
        kern.append(time.perf_counter() - t0)
print(json.dumps({"tool": "pecanpy-" + mode, "first_s": e2e[0], "steady_s": e2e[1], "kernel_first_s": kern[0],
                  "kernel_steady_s": kern[-1], "load_s": t_load, "steps": int(steps)}))
"""

FASTN2V_WORKER = r"""
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import numpy as np, pandas as pd
path, p, q = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
workers, num_walks, walk_length = (int(x) for x in sys.argv[4:7])
from fastnode2vec import Graph
t0 = time.perf_counter()
e = pd.read_csv(path, sep="\t", header=None, comment="#").to_numpy()
g = Graph([(int(a), int(b)) for a, b in e], directed=False, weighted=False, verbose=False)
t_load = time.perf_counter() - t0
n = len(g.node_names)
np.random.seed(0)
def run(part):
    steps = 0
    for i in part:
        steps += len(g.generate_random_walk(walk_length, p, q, int(i))) - 1
    return steps
times = []
for rep in range(2):
    starts = np.tile(np.arange(n), num_walks)
    parts = np.array_split(starts, workers)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        steps = sum(ex.map(run, parts))
    times.append(time.perf_counter() - t0)
print(json.dumps({"tool": "fastnode2vec", "first_s": times[0], "steady_s": times[1], "load_s": t_load, "steps": steps}))
"""


def run_worker(python: Path, code: str, args: list[str]) -> dict:
    """Run ``code`` in a fresh ``python`` process under ``/usr/bin/time -v``; add its peak RSS."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
        script = f.name
    try:
        cmd = [str(python), script, *args]
        if Path("/usr/bin/time").exists():
            cmd = ["/usr/bin/time", "-v", *cmd]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    finally:
        os.unlink(script)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-5:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    out["peak_rss_mib"] = int(m.group(1)) / 1024 if m else float("nan")
    return out


def fmt(r: dict) -> str:
    if "error" in r:
        return f"  ERROR {r['error']}"
    rate = r["steps"] / r["steady_s"] / 1e6
    extra = ""
    if "kernel_steady_s" in r:
        extra = f" | kernel only (no id mapping): first {r['kernel_first_s']:.2f} s, last {r['kernel_steady_s']:.2f} s"
    if "jit_s" in r:
        extra = f" | compile/cache-load on tiny graph {r['jit_s']:.2f} s"
    return (
        f"  {r['tool']:<34} first {r['first_s']:7.2f} s  steady {r['steady_s']:7.2f} s  "
        f"{rate:6.2f} Msteps/s  peak RSS {r['peak_rss_mib']:7.1f} MiB{extra}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="blogcatalog")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--skip-fastnode2vec", action="store_true")
    args = ap.parse_args()
    path = data_dir() / args.dataset / "edges.tsv"
    if not path.exists():
        sys.exit(f"{path} not found; set GRAPHEMB_DATA to the folder holding {args.dataset}/edges.tsv")
    print(
        f"# random walks on {args.dataset}: {args.num_walks} walks x {args.walk_length} nodes per node, "
        f"{args.workers} threads; {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    )
    common = [str(path), None, None, str(args.workers), str(args.num_walks), str(args.walk_length)]
    have_anchors = ANCHOR_PY.exists()
    for p, q, modes in [(0.25, 4.0, ["SparseOTF"]), (1.0, 1.0, ["FirstOrderUnweighted"])]:
        print(f"\n## p={p:g}, q={q:g}")
        a = list(common)
        a[1], a[2] = str(p), str(q)
        ours = run_worker(MAIN_PY, GRAPHEMB_WORKER, a)
        print(fmt(ours))
        results = []
        if have_anchors:
            for mode in modes:
                results.append(run_worker(ANCHOR_PY, PECANPY_WORKER, [*a, mode]))
                print(fmt(results[-1]))
            if not args.skip_fastnode2vec:
                results.append(run_worker(ANCHOR_PY, FASTN2V_WORKER, a))
                print(fmt(results[-1]))
        else:
            print("  (anchors venv missing: run benchmarks/setup_anchors.sh)")
        if "error" in ours:
            continue
        for r in results:
            if "error" in r:
                continue
            line = (
                f"  ratio {r['tool']} / graphemb: steady time {r['steady_s'] / ours['steady_s']:.2f}x, "
                f"first call {r['first_s'] / ours['first_s']:.2f}x, "
                f"peak RSS {r['peak_rss_mib'] / ours['peak_rss_mib']:.2f}x"
            )
            if "kernel_steady_s" in r:
                line += f", kernel-only (last) {r['kernel_steady_s'] / ours['steady_s']:.2f}x"
            print(line)


if __name__ == "__main__":
    main()
