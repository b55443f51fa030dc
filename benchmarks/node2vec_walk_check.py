"""Do node2vec walks on a real graph follow the exact p/q move probabilities?

For sampled steps ``prev -> cur -> next`` of a walk corpus, classify the move as a
return to ``prev``, a move to a neighbour of ``prev`` (distance 1) or an outward move
(distance 2), and compare the counts with their expectations under the exact node2vec
rule (unnormalised weights ``1/p``, ``1``, ``1/q``; unweighted, undirected graph).
Prints observed counts, expected counts and z-scores (|z| < 3 is consistent).

The per-state chi-square tests of tests/test_walks.py need many visits per state, which
only small graphs give; this aggregate test works on BlogCatalog-sized graphs.

Walks checked: graphemb's ``random_walks``, and PecanPy's SparseOTF ``simulate_walks``
when the anchors' virtual environment (benchmarks/setup_anchors.sh) exists.

Usage::

    .venv/bin/python benchmarks/node2vec_walk_check.py                     # BlogCatalog, p=0.25, q=4
    .venv/bin/python benchmarks/node2vec_walk_check.py --dataset ppi --p 4 --q 1
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphemb import read_edgelist  # noqa: E402
from graphemb.datasets import get_data_home  # noqa: E402
from graphemb.walks import random_walks  # noqa: E402

ANCHOR_PYTHON = ROOT / ".venv-anchors" / "bin" / "python"
PECANPY = """
import sys, numpy as np
from pecanpy import pecanpy as n2v
edges, out, p, q, num_walks, walk_length = sys.argv[1:7]
g = n2v.SparseOTF(p=float(p), q=float(q), workers=2, verbose=False)
g.read_edg(edges, weighted=False, directed=False)
walks = g.simulate_walks(num_walks=int(num_walks), walk_length=int(walk_length))
np.save(out, np.array([[int(x) for x in w] for w in walks], dtype=np.int64))
"""


def move_categories(walks: np.ndarray, indptr: np.ndarray, indices: np.ndarray, p: float, q: float,
                    samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Observed and expected counts of (return, common neighbour, outward) moves, and their variance.

    ``walks`` holds node indices (rows of the CSR arrays), one walk per row, -1 padded.
    O(samples * max degree) time.
    """
    rng = np.random.default_rng(seed)
    obs, exp, var = np.zeros(3), np.zeros(3), np.zeros(3)
    taken = 0
    while taken < samples:
        r = int(rng.integers(walks.shape[0]))
        c = int(rng.integers(1, walks.shape[1] - 1))
        prev, cur, nxt = (int(x) for x in walks[r, c - 1 : c + 2])
        if nxt < 0:
            continue
        nb_cur = indices[indptr[cur] : indptr[cur + 1]]
        nb_prev = indices[indptr[prev] : indptr[prev + 1]]
        common = int(np.isin(nb_cur, nb_prev).sum())
        w = np.array([1.0 / p, float(common), (len(nb_cur) - 1 - common) / q])
        pr = w / w.sum()
        cat = 0 if nxt == prev else (1 if np.isin(nxt, nb_prev) else 2)
        obs[cat] += 1
        exp += pr
        var += pr * (1.0 - pr)
        taken += 1
    return obs, exp, var


def report(name: str, obs: np.ndarray, exp: np.ndarray, var: np.ndarray) -> None:
    z = (obs - exp) / np.sqrt(var)
    print(
        f"{name:>9}: observed {obs.astype(int).tolist()}  expected {np.round(exp, 1).tolist()}  "
        f"z {np.round(z, 2).tolist()}  (return / common neighbour / outward)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="blogcatalog")
    ap.add_argument("--p", type=float, default=0.25)
    ap.add_argument("--q", type=float, default=4.0)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--samples", type=int, default=30_000, help="sampled steps per walk set")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    edges = get_data_home() / args.dataset / "edges.tsv"
    graph = read_edgelist(edges, sep="\t", directed=False)
    # the three categories assume a simple graph; with self-loops (PPI's copy has 864) they are approximate
    indptr, indices = graph.indptr, graph.indices
    print(f"# {args.dataset}: {graph!r}; p={args.p}, q={args.q}; {args.samples} sampled steps per walk set")

    corpus = random_walks(graph, args.walk_length, args.num_walks, p=args.p, q=args.q, seed=args.seed, verbose=False)
    report("graphemb", *move_categories(corpus.walks, indptr, indices, args.p, args.q, args.samples, 0))

    if not ANCHOR_PYTHON.exists():
        print(f"# PecanPy skipped: {ANCHOR_PYTHON} missing (benchmarks/setup_anchors.sh)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "walks.npy"
        cmd = [str(ANCHOR_PYTHON), "-c", PECANPY, str(edges), str(out), str(args.p), str(args.q),
               str(args.num_walks), str(args.walk_length)]  # fmt: skip
        subprocess.run(cmd, check=True)
        ids = np.load(out)  # original ids
    position = {v: i for i, v in enumerate(graph.nodes)}
    lut = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    for v, i in position.items():
        if isinstance(v, int) and v <= ids.max():
            lut[v] = i
    report("PecanPy", *move_categories(lut[ids], indptr, indices, args.p, args.q, args.samples, 0))


if __name__ == "__main__":
    main()
