"""Why negative sampling works: graphemb's measured study (docs/negative-sampling.md).

Quick (seconds, used by the tests)::

    python examples/negative_sampling_study.py --quick --out /tmp/ns-quick

Full size (PPI and BlogCatalog from $GRAPHEMB_DATA; tens of minutes on 2 cores)::

    python examples/negative_sampling_study.py --out docs/img/negative-sampling

The measurements are library functions (:func:`graphemb.experiments.negative_sampling.run_study`
and the parts it runs); this script parses the command line, draws the plots
and writes the summary.  The tables (CSV, summary.md) need only
``pip install .``; without matplotlib the plots are skipped with one line.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from graphemb.experiments.negative_sampling import THEORY_COLUMNS, markdown_summary, run_study
from graphemb.plotting import PLOT_INSTALL_HINT

logger = logging.getLogger("negative_sampling_study")


# ---------------------------------------------------------------------- plots
def make_plots(
    out_dir: Path, results: pd.DataFrame, calibration: pd.DataFrame, theory: pd.DataFrame, scatter: dict
) -> list[Path]:
    """Write the study's PNG plots (small: 100 dpi) into ``out_dir``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths: list[Path] = []
    obj = results[results["part"] == "objectives"].copy()
    obj["config"] = np.where(
        obj["objective"] == "negative_sampling",
        "NS k=" + obj["negative"].astype(str),
        obj["objective"].map({"hierarchical_softmax": "HS", "softmax": "softmax"}).fillna(obj["objective"]),
    )
    metrics = [("micro_f1", "Micro-F1"), ("macro_f1", "Macro-F1"), ("lp_roc_auc", "link pred. ROC-AUC"),
               ("ns_per_pair", "ns per pair")]  # fmt: skip
    dsets = list(dict.fromkeys(obj["dataset"]))
    if dsets:
        fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
        for ax, (col, title) in zip(axes, metrics, strict=True):
            for i, ds in enumerate(dsets):
                sub = obj[obj["dataset"] == ds]
                order = list(dict.fromkeys(sub["config"]))
                g = sub.groupby("config")[col]
                mean = g.mean().reindex(order)
                std = g.std().reindex(order).fillna(0.0)
                x = np.arange(len(order)) + 0.15 * (i - (len(dsets) - 1) / 2)
                ax.errorbar(x, mean.values, yerr=std.values, fmt="o", capsize=3, label=ds)
                ax.set_xticks(np.arange(len(order)))
                ax.set_xticklabels(order, rotation=45, ha="right", fontsize=8)
            ax.set_title(title)
            if col == "ns_per_pair":
                ax.set_yscale("log")
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        paths.append(out_dir / "objectives.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

    ns = obj[obj["objective"] == "negative_sampling"]
    if len(ns):
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
        for ds in dsets:
            g = ns[ns["dataset"] == ds].groupby("negative")
            m = g.mean(numeric_only=True)
            axes[0].plot(m.index, m["frac_true_above_half"], "o-", label=f"{ds}: true pairs")
            axes[0].plot(m.index, m["frac_random_above_half"], "s--", label=f"{ds}: random pairs")
            axes[1].plot(m.index, m["mean_true"], "o-", label=f"{ds}: true")
            axes[1].plot(m.index, m["mean_random"], "s--", label=f"{ds}: random")
            axes[2].plot(m.index, m["micro_f1"], "o-", label=f"{ds}: Micro-F1")
            axes[2].plot(m.index, m["auc_true_vs_random"], "s--", label=f"{ds}: AUC true vs random")
        axes[0].set_title("fraction scored > 0.5")
        axes[1].set_title("mean sigmoid(u.v)")
        axes[2].set_title("quality does not collapse")
        for ax in axes:
            ax.set_xscale("log")
            ax.set_xlabel("negatives k")
            ax.legend(fontsize=7)
        fig.tight_layout()
        paths.append(out_dir / "imbalance.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

    if len(calibration):
        fig, axes = plt.subplots(1, len(dsets), figsize=(5 * len(dsets), 4), squeeze=False)
        for ax, ds in zip(axes[0], dsets, strict=True):
            sub = calibration[calibration["dataset"] == ds]
            for k in sorted(sub["negative"].unique()):
                for mixture, style in (("1:" + str(k), "o-"), ("1:1", "x:")):
                    s = sub[(sub["negative"] == k) & (sub["mixture"] == mixture)]
                    if not len(s):
                        continue
                    s = s.groupby(np.round(s["prob_pred"], 1)).mean(numeric_only=True)
                    ax.plot(s["prob_pred"], s["prob_true"], style, ms=3, label=f"k={k}, {mixture} pairs")
            ax.plot([0, 1], [0, 1], "k-", lw=0.5)
            ax.set_xlabel("sigmoid(u.v)")
            ax.set_ylabel("fraction of true pairs")
            ax.set_title(f"calibration, {ds}")
            ax.legend(fontsize=6)
        fig.tight_layout()
        paths.append(out_dir / "calibration.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

    if scatter:
        graphs = list(dict.fromkeys(g for g, _ in scatter))
        fig, axes = plt.subplots(1, len(graphs) + 1, figsize=(5 * (len(graphs) + 1), 4), squeeze=False)
        for ax, gname in zip(axes[0], graphs, strict=False):
            for (g, k), (x, y) in scatter.items():
                if g != gname:
                    continue
                ax.scatter(x, y, s=2, alpha=0.4, label=f"k={k}")
                xs = np.linspace(x.min(), x.max(), 2)
                ax.plot(xs, xs - math.log(k), lw=0.8)
            ax.set_xlabel("PMI(c, t) from corpus counts")
            ax.set_ylabel("learned u_c . v_t")
            ax.set_title(f"{gname}: lines are PMI - log k")
            ax.legend(fontsize=7, markerscale=4)
        ax = axes[0][-1]
        lg = theory[theory["target"] == "corpus_pmi"]
        for gname in graphs:
            s = lg[lg["graph"] == gname]
            ax.plot(np.log(s["negative"]), s["offset"], "o-", label=f"{gname}: fitted offset")
        ks = np.array(sorted(lg["negative"].unique()), dtype=float)
        ax.plot(np.log(ks), -np.log(ks), "k--", label="theory: -log k")
        ax.set_xlabel("log k")
        ax.set_ylabel("mean(u.v - PMI)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        paths.append(out_dir / "levy_goldberg.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

    noise = results[(results["objective"] == "negative_sampling") & (results["negative"] == 5)]
    if len(noise):
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
        for ds in dsets:
            m = noise[noise["dataset"] == ds].groupby("ns_exponent")
            for ax, col in zip(axes, ("micro_f1", "macro_f1", "lp_roc_auc"), strict=True):
                ax.errorbar(m[col].mean().index, m[col].mean().values, yerr=m[col].std().fillna(0).values,
                            fmt="o-", capsize=3, label=ds)  # fmt: skip
                ax.set_title(col)
                ax.set_xlabel("noise exponent (k = 5)")
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        paths.append(out_dir / "noise_exponent.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Why negative sampling works: graphemb's measured study.")
    parser.add_argument("--quick", action="store_true", help="reduced size (seconds), for tests")
    parser.add_argument("--out", default="docs/img/negative-sampling", help="output folder for CSV and PNG")
    parser.add_argument("--datasets", nargs="*", help="datasets of parts 1, 2, 4")
    parser.add_argument("--seeds", nargs="*", type=int, help="seeds")
    parser.add_argument("--parts", nargs="*", default=["objectives", "theory"], help="objectives and/or theory")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument(
        "--merge", nargs="*", metavar="DIR",
        help="instead of running, concatenate results.csv / calibration.csv of these folders into --out and plot",
    )  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.merge:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        results = pd.concat([pd.read_csv(Path(d) / "results.csv") for d in args.merge], ignore_index=True)
        calibration = pd.concat([pd.read_csv(Path(d) / "calibration.csv") for d in args.merge], ignore_index=True)
        results.to_csv(out / "results.csv", index=False)
        calibration.to_csv(out / "calibration.csv", index=False)
        theory = pd.read_csv(out / "theory.csv") if (out / "theory.csv").exists() else None
        netmf = pd.read_csv(out / "netmf.csv") if (out / "netmf.csv").exists() else None
        if not args.no_plots:
            make_plots(out, results, calibration, pd.DataFrame(columns=THEORY_COLUMNS), {})
        summary = markdown_summary(results, theory, netmf)
        (out / "summary.md").write_text(summary + "\n")
        logger.info("summary (also in %s):\n%s", out / "summary.md", summary)
        return 0
    res = run_study(args.out, quick=args.quick, datasets=args.datasets, seeds=args.seeds, parts=args.parts)
    if not args.no_plots:
        make_plots(Path(args.out), res["results"], res["calibration"], res["theory"], res["scatter"])
    summary = markdown_summary(res["results"], res["theory"], res["netmf"])
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    logger.info("summary (also in %s):\n%s", Path(args.out) / "summary.md", summary)
    return 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    if importlib.util.find_spec("matplotlib") is None and "--no-plots" not in argv:
        print(PLOT_INSTALL_HINT)
        argv.append("--no-plots")
    sys.exit(main(argv))
