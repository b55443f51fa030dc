"""Scale on one machine: power-law graphs of 1M and 10M nodes, graphemb phases vs the anchors.

The graph is generated deterministically (``graphemb.datasets.powerlaw_edges``: Chung-Lu,
exponent 2.5, exact edge count, seed 0) and written once as a tab-separated edge list
(cached by size and seed).  Every run is a whole separate process (import, read the edge
list, walk, train, write the embedding) under ``/usr/bin/time -v`` with a timeout: wall
seconds and peak RSS are those of the whole process.  graphemb runs with ``--verbose``;
its log gives the phases (read, walk, train, write), the SGNS tokens/s and the memory
plan's predicted peak, which is compared with the measured one.

Runs (``--runs``; each may be repeated for several ``--num-walks``):

    embed      graphemb embed (one step; a corpus over 256 MiB is walked once into shards)
    staged     graphemb walk (shards), then graphemb train: per-stage wall and RSS
    grape      GRAPE Node2VecSkipGramEnsmallen (Rust walks + SGNS), exact walks
    pecanpy    PecanPy FirstOrderUnweighted (p = q = 1) or SparseOTF, + gensim Word2Vec
    pecanpy-otf  PecanPy SparseOTF + gensim
    fastnode2vec  fastnode2vec (numba walks + gensim), epochs = num_walks, unseeded

The anchors live in ``.venv-anchors`` (benchmarks/setup_anchors.sh).  An anchor that times
out or is killed for memory is reported as such (``timeout`` / ``killed (OOM?)``).

After the runs: for each tool with 1 and 4 walks per node, the marginal cost of one more
walk per node, ``3 n L / (t4 - t1)`` tokens/s, and the ratio of peak RSS (spilled corpus).

Usage::

    python benchmarks/scale.py --nodes 1000000 --edges 10000000 --num-walks 1 4 --runs embed grape
    python benchmarks/scale.py --nodes 1000000 --edges 10000000 --num-walks 10 --runs embed --p 0.25 --q 4
    python benchmarks/scale.py --nodes 10000000 --edges 100000000 --dimensions 64 --num-walks 1 --runs embed
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))
from end_to_end import FASTNODE2VEC, GRAPE, run_group  # noqa: E402

from graphemb.datasets import powerlaw_edges  # noqa: E402

ANCHOR_BIN = ROOT / ".venv-anchors" / "bin"
WALK_LENGTH, WINDOW, NEGATIVE = 80, 10, 5


# ------------------------------------------------------------------ the graph
def write_edges(path: Path, u: np.ndarray, v: np.ndarray, block: int = 1 << 21) -> None:
    """Write ``u<TAB>v`` lines atomically (temporary name, then rename), a block at a time."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        for start in range(0, u.size, block):
            a = u[start : start + block].astype(str)
            b = v[start : start + block].astype(str)
            lines = np.char.add(np.char.add(a, "\t"), b)
            fh.write(("\n".join(lines.tolist()) + "\n").encode("ascii"))
    os.replace(tmp, path)


def edge_file(nodes: int, edges: int, seed: int, folder: Path) -> tuple[Path, dict]:
    """The cached edge list of the power-law graph (generated on first use) and its statistics.

    Generated in a child process: the generator's arrays (about 2.5 GB at 100M edges) would
    otherwise stay in this process's heap while the measured runs share the machine with it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"powerlaw-n{nodes}-m{edges}-s{seed}.tsv"
    info_path = path.with_suffix(".json")
    if not (path.exists() and info_path.exists()):
        child = multiprocessing.get_context("spawn").Process(target=_generate, args=(nodes, edges, seed, path))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"generating {path} failed (exit code {child.exitcode})")
    return path, json.loads(info_path.read_text())


def _generate(nodes: int, edges: int, seed: int, path: Path) -> None:
    info_path = path.with_suffix(".json")
    t0 = time.perf_counter()
    u, v = powerlaw_edges(nodes, edges, exponent=2.5, seed=seed)
    gen = time.perf_counter() - t0
    deg = np.bincount(np.concatenate([u, v]), minlength=nodes)
    t1 = time.perf_counter()
    write_edges(path, u, v)
    info = {"nodes": nodes, "edges": edges, "seed": seed, "exponent": 2.5, "max_degree": int(deg.max()),
            "isolated": int((deg == 0).sum()), "generate_s": round(gen, 1),
            "write_s": round(time.perf_counter() - t1, 1), "bytes": path.stat().st_size}  # fmt: skip
    tmp = info_path.with_name(f".{info_path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(info, indent=1))
    os.replace(tmp, info_path)


# ------------------------------------------------------------------ commands
def graphemb_cmd(sub: str, args: argparse.Namespace, num_walks: int, inp: Path, out: Path) -> list[str]:
    walk = ["--walk-length", str(WALK_LENGTH), "--num-walks", str(num_walks), "--p", str(args.p), "--q", str(args.q)]
    train = ["--dimensions", str(args.dimensions), "--window-size", str(WINDOW), "--negative", str(NEGATIVE),
             "--iter", "1"]  # fmt: skip
    common = ["--workers", str(args.workers), "--seed", str(args.seed), "--quiet", "--verbose"]
    if args.memory_limit:
        common += ["--memory-limit", args.memory_limit]
    py = [sys.executable, "-m", "graphemb", sub]
    if sub == "embed":
        return [*py, "--input", str(inp), "--output", str(out), *walk, *train, *common]
    if sub == "walk":
        return [*py, "--input", str(inp), "--output", str(out), *walk, *common, "--overwrite"]
    return [*py, "--walks", str(inp), "--output", str(out), *train, *common]


def anchor_cmd(tool: str, args: argparse.Namespace, num_walks: int, edges: Path, out: Path) -> list[str]:
    first_order = args.p == 1 and args.q == 1
    if tool in ("pecanpy", "pecanpy-otf"):
        mode = "FirstOrderUnweighted" if tool == "pecanpy" and first_order else "SparseOTF"
        return [str(ANCHOR_BIN / "pecanpy"), "--input", str(edges), "--output", str(out), "--mode", mode,
                "--dimensions", str(args.dimensions), "--walk-length", str(WALK_LENGTH), "--num-walks",
                str(num_walks), "--window-size", str(WINDOW), "--workers", str(args.workers), "--p", str(args.p),
                "--q", str(args.q), "--epochs", "1", "--random_state", str(args.seed)]  # fmt: skip
    script = {"grape": GRAPE, "fastnode2vec": FASTNODE2VEC}[tool]
    extra = [edges, out, args.p, args.q, args.workers, args.seed, args.dimensions, WALK_LENGTH, num_walks, WINDOW,
             NEGATIVE]  # fmt: skip
    return [str(ANCHOR_BIN / "python"), "-c", script, *map(str, extra)]


def run_measured(cmd: list[str], workers: int, timeout: float) -> dict:
    """Run ``cmd`` under /usr/bin/time -v; wall seconds, peak RSS (MiB), exit status, log."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    if cmd[0] == sys.executable:
        env["PYTHONPATH"] = str(ROOT)
    else:
        env.pop("PYTHONPATH", None)
    env.update(NUMBA_NUM_THREADS=str(workers), RAYON_NUM_THREADS=str(workers), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONWARNINGS="ignore")  # fmt: skip
    full = ["/usr/bin/time", "-v", *cmd] if Path("/usr/bin/time").exists() else cmd
    t0 = time.perf_counter()
    try:
        done = run_group(full, env, timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        log = exc.stderr or b""
        log = log.decode(errors="replace") if isinstance(log, bytes) else log
        return {"seconds": float("nan"), "peak_mib": float("nan"), "rc": "timeout", "log": log[-4000:],
                "status": f"timeout after {timeout:.0f} s"}  # fmt: skip
    seconds = time.perf_counter() - t0
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    status = "ok"
    if done.returncode != 0:
        killed = done.returncode in (-9, 137) or "Killed" in done.stderr or "MemoryError" in done.stderr
        status = "killed (OOM?)" if killed else f"failed (rc={done.returncode})"
    return {"seconds": seconds, "peak_mib": peak, "rc": done.returncode, "log": done.stderr, "status": status}


def parse_graphemb_log(log: str) -> dict:
    """Phases, tokens/s and the plan's predicted peak from a graphemb --verbose log."""
    out: dict = {}
    pats = {
        "read_s": r"read .*? in ([\d.]+) s",
        "walk_s": r"phase walk: .*? in ([\d.]+) s",
        "train_s": r"phase train: ([\d.]+) s",
        "write_s": r"phase write: .*? in ([\d.]+) s",
        "tokens": r"SGNS: (\d+) tokens in",
        "tokens_per_s": r"SGNS: \d+ tokens in [\d.]+ s \((\d+) tokens/s\)",
    }
    for key, pat in pats.items():
        m = re.search(pat, log)
        if m:
            out[key] = float(m.group(1))
    m = re.search(r"predicted peak RSS ([\d.]+) (KiB|MiB|GiB)", log)
    if m:
        out["predicted_peak_mib"] = float(m.group(1)) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[m.group(2)]
    out["spilled"] = " walks spilled to " in log  # models._train_spilled: "phase walk: N walks spilled to DIR"
    return out


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--num-walks", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--dimensions", type=int, default=128)
    parser.add_argument("--p", type=float, default=1.0)
    parser.add_argument("--q", type=float, default=1.0)
    parser.add_argument("--runs", nargs="+", default=["embed", "grape"],
                        choices=["embed", "staged", "grape", "pecanpy", "pecanpy-otf", "fastnode2vec"])  # fmt: skip
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default=None, help="passed to graphemb (e.g. 4G)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per process")
    parser.add_argument("--cache", default=os.environ.get("GRAPHEMB_SCALE_CACHE", "/tmp/graphemb-scale"),
                        help="folder of the generated edge lists")  # fmt: skip
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "scale.json"))
    args = parser.parse_args(argv)

    machine = f"{platform.node()} ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    load = os.getloadavg()
    print(f"# scale, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {machine}, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)  # fmt: skip
    print(f"# command: {' '.join(sys.argv)}", flush=True)
    t0 = time.perf_counter()
    edges, info = edge_file(args.nodes, args.edges, args.seed, Path(args.cache))
    print(f"# graph {edges} ({time.perf_counter() - t0:.0f} s): {json.dumps(info)}", flush=True)
    n = args.nodes
    results = []
    with tempfile.TemporaryDirectory(prefix="graphemb-scale-", dir=args.cache) as tmp:
        for num_walks in args.num_walks:
            for run in args.runs:
                out = Path(tmp) / f"{run}-{num_walks}.emb"
                row = {"run": run, "num_walks": num_walks, "p": args.p, "q": args.q, "d": args.dimensions,
                       "load_before": round(os.getloadavg()[0], 2)}  # fmt: skip
                if run == "staged":
                    walks = Path(tmp) / f"walks-{num_walks}"
                    w = run_measured(graphemb_cmd("walk", args, num_walks, edges, walks), args.workers, args.timeout)
                    tr = {"seconds": float("nan"), "peak_mib": float("nan"), "status": "skipped", "log": ""}
                    if w["status"] == "ok":
                        tr = run_measured(graphemb_cmd("train", args, num_walks, walks, out), args.workers,
                                          args.timeout)  # fmt: skip
                    shutil.rmtree(walks, ignore_errors=True)
                    row.update(seconds=w["seconds"] + tr["seconds"], peak_mib=max(w["peak_mib"], tr["peak_mib"]),
                               status=w["status"] if w["status"] != "ok" else tr["status"],
                               walk_stage_s=w["seconds"], walk_stage_mib=w["peak_mib"], train_stage_s=tr["seconds"],
                               train_stage_mib=tr["peak_mib"], **parse_graphemb_log(w["log"] + tr["log"]))  # fmt: skip
                    logs = w["log"] + tr["log"]
                elif run == "embed":
                    info_run = run_measured(graphemb_cmd("embed", args, num_walks, edges, out), args.workers,
                                            args.timeout)  # fmt: skip
                    row.update({k: v for k, v in info_run.items() if k != "log"}, **parse_graphemb_log(info_run["log"]))
                    logs = info_run["log"]
                else:
                    if not ANCHOR_BIN.exists():
                        row.update(seconds=float("nan"), peak_mib=float("nan"), status="not installed")
                        logs = ""
                    else:
                        info_run = run_measured(anchor_cmd(run, args, num_walks, edges, out), args.workers,
                                                args.timeout)  # fmt: skip
                        row.update({k: v for k, v in info_run.items() if k != "log"})
                        logs = info_run["log"]
                row["tokens_total"] = n * num_walks * WALK_LENGTH
                if row.get("seconds") == row.get("seconds") and row.get("seconds"):
                    row["end_to_end_tokens_per_s"] = row["tokens_total"] / row["seconds"]
                row["load_after"] = round(os.getloadavg()[0], 2)
                if row["status"] != "ok":
                    print(f"# {run} num_walks={num_walks}: {row['status']}: {logs[-1500:]}", flush=True)
                out.unlink(missing_ok=True)
                results.append(row)
                extra = ""
                if "tokens_per_s" in row:
                    nan = float("nan")
                    extra = (f" read {row.get('read_s', nan):.0f} s, walk {row.get('walk_s', nan):.0f}"
                             f" s, train {row.get('train_s', float('nan')):.0f} s ({row['tokens_per_s'] / 1e3:.0f}k "
                             f"tok/s), write {row.get('write_s', float('nan')):.0f} s; predicted peak "
                             f"{row.get('predicted_peak_mib', float('nan')):.0f} MiB; "
                             f"{'spilled' if row.get('spilled') else 'in memory'}")  # fmt: skip
                print(f"{run:13s} walks/node={num_walks:2d} p={args.p:g} q={args.q:g} d={args.dimensions}: "
                      f"{row['status']:8s} {row['seconds']:8.1f} s {row['peak_mib']:8.0f} MiB (load "
                      f"{row['load_before']:.1f}->{row['load_after']:.1f}){extra}", flush=True)  # fmt: skip
    by = {(r["run"], r["num_walks"]): r for r in results}
    for run in args.runs:
        one, four = by.get((run, 1)), by.get((run, 4))
        if one and four and one["status"] == four["status"] == "ok":
            marginal = 3 * n * WALK_LENGTH / (four["seconds"] - one["seconds"])
            print(f"# {run}: marginal cost of a walk per node {(four['seconds'] - one['seconds']) / 3:.0f} s = "
                  f"{marginal / 1e3:.0f}k tokens/s; peak RSS 4 walks / 1 walk = "
                  f"{four['peak_mib'] / one['peak_mib']:.3f}")  # fmt: skip
    for run in args.runs:
        ours = by.get(("embed", args.num_walks[0]))
        other = by.get((run, args.num_walks[0]))
        if run != "embed" and ours and other and ours["status"] == other["status"] == "ok":
            print(
                f"# {run} / graphemb embed at {args.num_walks[0]} walks/node: time x"
                f"{other['seconds'] / ours['seconds']:.2f}, memory x{other['peak_mib'] / ours['peak_mib']:.2f}"
            )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(Path(args.json).read_text()) if Path(args.json).exists() else []
    previous.append({"date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", "machine": machine,
                     "load": load, "command": " ".join(sys.argv), "graph": info, "results": results})  # fmt: skip
    Path(args.json).write_text(json.dumps(previous, indent=1))
    print(f"# appended to {args.json}")


if __name__ == "__main__":
    main()
