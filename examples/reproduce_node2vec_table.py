"""Reproduce node2vec's Tables 2 and 4 (Grover & Leskovec, KDD 2016) with tuned p, q and both presets.

For each dataset graphemb's data covers (BlogCatalog, PPI: node classification,
Table 2; Facebook: link prediction, Table 4; PPI link prediction optionally,
see the caveat below) and each preset (``paper``: one epoch, the node2vec
defaults; ``converged``: see graphemb.presets):

1. ``graphemb.tune`` selects p, q with the paper's protocol (10-fold CV on 10 %
   of the labelled nodes; link prediction: a validation split of the training
   graph, p, q and the edge operator).  Grid: ``--grid`` values for p and q.
2. DeepWalk (p = q = 1) and node2vec (tuned p, q) are fitted with ``--seeds``
   (walk and training seed) and scored on nodes / edges tune never read:
   node classification on the labelled nodes outside the tuning set (50 %
   train, ``--repeats`` shuffles); link prediction on the test split (50 % of
   the edges) that tune held out.
3. The tables print beside the paper's figures, mean ± std over seeds.
   ``--curves`` adds Macro-F1 against the train ratio (10 %..90 %, the paper's
   Figure 5 layout) and ``--plots DIR`` draws them and the p, q heat maps (only
   when matplotlib is importable).

Every fit, score and grid point is cached in ``--workdir`` (JSON, written
atomically), so an interrupted run resumes where it stopped and the tables can
be re-printed without recomputing.

PPI link prediction: the paper's PPI link-prediction graph has 19,706 nodes; the
PPI copy here is the 3,890-node labelled subgraph of its node-classification
table, so ``--ppi-link-prediction`` rows are NOT comparable with Table 4's PPI column.

    python examples/reproduce_node2vec_table.py --datasets ppi --presets paper --seeds 0 1 2
    python examples/reproduce_node2vec_table.py --quick --out /tmp/n2v     # seconds: small settings, a smoke run
    python examples/reproduce_node2vec_table.py --datasets blogcatalog --grid 0.25 1 4 --curves --plots docs/img/tune
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import graphemb  # noqa: E402
from graphemb.datasets import DatasetNotFoundError, get_data_home, load_blogcatalog, load_ppi  # noqa: E402
from graphemb.evaluation import node_classification, score_link_prediction, train_test_split_edges  # noqa: E402
from graphemb.graph.io import read_edgelist  # noqa: E402
from graphemb.presets import preset_params  # noqa: E402

# node2vec paper, Table 2: Macro-F1 at 50 % labelled nodes, and the (p, q) it selected.
PAPER_TABLE2 = {
    "blogcatalog": {"DeepWalk": 0.2110, "node2vec": 0.2581, "pq": (0.25, 0.25)},
    "ppi": {"DeepWalk": 0.1768, "node2vec": 0.1791, "pq": (4.0, 1.0)},
}
# node2vec paper, Table 4 (ROC-AUC, 50 % of the edges removed).  Transcribed from memory of the paper and not
# re-checked against the PDF here: verify before quoting.  PPI's column is the 19,706-node PPI network.
PAPER_TABLE4 = {
    "facebook": {
        "DeepWalk": {"average": 0.7238, "hadamard": 0.9680, "l1": 0.9574, "l2": 0.9584},
        "node2vec": {"average": 0.7266, "hadamard": 0.9680, "l1": 0.9574, "l2": 0.9584},
    },
    "ppi": {
        "DeepWalk": {"average": 0.6923, "hadamard": 0.7441, "l1": 0.6009, "l2": 0.6016},
        "node2vec": {"average": 0.7543, "hadamard": 0.7719, "l1": 0.6560, "l2": 0.6539},
    },
}
RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PPI_LP_CAVEAT = (
    "PPI link prediction here uses the 3,890-node labelled PPI subgraph, NOT the paper's 19,706-node PPI "
    "link-prediction network: not comparable with Table 4's PPI column."
)


def load(name: str) -> tuple[graphemb.CSRGraph, dict | None]:
    if name == "facebook":
        path = get_data_home() / "facebook" / "edges.tsv"
        if not path.is_file():
            raise DatasetNotFoundError(f"no {path}")
        return read_edgelist(path, sep="\t"), None
    return {"blogcatalog": load_blogcatalog, "ppi": load_ppi}[name](download=False)


def cached(path: Path, compute: Any) -> Any:
    if path.exists():
        return json.loads(path.read_text())
    value = compute()
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(value, indent=1, default=str))
    os.replace(tmp, path)
    return value


def fmt(values: list[float]) -> str:
    if not values:
        return "-"
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.4f} ± {v.std(ddof=1) if v.size > 1 else 0.0:.4f}"


def run_tune(name: str, graph, labels, preset: str, args, workdir: Path) -> graphemb.TuneResult:
    task = "node-classification" if labels is not None else "link-prediction"
    tag = f"{preset}" + (f"_x{args.tune_repeats}" if args.tune_repeats > 1 else "")
    ckpt = workdir / f"tune_{name}_{task}_{tag}.partial.json"
    t0 = time.perf_counter()
    res = graphemb.tune(
        graph, labels, task=task, p=args.p_grid or args.grid, q=args.q_grid or args.grid, preset=preset,
        params={"workers": args.workers, **args.overrides}, seed=0, repeats=args.tune_repeats, checkpoint=ckpt,
        verbose=not args.quiet,
    )  # fmt: skip
    res.save(workdir / f"tune_{name}_{task}_{tag}.json")
    print(f"  tune {name} ({task}, preset {preset}): best {res.best} [{time.perf_counter() - t0:.0f} s]", flush=True)
    return res


def node_rows(name, graph, labels, preset, pq_tuned, tuning_nodes, args, workdir) -> list[dict]:
    held_out = {v: labs for v, labs in labels.items() if v not in set(tuning_nodes)}
    rows = []
    for method, (p, q) in methods(args, pq_tuned):
        for seed in args.seeds:
            tag = f"r{args.repeats}" + (f"_c{args.curve_repeats}" if args.curves and seed == args.seeds[0] else "")
            tag += f"_C{args.C}" if args.C != 1.0 else ""
            key = workdir / f"nc_{name}_{preset}_p{p:g}_q{q:g}_s{seed}_{tag}.json"

            def compute(p=p, q=q, seed=seed) -> dict:
                t0 = time.perf_counter()
                model = graphemb.Node2Vec(**preset_params(preset, workers=args.workers, **args.overrides), p=p, q=q,
                                          seed=seed,
                                          verbose=False).fit(graph)  # fmt: skip
                fit_s = time.perf_counter() - t0
                df = node_classification(model.embedding_, held_out, train_ratios=0.5, repeats=args.repeats,
                                         seed=0, verbose=False, C=args.C)  # fmt: skip
                curve = {f"{r['train_ratio']:g}/{r['metric']}": r["mean"] for r in df.to_dict("records")}
                if args.curves and seed == args.seeds[0]:
                    dfc = node_classification(model.embedding_, held_out, train_ratios=RATIOS,
                                              repeats=args.curve_repeats, seed=0, verbose=False)  # fmt: skip
                    curve.update({f"{r['train_ratio']:g}/{r['metric']}": r["mean"] for r in dfc.to_dict("records")})
                    curve["0.5/macro_f1"], curve["0.5/micro_f1"] = df.set_index("metric")["mean"][
                        ["macro_f1", "micro_f1"]
                    ].tolist()
                return {"macro_f1": curve["0.5/macro_f1"], "micro_f1": curve["0.5/micro_f1"], "curve": curve,
                        "fit_s": round(fit_s, 1), "protocol": df.attrs["protocol"], "C": str(df.attrs["C"]),
                        "load1": round(os.getloadavg()[0], 2)}  # fmt: skip

            r = cached(key, compute)
            rows.append({"dataset": name, "preset": preset, "method": method, "p": p, "q": q, "seed": seed, **r})
            print(f"    {name} {preset} {method} p={p:g} q={q:g} seed {seed}: Macro-F1 {r['macro_f1']:.4f} "
                  f"Micro-F1 {r['micro_f1']:.4f} (fit {r['fit_s']} s, load {r['load1']})", flush=True)  # fmt: skip
    return rows


def methods(args, pq_tuned: tuple[float, float]) -> list[tuple[str, tuple[float, float]]]:
    out = [("DeepWalk", (1.0, 1.0)), ("node2vec", pq_tuned)]
    return [m for m in out if m[0] in args.methods]


def link_rows(name, graph, preset, tuned: graphemb.TuneResult, args, workdir) -> list[dict]:
    split = tuned.split if tuned is not None else train_test_split_edges(graph, test_fraction=0.5, seed=0)
    pq_tuned = (tuned.best["p"], tuned.best["q"])
    rows = []
    for method, (p, q) in methods(args, pq_tuned):
        for seed in args.seeds:
            key = workdir / f"lp_{name}_{preset}_p{p:g}_q{q:g}_s{seed}.json"

            def compute(p=p, q=q, seed=seed) -> dict:
                t0 = time.perf_counter()
                model = graphemb.Node2Vec(**preset_params(preset, workers=args.workers, **args.overrides), p=p, q=q,
                                          seed=seed,
                                          verbose=False).fit(split.graph)  # fmt: skip
                fit_s = time.perf_counter() - t0
                df = score_link_prediction(model.embedding_, split)
                return {"auc": dict(zip(df["operator"], df["roc_auc"], strict=True)), "fit_s": round(fit_s, 1),
                        "protocol": df.attrs["protocol"], "load1": round(os.getloadavg()[0], 2)}  # fmt: skip

            r = cached(key, compute)
            rows.append({"dataset": name, "preset": preset, "method": method, "p": p, "q": q, "seed": seed,
                         "operator_tuned": tuned.best["operator"], **r})  # fmt: skip
            print(f"    {name} {preset} {method} p={p:g} q={q:g} seed {seed}: Hadamard AUC {r['auc']['hadamard']:.4f} "
                  f"(fit {r['fit_s']} s, load {r['load1']})", flush=True)  # fmt: skip
    return rows


def print_table2(rows: list[dict]) -> None:
    print("\nTable 2 (node classification, Macro-F1, 50 % train; ours: held-out nodes, mean ± std over seeds)")
    df = pd.DataFrame(rows)
    out = []
    for (name, preset, method), g in df.groupby(["dataset", "preset", "method"], sort=False):
        paper = PAPER_TABLE2[name]
        out.append({"dataset": name, "preset": preset, "method": method,
                    "p,q": f"{g['p'].iloc[0]:g},{g['q'].iloc[0]:g}",
                    "paper p,q": "1,1" if method == "DeepWalk" else "{:g},{:g}".format(*paper["pq"]),
                    "Macro-F1 (paper)": f"{paper[method]:.4f}", "Macro-F1 (ours)": fmt(list(g["macro_f1"])),
                    "Micro-F1 (ours)": fmt(list(g["micro_f1"])), "seeds": len(g)})  # fmt: skip
    print(pd.DataFrame(out).to_string(index=False))


def print_table4(rows: list[dict]) -> None:
    print("\nTable 4 (link prediction, ROC-AUC, 50 % of the edges held out; mean ± std over seeds)")
    df = pd.DataFrame(rows)
    out = []
    for (name, preset, method), g in df.groupby(["dataset", "preset", "method"], sort=False):
        rec = {"dataset": name, "preset": preset, "method": method,
               "p,q": f"{g['p'].iloc[0]:g},{g['q'].iloc[0]:g}", "tuned op": g["operator_tuned"].iloc[0]}  # fmt: skip
        for op in ("hadamard", "average", "l1", "l2"):
            rec[op] = fmt([a[op] for a in g["auc"]])
            rec[f"{op} (paper)"] = f"{PAPER_TABLE4[name][method][op]:.4f}"
        rec["seeds"] = len(g)
        out.append(rec)
    print(pd.DataFrame(out).to_string(index=False))
    if "ppi" in set(df["dataset"]):
        print("NOTE: " + PPI_LP_CAVEAT)


def plots(nc_rows: list[dict], tunes: dict, out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: plots skipped (pip install "graphemb[plot]")')
        return
    out.mkdir(parents=True, exist_ok=True)
    curves = [r for r in nc_rows if len(r["curve"]) > 2]
    names = list(dict.fromkeys(r["dataset"] for r in curves))
    if names:
        fig, axes = plt.subplots(2, len(names), figsize=(4.5 * len(names), 7), squeeze=False)
        for j, name in enumerate(names):
            for i, metric in enumerate(("micro_f1", "macro_f1")):
                ax = axes[i, j]
                for r in (r for r in curves if r["dataset"] == name):
                    ys = [r["curve"][f"{t:g}/{metric}"] for t in RATIOS]
                    ax.plot(RATIOS, ys, marker="o", label=f"{r['method']} ({r['preset']}, p={r['p']:g} q={r['q']:g})")
                ax.set_title(f"{name}: {'Micro' if i == 0 else 'Macro'}-F1")
                ax.set_xlabel("fraction of labelled data for training")
                ax.grid(alpha=0.3)
                ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "f1_vs_train_ratio.png", dpi=120)
        plt.close(fig)
        print(f"wrote {out / 'f1_vs_train_ratio.png'}")
    for key, res in tunes.items():
        hm = res.heatmap()
        fig, ax = plt.subplots(figsize=(4.5, 3.8))
        im = ax.imshow(hm.to_numpy(), cmap="viridis", origin="lower")
        ax.set_xticks(range(hm.shape[1]), [f"{v:g}" for v in hm.columns])
        ax.set_yticks(range(hm.shape[0]), [f"{v:g}" for v in hm.index])
        ax.set_xlabel("q")
        ax.set_ylabel("p")
        for (a, b), v in np.ndenumerate(hm.to_numpy()):
            if np.isfinite(v):
                ax.text(b, a, f"{v:.3f}", ha="center", va="center", color="w", fontsize=7)
        ax.set_title(f"{key}: CV {res.protocol['metric']}", fontsize=9)
        fig.colorbar(im, ax=ax)
        fig.tight_layout()
        fig.savefig(out / f"heatmap_{key}.png", dpi=120)
        plt.close(fig)
        print(f"wrote {out / f'heatmap_{key}.png'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["ppi", "blogcatalog", "facebook"],
                    choices=["ppi", "blogcatalog", "facebook"])  # fmt: skip
    ap.add_argument("--presets", nargs="+", default=["paper", "converged"], choices=["paper", "converged"])
    ap.add_argument("--grid", nargs="+", type=float, default=[0.25, 0.5, 1.0, 2.0, 4.0], help="values of p and q")
    ap.add_argument("--p-grid", nargs="+", type=float, default=None, help="values of p (default: --grid)")
    ap.add_argument("--q-grid", nargs="+", type=float, default=None, help="values of q (default: --grid)")
    ap.add_argument("--tune-preset", default=None, help="tune p, q once with this preset and reuse them for all")
    ap.add_argument(
        "--tune-repeats",
        type=int,
        default=1,
        help="fits per grid point (run seeds 0..N-1), scored by their mean (default 1, the paper)",
    )
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--repeats", type=int, default=10, help="shuffles of the evaluation split")
    ap.add_argument(
        "--C",
        type=lambda v: v if v == "cv" else float(v),
        default=1.0,
        help="inverse regularisation of the classifiers: a float, or 'cv' (chosen per split; default 1)",
    )
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--curves", action="store_true", help="Macro/Micro-F1 at train ratios 10%%..90%% (first seed)")
    ap.add_argument("--curve-repeats", type=int, default=3, help="shuffles per train ratio of the curves")
    ap.add_argument("--methods", nargs="+", default=["DeepWalk", "node2vec"], choices=["DeepWalk", "node2vec"])
    ap.add_argument("--plots", type=Path, default=None, help="folder for the figures (needs matplotlib)")
    ap.add_argument("--ppi-link-prediction", action="store_true", help="also PPI link prediction (see caveat)")
    ap.add_argument("--workdir", type=Path, default=Path("reproduce_runs"), help="cache of every fit and score")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="seconds: PPI and Facebook, paper preset, grid {1, 4}, d=16, 1 walk of 10 nodes, 1 seed",
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (the cache and, with matplotlib, the plots)")
    args = ap.parse_args()
    args.overrides = {}
    if args.quick:
        args.datasets = [d for d in args.datasets if d != "blogcatalog"]
        args.presets, args.grid, args.seeds, args.repeats, args.curves = ["paper"], [1.0, 4.0], [0], 1, False
        args.overrides = {"dimensions": 16, "walk_length": 10, "num_walks": 1, "window": 5}
    if args.out is not None:
        args.workdir = args.out / "runs"
        args.plots = args.plots or args.out
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"graphemb {graphemb.__version__}; presets: " + "; ".join(f"{p}: {preset_params(p)}" for p in args.presets))
    nc_rows, lp_rows, tunes = [], [], {}
    for name in args.datasets:
        try:
            graph, labels = load(name)
        except DatasetNotFoundError as err:
            print(f"[skip] {name}: {err}")
            continue
        print(f"{name}: {graph!r}" + (f", {len(labels)} labelled nodes" if labels else ""), flush=True)
        tasks = [labels] if labels is not None else [None]
        if name == "ppi" and args.ppi_link_prediction:
            tasks.append(None)
        for task_labels in tasks:
            for preset in args.presets:
                tp = args.tune_preset or preset
                res = run_tune(name, graph, task_labels, tp, args, args.workdir)
                kind = "nc" if task_labels is not None else "lp"
                tunes[f"{name}_{kind}_{tp}"] = res
                if task_labels is not None:
                    pq = (res.best["p"], res.best["q"])
                    nc_rows += node_rows(name, graph, labels, preset, pq, res.tuning_nodes, args, args.workdir)
                else:
                    lp_rows += link_rows(name, graph, preset, res, args, args.workdir)
    if nc_rows:
        print_table2(nc_rows)
    if lp_rows:
        print_table4(lp_rows)
    if args.plots is not None:
        plots(nc_rows, tunes, args.plots)


if __name__ == "__main__":
    main()
