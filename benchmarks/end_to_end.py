"""End to end: edge-list file -> embedding file, graphemb vs PecanPy, fastnode2vec and GRAPE.

Every tool runs as a whole separate process (import, read the edge list, walk,
train, write the embedding) under ``/usr/bin/time -v``: wall seconds and peak
resident memory are those of the whole process.  Each embedding is then scored
in this process with the same scorer, ``graphemb.evaluation.node_classification``
(one-vs-rest logistic regression, 50 % of the labelled nodes for training,
``--repeats`` random splits).  Tools run back to back in one script, so ratios
are comparable even on a noisy shared machine.

Settings are the node2vec paper's: d=128, walk length 80, 10 walks per node,
window 10, 5 negatives, 1 epoch; ``--workers`` threads for every tool.

    Tool           Command
    graphemb       python -m graphemb embed ... (this repository's .venv)
    pecanpy        pecanpy --mode SparseOTF ... (its numba walks + gensim Word2Vec)
    fastnode2vec   fastnode2vec.Node2Vec (numba walks + gensim), epochs=num_walks
                   (it draws fresh walks from every node in each epoch), unseeded (see FASTNODE2VEC)
    grape          grape Node2VecSkipGramEnsmallen (Rust), exact walks
                   (max_neighbours above every degree), epochs=1, 5 negatives

The anchors live in ``.venv-anchors`` (benchmarks/setup_anchors.sh).

Usage::

    .venv/bin/python benchmarks/end_to_end.py                         # both datasets, both settings, all tools
    .venv/bin/python benchmarks/end_to_end.py --datasets ppi --tools graphemb pecanpy --settings 1,1
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphemb import Embedding  # noqa: E402
from graphemb.datasets import get_data_home, read_labels  # noqa: E402
from graphemb.evaluation import node_classification  # noqa: E402

MAIN_PYTHON = ROOT / ".venv" / "bin" / "python"
ANCHOR_BIN = ROOT / ".venv-anchors" / "bin"
D, WALK_LENGTH, NUM_WALKS, WINDOW, NEGATIVE = 128, 80, 10, 10, 5

FASTNODE2VEC = """
import sys
from fastnode2vec import Graph, Node2Vec
edges, out = sys.argv[1:3]
p, q = float(sys.argv[3]), float(sys.argv[4])
workers, seed, d, walk_length, num_walks, window, negative = (int(x) for x in sys.argv[5:12])
def rows():
    with open(edges) as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                yield line.split()[:2]
graph = Graph(rows(), directed=False, weighted=False)
# seed=None: with a seed, fastnode2vec 0.0.7 re-seeds numpy with the same value before every
# training batch (Node2Vec._do_train_job), so every batch repeats the same walks.
model = Node2Vec(graph, dim=d, walk_length=walk_length, window=window, p=p, q=q, workers=workers,
                 negative=negative, seed=None)
model.train(epochs=num_walks)
model.wv.save_word2vec_format(out)
"""

GRAPE = """
import sys
from grape import Graph
from grape.embedders import Node2VecSkipGramEnsmallen
edges, out = sys.argv[1:3]
p, q = float(sys.argv[3]), float(sys.argv[4])
workers, seed, d, walk_length, num_walks, window, negative = (int(x) for x in sys.argv[5:12])
graph = Graph.from_csv(edge_path=edges, edge_list_separator="\\t", edge_list_header=False, directed=False,
                       sources_column_number=0, destinations_column_number=1, name="g", verbose=False)
model = Node2VecSkipGramEnsmallen(embedding_size=d, epochs=1, number_of_negative_samples=negative,
                                  walk_length=walk_length, iterations=num_walks, window_size=window,
                                  return_weight=1.0 / p, explore_weight=1.0 / q, max_neighbours=1_000_000,
                                  random_state=seed, verbose=False)
emb = model.fit_transform(graph).get_node_embedding_from_index(0)
with open(out, "w") as fh:
    fh.write(f"{emb.shape[0]} {emb.shape[1]}\\n")
    for name, row in zip(emb.index, emb.to_numpy()):
        fh.write(str(name) + " " + " ".join(f"{v:.9g}" for v in row) + "\\n")
"""


def command(tool: str, edges: Path, out: Path, p: float, q: float, workers: int, seed: int) -> list[str]:
    """The command line that embeds ``edges`` into ``out`` with ``tool``."""
    common = ["--dimensions", str(D), "--walk-length", str(WALK_LENGTH), "--num-walks", str(NUM_WALKS),
              "--window-size", str(WINDOW), "--workers", str(workers), "--p", str(p), "--q", str(q)]  # fmt: skip
    if tool == "graphemb":
        return [str(MAIN_PYTHON), "-m", "graphemb", "embed", "--input", str(edges), "--output", str(out), *common,
                "--negative", str(NEGATIVE), "--iter", "1", "--seed", str(seed), "--quiet"]  # fmt: skip
    if tool == "pecanpy":
        return [str(ANCHOR_BIN / "pecanpy"), "--input", str(edges), "--output", str(out), "--mode", "SparseOTF",
                *common, "--epochs", "1", "--random_state", str(seed)]  # fmt: skip
    args = [str(x) for x in (edges, out, p, q, workers, seed, D, WALK_LENGTH, NUM_WALKS, WINDOW, NEGATIVE)]
    if tool == "fastnode2vec":
        return [str(ANCHOR_BIN / "python"), "-c", FASTNODE2VEC, *args]
    if tool == "grape":
        return [str(ANCHOR_BIN / "python"), "-c", GRAPE, *args]
    raise ValueError(f"unknown tool {tool!r}")


def run_group(full: list[str], env: dict, timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``subprocess.run(full, capture_output=True, text=True)`` in its own session; on timeout the whole
    process group is killed (``/usr/bin/time`` and the tool under it: killing only the direct child left
    a timed-out anchor running beside the next measurement) and ``TimeoutExpired`` is raised."""
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
                            start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(full, timeout, output=out, stderr=err) from None
    return subprocess.CompletedProcess(full, proc.returncode, out, err)


def run_measured(cmd: list[str], workers: int, timeout: float) -> dict:
    """Run ``cmd`` under /usr/bin/time -v; return wall seconds, peak RSS (MiB), exit code, stderr tail."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(NUMBA_NUM_THREADS=str(workers), RAYON_NUM_THREADS=str(workers), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONWARNINGS="ignore")  # fmt: skip
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    full = ["/usr/bin/time", "-v", *cmd] if timer else cmd
    t0 = time.perf_counter()
    try:
        done = run_group(full, env, timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "rc": "timeout", "log": ""}
    seconds = time.perf_counter() - t0
    peak = float("nan")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if match:
        peak = int(match.group(1)) / 1024
    return {"seconds": seconds, "peak_mib": peak, "rc": done.returncode, "log": done.stderr[-2000:]}


def score(path: Path, labels: dict, repeats: int) -> dict:
    """Micro/Macro-F1 at 50 % training with graphemb's scorer; nodes missing from the file get zero vectors."""
    emb = Embedding.load_word2vec_format(path, node_type="auto")
    missing = [v for v in labels if v not in emb]
    if missing:
        emb = Embedding(emb.nodes + missing, np.vstack([emb.vectors, np.zeros((len(missing), emb.dimensions))]))
    df = node_classification(emb, labels, train_ratios=(0.5,), repeats=repeats, seed=0, verbose=False)
    means = dict(zip(df["metric"], df["mean"], strict=True))
    return {"micro_f1": means["micro_f1"], "macro_f1": means["macro_f1"], "missing_nodes": len(missing)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["blogcatalog", "ppi"])
    parser.add_argument("--settings", nargs="+", default=["1,1", "0.25,4"], help="p,q pairs")
    parser.add_argument("--tools", nargs="+", default=["graphemb", "pecanpy", "fastnode2vec", "grape"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=10, help="classification splits per embedding")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per tool run")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run of each tool")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "end_to_end.json"))
    args = parser.parse_args(argv)

    data_home = get_data_home()
    machine = f"{platform.node()} ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    print(f"# end to end, {datetime.date.today()}, {machine}, workers={args.workers}, seed={args.seed}")
    print(f"# d={D} walk_length={WALK_LENGTH} num_walks={NUM_WALKS} window={WINDOW} negative={NEGATIVE} epochs=1")
    results = []
    with tempfile.TemporaryDirectory(prefix="graphemb-e2e-") as tmp:
        if not args.no_warmup:  # fill numba caches / OS file cache; not timed
            small = data_home / "ppi" / "edges.tsv"
            for tool in args.tools:
                cmd = command(tool, small, Path(tmp) / "warm.emb", 1.0, 1.0, args.workers, args.seed)
                info = run_measured(cmd, args.workers, args.timeout)
                print(f"# warm-up {tool}: rc={info['rc']} {info['seconds']:.1f} s", flush=True)
        for name in args.datasets:
            folder = data_home / name
            edges, labels_path = folder / "edges.tsv", folder / "labels.tsv"
            if not edges.exists():
                print(f"# {name}: no {edges}, skipped")
                continue
            labels = read_labels(labels_path)
            for setting in args.settings:
                p, q = (float(x) for x in setting.split(","))
                rows = {}
                for tool in args.tools:
                    out = Path(tmp) / f"{name}-{tool}.emb"
                    info = run_measured(command(tool, edges, out, p, q, args.workers, args.seed), args.workers,
                                        args.timeout)  # fmt: skip
                    row = {"dataset": name, "p": p, "q": q, "tool": tool, **info}
                    if info["rc"] == 0 and out.exists():
                        row.update(score(out, labels, args.repeats))
                    else:
                        print(f"# {tool} failed (rc={info['rc']}): {info['log'][-600:]}")
                    row.pop("log")
                    rows[tool] = row
                    results.append(row)
                    micro, macro = row.get("micro_f1", float("nan")), row.get("macro_f1", float("nan"))
                    print(
                        f"{name:12s} p={p:g} q={q:g} {tool:13s} {row['seconds']:8.1f} s  {row['peak_mib']:8.0f} MiB  "
                        f"Micro-F1 {micro:.4f}  Macro-F1 {macro:.4f}",
                        flush=True,
                    )
                ours = rows.get("graphemb")
                if ours and ours["rc"] == 0:
                    for tool, row in rows.items():
                        if tool != "graphemb" and row["rc"] == 0:
                            print(
                                f"{'':12s} {tool} / graphemb: time x{row['seconds'] / ours['seconds']:.2f}, "
                                f"memory x{row['peak_mib'] / ours['peak_mib']:.2f}, "
                                f"Macro-F1 {row.get('macro_f1', np.nan) - ours.get('macro_f1', np.nan):+.4f}"
                            )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"date": str(datetime.date.today()), "machine": machine,
                                           "workers": args.workers, "results": results}, indent=1))  # fmt: skip
    print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
