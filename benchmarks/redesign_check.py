"""Before/after check for refactors: graphemb's own walks and SGNS on BlogCatalog, in one process.

Prints JSON with the steady-state seconds (best of the calls after the first, so
numba compilation and cache loading are excluded for the walks) of:
``random_walks`` (10 walks x 80 nodes per node, 2 threads) at p=0.25, q=4 and
at p=q=1, and one 1-epoch ``SGNS.fit`` (d=128, window 10, 5 negatives, 2 threads).
Run it in two checkouts back to back, twice, and compare (docs/performance.md,
"Redesign check")::

    for d in OLD NEW OLD NEW; do (cd $d && PYTHONPATH=$d python benchmarks/redesign_check.py); done
"""

import json
import os
import time
from pathlib import Path

import graphemb
from graphemb.graph.io import read_edgelist

g = read_edgelist(
    os.path.join(
        os.environ.get("GRAPHEMB_DATA", Path(__file__).resolve().parents[2] / "shared" / "datasets"),
        "blogcatalog",
        "edges.tsv",
    )
)
out = {}
for p, q in [(0.25, 4.0), (1.0, 1.0)]:
    ts = []
    for _rep in range(3):
        t = time.perf_counter()
        c = graphemb.random_walks(g, walk_length=80, num_walks=10, p=p, q=q, seed=1, workers=2, verbose=False)
        ts.append(time.perf_counter() - t)
    out[f"walks p={p} q={q}"] = min(ts[1:])
c = graphemb.random_walks(g, walk_length=80, num_walks=10, seed=1, workers=2, verbose=False)
ts = []
for _rep in range(2):
    t = time.perf_counter()
    graphemb.SGNS(dimensions=128, window=10, negative=5, workers=2, seed=0, verbose=False).fit(c, num_nodes=g.num_nodes)
    ts.append(time.perf_counter() - t)
out["sgns fit (1 epoch, 2 threads)"] = min(ts)
print(json.dumps(out))
