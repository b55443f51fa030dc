"""Study driver: "why negative sampling works", measured on graphemb's own trainer.

Runs the four parts of docs/negative-sampling.md and writes CSV files and PNG
plots into one folder:

1. ``results.csv``: objectives (negative sampling with k in {1, 2, 5, 10, 20},
   hierarchical softmax, full softmax) x datasets x seeds: node classification
   Micro/Macro-F1, link-prediction ROC-AUC, training seconds, cost per pair;
   plus the noise-exponent sweep (part 4, rows with ``part == "noise_exponent"``).
2. the imbalance columns of ``results.csv`` (fraction of held-out true and
   random pairs scored above 0.5, mean scores, AUC) and ``calibration.csv``;
3. ``theory.csv``: learned dot products against the corpus PMI and the NetMF
   closed form, for several k; ``netmf.csv``: DeepWalk vs the NetMF embedding.

``--quick`` runs everything at a reduced size (karate club, a 128-node planted
partition, small corpora) in well under a minute; the default full mode uses
PPI and BlogCatalog (``GRAPHEMB_DATA``) and several seeds.

Usage::

    python examples/negative_sampling_study.py --quick --out /tmp/ns
    python examples/negative_sampling_study.py --out docs/img/negative-sampling
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import datasets as _datasets
from ..embedding import Embedding
from ..evaluation import node_classification, score_link_prediction, train_test_split_edges
from ..graph.csr import CSRGraph
from ..sgns import SGNS
from ..walks import random_walks
from .negative_sampling import (
    cooccurrence_matrix,
    imbalance_scores,
    levy_goldberg_fit,
    netmf_embedding,
    netmf_matrix,
    shifted_pmi,
)

__all__ = ["FULL", "QUICK", "RESULT_COLUMNS", "main", "markdown_summary", "run_study"]

logger = logging.getLogger(__name__)

RESULT_COLUMNS = [
    "part",
    "dataset",
    "num_nodes",
    "objective",
    "negative",
    "ns_exponent",
    "seed",
    "micro_f1",
    "macro_f1",
    "lp_roc_auc",
    "train_seconds",
    "pairs",
    "ns_per_pair",
    "frac_true_above_half",
    "frac_random_above_half",
    "frac_noise_above_half",
    "mean_true",
    "mean_random",
    "mean_noise",
    "auc_true_vs_random",
]
"""Columns of ``results.csv``."""

CALIBRATION_COLUMNS = ["dataset", "negative", "seed", "mixture", "prob_pred", "prob_true", "count"]
THEORY_COLUMNS = [
    "graph",
    "target",
    "negative",
    "seed",
    "n_pairs",
    "pearson_r",
    "slope",
    "intercept",
    "offset",
    "expected_offset",
    "rmse_shifted",
]
NETMF_COLUMNS = ["graph", "method", "micro_f1", "macro_f1", "seconds"]

QUICK: dict[str, Any] = {
    "datasets": ("planted_partition", "karate"),
    "seeds": (0, 1),
    "negatives": (1, 2, 5, 10, 20),
    "exponents": (0.0, 0.5, 1.0),
    "softmax_max_nodes": 5_000,
    "walk_length": 20,
    "num_walks": 5,
    "window": 5,
    "dimensions": 16,
    "epochs": 2,
    "alpha": 0.025,
    "nc_repeats": 2,
    "nc_ratio": 0.5,
    "max_pairs": 20_000,
    "theory_graphs": ("karate",),
    "theory_negatives": (1, 5, 20),
    "theory_num_walks": 40,
    "theory_walk_length": 40,
    "theory_window": 3,
    "theory_epochs": 3,
    "netmf_graphs": ("karate",),
}
"""Settings of ``--quick`` (seconds)."""

FULL: dict[str, Any] = {
    "datasets": ("planted_partition", "ppi", "blogcatalog"),
    "seeds": (0, 1, 2),
    "negatives": (1, 2, 5, 10, 20),
    "exponents": (0.0, 0.5, 1.0),
    "softmax_max_nodes": 1_000,
    "walk_length": 80,
    "num_walks": 10,
    "window": 10,
    "dimensions": 128,
    "epochs": 1,
    "alpha": 0.025,
    "nc_repeats": 3,
    "nc_ratio": 0.5,
    "max_pairs": 200_000,
    "theory_graphs": ("karate", "planted_partition"),
    "theory_negatives": (1, 2, 5, 10, 20),
    "theory_num_walks": 400,
    "theory_walk_length": 40,
    "theory_window": 3,
    "theory_epochs": 5,
    "netmf_graphs": ("karate", "planted_partition", "ppi"),
}
"""Settings of the full study (PPI and BlogCatalog; tens of minutes on 2 cores)."""


# ------------------------------------------------------------------- helpers
def _load(name: str) -> tuple[CSRGraph, dict]:
    if name == "karate":
        return _datasets.load_karate()
    if name == "planted_partition":
        return _datasets.make_planted_partition(n_blocks=4, block_size=32, p_in=0.3, p_out=0.02, seed=0)
    if name == "ppi":
        return _datasets.load_ppi(download=False)
    if name == "blogcatalog":
        return _datasets.load_blogcatalog(download=False)
    if name == "digits":
        return _datasets.load_digits_graph()
    raise ValueError(f"Unknown dataset {name!r}; use karate, planted_partition, ppi, blogcatalog or digits.")


def _trainer(cfg: dict, objective: str, negative: int, ns_exponent: float, seed: int, **extra: Any) -> SGNS:
    params: dict[str, Any] = dict(
        dimensions=cfg["dimensions"],
        window=cfg["window"],
        negative=negative,
        ns_exponent=ns_exponent,
        alpha=cfg["alpha"],
        sample=0.0,
        epochs=cfg["epochs"],
        seed=seed,
        verbose=False,
    )
    params.update(extra)
    params["objective"] = objective
    return SGNS(**params)


def expected_pairs(lengths: np.ndarray, window: int, shrink_window: bool = True) -> float:
    """Expected number of (context, centre) pairs one pass over walks of these lengths trains (``sample=0``).

    Parameters
    ----------
    lengths : ndarray of int, shape (num_walks,)
    window : int
    shrink_window : bool, default True

    Returns
    -------
    float
        ``sum_walks sum_{d=1..window} 2 (L - d)_+ w_d`` with ``w_d = (window - d + 1) / window``
        (or 1 without shrinking).
    """
    counts = np.bincount(np.asarray(lengths, dtype=np.int64))
    total = 0.0
    for length, num in enumerate(counts):
        if num == 0:
            continue
        for d in range(1, min(window, length - 1) + 1):
            w = (window - d + 1) / window if shrink_window else 1.0
            total += num * 2.0 * (length - d) * w
    return total


def _configs(cfg: dict, num_nodes: int) -> list[tuple[str, str, int, float]]:
    """(part, objective, negative, ns_exponent) to run on a graph of ``num_nodes`` nodes."""
    out = [("objectives", "negative_sampling", k, 0.75) for k in cfg["negatives"]]
    out.append(("objectives", "hierarchical_softmax", 0, 0.75))
    if num_nodes <= cfg["softmax_max_nodes"]:
        out.append(("objectives", "softmax", 0, 0.75))
    out += [("noise_exponent", "negative_sampling", 5, e) for e in cfg["exponents"]]
    return out


def _f1(embedding: Embedding, labels: dict, cfg: dict, seed: int) -> tuple[float, float]:
    df = node_classification(
        embedding, labels, train_ratios=cfg["nc_ratio"], repeats=cfg["nc_repeats"], seed=seed, verbose=False
    )
    means = dict(zip(df["metric"], df["mean"], strict=True))
    return float(means["micro_f1"]), float(means["macro_f1"])


# ------------------------------------------------------------ parts 1, 2, 4
def run_objectives(cfg: dict, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parts 1, 2 and 4: every objective configuration on every dataset and seed.

    Parameters
    ----------
    cfg : dict
        :data:`QUICK` or :data:`FULL` (or a modified copy).
    out_dir : Path
        Where ``results.csv`` and ``calibration.csv`` are written (after each
        dataset, so partial runs keep their rows).

    Returns
    -------
    results, calibration : pandas.DataFrame
        Columns :data:`RESULT_COLUMNS` and ``CALIBRATION_COLUMNS``.
    """
    rows: list[dict] = []
    calib: list[dict] = []
    for name in cfg["datasets"]:
        graph, labels = _load(name)
        n = graph.num_nodes
        for seed in cfg["seeds"]:
            corpus = random_walks(graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
            held_out = random_walks(graph, cfg["walk_length"], 1, seed=10_000 + seed, verbose=False)
            split = train_test_split_edges(graph, test_fraction=0.5, seed=seed)
            lp_corpus = random_walks(split.graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
            pairs = expected_pairs(corpus.lengths, cfg["window"]) * cfg["epochs"]
            for part, objective, k, expo in _configs(cfg, n):
                if part == "noise_exponent" and expo == 0.75:
                    continue
                t0 = time.perf_counter()
                model = _trainer(cfg, objective, max(k, 1), expo, seed).fit(corpus, num_nodes=n)
                seconds = getattr(model, "train_seconds_", time.perf_counter() - t0)
                emb = Embedding(graph.nodes, model.input_vectors_)
                micro, macro = _f1(emb, labels, cfg, seed)
                lp_model = _trainer(cfg, objective, max(k, 1), expo, seed).fit(lp_corpus, num_nodes=n)
                lp = score_link_prediction(
                    Embedding(split.graph.nodes, lp_model.input_vectors_), split, operators=("hadamard",)
                )
                row = {
                    "part": part,
                    "dataset": name,
                    "num_nodes": n,
                    "objective": objective,
                    "negative": k,
                    "ns_exponent": expo,
                    "seed": seed,
                    "micro_f1": micro,
                    "macro_f1": macro,
                    "lp_roc_auc": float(lp["roc_auc"].iloc[0]),
                    "train_seconds": float(seconds),
                    "pairs": pairs,
                    "ns_per_pair": 1e9 * float(seconds) / max(pairs, 1.0),
                }
                if objective == "negative_sampling":
                    noise = model.node_counts_.astype(np.float64) ** expo
                    noise[model.node_counts_ == 0] = 0.0
                    imb = imbalance_scores(
                        model.input_vectors_, model.output_vectors_, held_out, negative=k, noise_weights=noise,
                        window=cfg["window"], max_pairs=cfg["max_pairs"], seed=seed,
                    )  # fmt: skip
                    for key in RESULT_COLUMNS[13:]:
                        row[key] = imb[key]
                    if part == "objectives":
                        for mixture in ("mixture", "balanced"):
                            pp, pt, cnt = imb[f"calibration_{mixture}"]
                            label = f"1:{k}" if mixture == "mixture" else "1:1"
                            for a, b, c in zip(pp, pt, cnt, strict=True):
                                calib.append(
                                    {"dataset": name, "negative": k, "seed": seed, "mixture": label,
                                     "prob_pred": float(a), "prob_true": float(b), "count": int(c)}
                                )  # fmt: skip
                rows.append(row)
                logger.info("%s", {key: row.get(key) for key in RESULT_COLUMNS[:13]})
        results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
        calibration = pd.DataFrame(calib, columns=CALIBRATION_COLUMNS)
        results.to_csv(out_dir / "results.csv", index=False)
        calibration.to_csv(out_dir / "calibration.csv", index=False)
    return pd.DataFrame(rows, columns=RESULT_COLUMNS), pd.DataFrame(calib, columns=CALIBRATION_COLUMNS)


# ---------------------------------------------------------------------- part 3
def _fit_target(dots: np.ndarray, target: np.ndarray, mask: np.ndarray, shift: float) -> dict[str, float]:
    x = target[mask]
    y = dots[mask]
    slope, intercept = np.polyfit(x, y, 1)
    return {
        "n_pairs": int(x.size),
        "pearson_r": float(np.corrcoef(x, y)[0, 1]),
        "slope": float(slope),
        "intercept": float(intercept),
        "offset": float(np.mean(y - x)),
        "expected_offset": shift,
        "rmse_shifted": float(np.sqrt(np.mean((y - (x + shift)) ** 2))),
    }


def run_theory(cfg: dict, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Part 3: learned dot products vs shifted PMI (Levy & Goldberg) and vs NetMF (Qiu et al.).

    Training uses ``ns_exponent=1`` (unigram noise, the setting of the theorem),
    ``sample=0`` and ``dimensions >= num_nodes`` so that every dot product can
    reach its optimum.

    Returns
    -------
    theory, netmf : pandas.DataFrame
        Columns ``THEORY_COLUMNS`` and ``NETMF_COLUMNS``.
    scatter : dict
        ``(graph, k) -> (pmi, dots)`` arrays for the plots.
    """
    rows: list[dict] = []
    scatter: dict = {}
    seed = cfg["seeds"][0]
    window = cfg["theory_window"]
    for name in cfg["theory_graphs"]:
        graph, _ = _load(name)
        n = graph.num_nodes
        corpus = random_walks(graph, cfg["theory_walk_length"], cfg["theory_num_walks"], seed=seed, verbose=False)
        cooc = cooccurrence_matrix(corpus, n, window=window)
        limit = netmf_matrix(graph, window=window, negative=1, dynamic_window=True, clip=False)
        dims = max(n, cfg["dimensions"])
        for k in cfg["theory_negatives"]:
            model = SGNS(
                dimensions=dims, window=window, negative=k, ns_exponent=1.0, sample=0.0,
                epochs=cfg["theory_epochs"], seed=seed, workers=1, verbose=False,
            ).fit(corpus, num_nodes=n)  # fmt: skip
            noise = model.node_counts_.astype(np.float64)
            fit = levy_goldberg_fit(model.input_vectors_, model.output_vectors_, cooc, k, noise, min_count=1.0)
            fit.pop("mean_dot")
            rows.append({"graph": name, "target": "corpus_pmi", "negative": k, "seed": seed, **fit})
            dots = model.input_vectors_.astype(np.float64) @ model.output_vectors_.astype(np.float64).T
            pmi = shifted_pmi(cooc, 1, noise)
            mask = (cooc >= 1.0) & np.isfinite(pmi)
            scatter[(name, k)] = (pmi[mask], dots[mask])
            lmask = np.isfinite(limit)
            fit2 = _fit_target(dots, limit, lmask, -math.log(k))
            rows.append({"graph": name, "target": "netmf_limit", "negative": k, "seed": seed, **fit2})
        # how close is the finite corpus to the closed-form limit?
        pmi = shifted_pmi(cooc, 1, None)
        both = np.isfinite(pmi) & np.isfinite(limit)
        fit3 = _fit_target(pmi, limit, both, 0.0)
        rows.append({"graph": name, "target": "corpus_pmi_vs_netmf_limit", "negative": 1, "seed": seed, **fit3})
    theory = pd.DataFrame(rows, columns=THEORY_COLUMNS)
    theory.to_csv(out_dir / "theory.csv", index=False)

    nrows: list[dict] = []
    for name in cfg["netmf_graphs"]:
        graph, labels = _load(name)
        n = graph.num_nodes
        dims = min(cfg["dimensions"], n)
        t0 = time.perf_counter()
        emb = netmf_embedding(graph, dimensions=dims, window=cfg["window"], negative=1)
        t_netmf = time.perf_counter() - t0
        micro, macro = _f1(emb, labels, cfg, seed)
        nrows.append({"graph": name, "method": "netmf", "micro_f1": micro, "macro_f1": macro, "seconds": t_netmf})
        t0 = time.perf_counter()
        corpus = random_walks(graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
        model = SGNS(
            dimensions=dims, window=cfg["window"], negative=1, ns_exponent=1.0, sample=0.0, epochs=cfg["epochs"],
            alpha=cfg["alpha"], seed=seed, verbose=False,
        ).fit(corpus, num_nodes=n)  # fmt: skip
        t_dw = time.perf_counter() - t0
        micro, macro = _f1(Embedding(graph.nodes, model.input_vectors_), labels, cfg, seed)
        nrows.append({"graph": name, "method": "deepwalk_k1", "micro_f1": micro, "macro_f1": macro, "seconds": t_dw})
    netmf = pd.DataFrame(nrows, columns=NETMF_COLUMNS)
    netmf.to_csv(out_dir / "netmf.csv", index=False)
    return theory, netmf, scatter


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


# ------------------------------------------------------------------ tables
def _md(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def markdown_summary(
    results: pd.DataFrame, theory: pd.DataFrame | None = None, netmf: pd.DataFrame | None = None
) -> str:
    """Markdown tables of the study (mean +- sample std over seeds), as pasted into docs/negative-sampling.md.

    Parameters
    ----------
    results : pandas.DataFrame
        ``results.csv``.
    theory, netmf : pandas.DataFrame, optional
        ``theory.csv`` and ``netmf.csv``.

    Returns
    -------
    str
    """
    out = []

    def pm(g: Any, col: str, fmt: str) -> pd.Series:
        m, s = g[col].mean(), g[col].std().fillna(0.0)
        return m.map(lambda x: format(x, fmt)) + " ± " + s.map(lambda x: format(x, fmt))

    if len(results):
        keys = ["dataset", "part", "objective", "negative", "ns_exponent"]
        g = results.groupby(keys, sort=False)
        table = pd.DataFrame(
            {
                "seeds": g["seed"].nunique(),
                "Micro-F1": pm(g, "micro_f1", ".3f"),
                "Macro-F1": pm(g, "macro_f1", ".3f"),
                "LP ROC-AUC": pm(g, "lp_roc_auc", ".3f"),
                "train s": pm(g, "train_seconds", ".2f"),
                "ns/pair": g["ns_per_pair"].mean().map(lambda x: f"{x:.0f}"),
            }
        ).reset_index()
        out.append(_md(table))
        ns = results[results["objective"] == "negative_sampling"]
        if len(ns):
            g = ns.groupby(["dataset", "negative", "ns_exponent"], sort=False)
            table = pd.DataFrame(
                {
                    "true > 0.5": pm(g, "frac_true_above_half", ".3f"),
                    "random > 0.5": pm(g, "frac_random_above_half", ".3f"),
                    "mean true": pm(g, "mean_true", ".3f"),
                    "mean random": pm(g, "mean_random", ".3f"),
                    "mean noise": pm(g, "mean_noise", ".3f"),
                    "AUC true vs random": pm(g, "auc_true_vs_random", ".3f"),
                }
            ).reset_index()
            out.append(_md(table))
    if theory is not None and len(theory):
        t = theory.copy()
        for col in ("pearson_r", "slope", "intercept", "offset", "expected_offset", "rmse_shifted"):
            t[col] = t[col].map(lambda x: f"{x:.3f}")
        out.append(_md(t.drop(columns=["seed"])))
    if netmf is not None and len(netmf):
        t = netmf.copy()
        for col in ("micro_f1", "macro_f1", "seconds"):
            t[col] = t[col].map(lambda x: f"{x:.3f}")
        out.append(_md(t))
    return "\n\n".join(out)


# ------------------------------------------------------------------- driver
def run_study(
    out_dir: str | Path, quick: bool = True, datasets: Sequence[str] | None = None, seeds: Sequence[int] | None = None,
    parts: Sequence[str] = ("objectives", "theory"), plots: bool = True,
) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Run the negative-sampling study and write its CSV files and plots.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created).
    quick : bool, default True
        :data:`QUICK` settings (seconds) instead of :data:`FULL` (PPI, BlogCatalog).
    datasets : sequence of str, optional
        Override the datasets of parts 1, 2 and 4 (karate, planted_partition, ppi,
        blogcatalog, digits).
    seeds : sequence of int, optional
        Override the seeds.
    parts : sequence of {"objectives", "theory"}, default both
        Which parts to run ("objectives" covers parts 1, 2 and 4).
    plots : bool, default True
        Write the PNG plots.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``results``, ``calibration``, ``theory``, ``netmf`` (empty when skipped).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = dict(QUICK if quick else FULL)
    if datasets is not None:
        cfg["datasets"] = tuple(datasets)
    if seeds is not None:
        cfg["seeds"] = tuple(int(s) for s in seeds)
    unknown = set(parts) - {"objectives", "theory"}
    if unknown:
        raise ValueError(f"The 'parts' parameter of run_study must hold 'objectives' and/or 'theory'. Got {unknown}.")
    results = pd.DataFrame(columns=RESULT_COLUMNS)
    calibration = pd.DataFrame(columns=CALIBRATION_COLUMNS)
    theory = pd.DataFrame(columns=THEORY_COLUMNS)
    netmf = pd.DataFrame(columns=NETMF_COLUMNS)
    scatter: dict = {}
    if "objectives" in parts:
        results, calibration = run_objectives(cfg, out)
    if "theory" in parts:
        theory, netmf, scatter = run_theory(cfg, out)
    if plots:
        make_plots(out, results, calibration, theory, scatter)
    return {"results": results, "calibration": calibration, "theory": theory, "netmf": netmf}


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
        make_plots(out, results, calibration, pd.DataFrame(columns=THEORY_COLUMNS), {})
        summary = markdown_summary(results, theory, netmf)
        (out / "summary.md").write_text(summary + "\n")
        logger.info("summary (also in %s):\n%s", out / "summary.md", summary)
        return 0
    res = run_study(
        args.out, quick=args.quick, datasets=args.datasets, seeds=args.seeds, parts=args.parts,
        plots=not args.no_plots,
    )  # fmt: skip
    summary = markdown_summary(res["results"], res["theory"], res["netmf"])
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    logger.info("summary (also in %s):\n%s", Path(args.out) / "summary.md", summary)
    return 0
