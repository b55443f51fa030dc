"""Benchmark: the SGNS trainer of this checkout against the one of an earlier revision (A/B).

The anchor of a kernel change is the kernel before it: ``--base REV`` is extracted with
``git archive`` into a temporary folder, and the two trainers alternate, each fit in a fresh
subprocess (``PYTHONPATH`` set to one tree or the other; numba caches kept apart), on the same
walk corpus, ``SGNS(dimensions=128, window=10, negative=5, sample=1e-3, epochs=1)``.  Printed
per fit: tokens/s; then the median of each side and their ratio, and whether one-thread fits
gave the same vectors (a sum of absolute values, to the bit).

Corpora (built once, in a child process, saved as .npy under ``--tmp``):

* ``--edges FILE``: a graph's edge list (e.g. the power-law graph ``benchmarks/scale.py``
  caches in ``/tmp/graphemb-scale``); one 80-step DeepWalk walk per node (seed 0), of which a
  random ``--fraction`` is kept (seed 0);
* otherwise BlogCatalog (``$GRAPHEMB_DATA``), ``--num-walks`` walks of 80 per node.

    python benchmarks/trainer_ab.py --base 0754227 --edges /tmp/graphemb-scale/powerlaw-n1000000-m10000000-s0.tsv
    python benchmarks/trainer_ab.py --base 0754227 --num-walks 4 --threads 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CORPUS = """
import sys, numpy as np
sys.path.insert(0, {repo!r})
from graphemb.walks import random_walks
edges, fraction, num_walks, out = {edges!r}, {fraction!r}, {num_walks!r}, {out!r}
if edges:
    from graphemb.graph.io import read_edgelist
    graph = read_edgelist(edges, sep="\\t")
    walks = np.asarray(random_walks(graph, walk_length=80, num_walks=1, seed=0, workers=2, verbose=False).walks)
    keep = np.sort(np.random.default_rng(0).permutation(len(walks))[: int(len(walks) * fraction)])
    walks = walks[keep]
else:
    from graphemb.datasets import load_blogcatalog
    graph, _ = load_blogcatalog(download=False)
    walks = np.asarray(random_walks(graph, walk_length=80, num_walks=num_walks, seed=0, workers=2, verbose=False).walks)
if (walks < 0).any():
    raise SystemExit("walks shorter than 80 steps (isolated nodes?): this benchmark needs full-length walks")
np.save(out, walks.astype(np.int32))
"""

_FIT = """
import json, sys, numpy as np
sys.path.insert(0, {tree!r})
from graphemb.corpus import WalkCorpus
from graphemb.sgns import SGNS
walks = np.load({walks!r})
n = int(walks.max()) + 1
corpus = WalkCorpus(walks)
counts = corpus.node_counts(n)
kw = dict(dimensions=128, window=10, negative=5, sample=1e-3, epochs=1, workers={threads}, seed=0, verbose=False)
SGNS(**kw).fit(WalkCorpus(walks[:2000]), num_nodes=n, node_counts=counts)  # compile / load the kernels
m = SGNS(**kw).fit(corpus, num_nodes=n, node_counts=counts)
print(json.dumps({{"tokens_per_s": m.trained_tokens_ / m.train_seconds_,
                  "abs_sum": float(np.abs(m.input_vectors_).sum(dtype=np.float64))}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="git revision of the anchor trainer")
    ap.add_argument("--edges", default=None, help="edge list (tab-separated) to walk; default BlogCatalog")
    ap.add_argument("--fraction", type=float, default=0.25, help="share of the walks kept (--edges)")
    ap.add_argument("--num-walks", type=int, default=4, help="walks per node (BlogCatalog)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=2, help="fits per side and thread count, alternated")
    ap.add_argument("--tmp", default=None)
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}  (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.base, "graphemb"], check=True,
                                 capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        walks = f"{tmp}/walks.npy"
        code = _CORPUS.format(repo=str(REPO), edges=args.edges, fraction=args.fraction, num_walks=args.num_walks,
                              out=walks)  # fmt: skip
        subprocess.run([sys.executable, "-c", code], check=True)
        trees = {"base": str(base), "head": str(REPO)}
        for threads in args.threads:
            speeds: dict[str, list[float]] = {"base": [], "head": []}
            sums: dict[str, set] = {"base": set(), "head": set()}
            for r in range(args.rounds):
                for side, tree in trees.items():
                    env = {**os.environ, "NUMBA_CACHE_DIR": f"{tmp}/numba-{side}"}
                    code = _FIT.format(tree=tree, walks=walks, threads=threads)
                    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
                    if done.returncode != 0:
                        raise SystemExit(done.stderr[-3000:])
                    res = json.loads(done.stdout.strip().splitlines()[-1])
                    speeds[side].append(res["tokens_per_s"])
                    sums[side].add(res["abs_sum"])
                    print(json.dumps({"threads": threads, "round": r, "side": side, **res,
                                      "load1": round(os.getloadavg()[0], 2)}), flush=True)  # fmt: skip
            med = {side: statistics.median(v) for side, v in speeds.items()}
            same = threads == 1 and sums["base"] == sums["head"] and len(sums["head"]) == 1
            print(f"threads={threads}: base {med['base']:,.0f} tokens/s, head {med['head']:,.0f} tokens/s, "
                  f"head/base {med['head'] / med['base']:.2f}x"
                  + (f"; one-thread vectors identical: {same}" if threads == 1 else ""), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
