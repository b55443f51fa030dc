"""How the update's walks trade quality for time (docs/incremental.md, "Choosing the walks").

Fits (or reloads from /tmp) the old model of benchmarks/incremental.py's split, then runs
``model.update`` with several ``walk_length`` / ``num_walks`` / ``epochs`` settings and prints the
new nodes' Macro-F1 with the old classifier, link AUC, CPU seconds and tokens.

Usage::

    python benchmarks/incremental_walks.py blogcatalog 0.1
"""

import copy
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import incremental as B  # noqa: E402

from graphemb.models import DeepWalk, load_model  # noqa: E402

ds, frac = sys.argv[1], float(sys.argv[2])
g, labels = B.load(ds)
s = B.split(g, frac, 0)
B.warm_up(1)
os.makedirs("/tmp/incr_bench", exist_ok=True)
path = f"/tmp/incr_bench/{ds}_{frac}_old.npz"  # the old model, kept between runs
if os.path.exists(path):
    model = load_model(path)
else:
    model = DeepWalk(seed=0, **B.PAPER, workers=1, verbose=False).fit(s["old"])
    model.save(path)
nodes = g.nodes
classes = sorted({l for ls in labels.values() for l in ls})
col = {l: j for j, l in enumerate(classes)}
Y = np.zeros((g.num_nodes, len(classes)), np.int8)
for i, v in enumerate(nodes):
    for l in labels.get(v, []):
        Y[i, col[l]] = 1
lab = Y.sum(1) > 0
old_l = s["old_idx"][lab[s["old_idx"]]]
new_l = s["new"][lab[s["new"]]]
clf = B.classifier(model.embedding_.get_vectors([nodes[i] for i in old_l]), Y[old_l])
VARIANTS = [
    dict(walk_length=80, num_walks=10),
    dict(walk_length=20, num_walks=40),
    dict(walk_length=20, num_walks=80),
    dict(walk_length=40, num_walks=40),
    dict(walk_length=80, num_walks=10, epochs=3),
    dict(),  # the default: 16 x num_walks walks of min(walk_length, window) nodes
    dict(walk_length=20, num_walks=160),
    dict(walk_length=10, num_walks=320),
]
for kw in VARIANTS:
    m = copy.deepcopy(model)
    t = time.process_time()
    rep = m.update(s["grown"], **kw)
    c = time.process_time() - t
    allv = m.embedding_.get_vectors(nodes)
    f = B.f1(clf, allv[new_l], Y[new_l])
    print(
        ds,
        frac,
        kw,
        f"F1old {f[0]:.4f} AUC {B.auc(allv, s['pos'], s['neg']):.4f} cpu {c:.2f} tokens {rep.tokens}",
        flush=True,
    )
