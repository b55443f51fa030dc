"""Tests of graphemb.experiments: co-occurrence, shifted PMI, NetMF, pair scores, the quick study."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from graphemb import CSRGraph, random_walks
from graphemb.datasets import load_karate
from graphemb.experiments import (
    context_pairs,
    cooccurrence_matrix,
    imbalance_scores,
    levy_goldberg_fit,
    netmf_embedding,
    netmf_matrix,
    pair_scores,
    shifted_pmi,
)
from graphemb.experiments.negative_sampling import RESULT_COLUMNS, expected_pairs, run_study
from graphemb.sgns import SGNS


@pytest.fixture(scope="module")
def karate():
    return load_karate()


@pytest.fixture(scope="module")
def karate_corpus(karate):
    graph, _ = karate
    return random_walks(graph, walk_length=40, num_walks=40, seed=0, verbose=False)


# ----------------------------------------------------------- co-occurrence
def test_cooccurrence_by_hand():
    walks = [[0, 1, 2, 0]]
    dyn = cooccurrence_matrix(walks, 3, window=2, shrink_window=True)
    fixed = cooccurrence_matrix(walks, 3, window=2, shrink_window=False)
    # distance-1 pairs weigh 1, distance-2 pairs 1/2 with the dynamic window
    # pairs: (0,1) d1, (1,2) d1, (2,0) d1, (0,2) d2, (1,0) d2 (positions 1 and 3)
    assert fixed[1, 0] == 2.0 and fixed[0, 1] == 2.0  # (0,1) at d=1 and (1,0) at d=2, both directions
    assert dyn[1, 0] == 1.5 and dyn[0, 0] == 0.0
    assert fixed[2, 0] == 2.0 and dyn[2, 0] == 1.5  # (0,2) at d=2 and (2,0) at d=1
    assert np.array_equal(dyn, dyn.T)
    assert dyn.sum() == pytest.approx(expected_pairs(np.array([4]), 2))


def test_cooccurrence_matches_sampled_pairs(karate_corpus):
    """The expectation counted by cooccurrence_matrix is what the trainer's window draws give."""
    cooc = cooccurrence_matrix(karate_corpus, 34, window=5)
    ctx, ctr = context_pairs(karate_corpus, window=5, seed=3)
    sampled = np.zeros((34, 34))
    np.add.at(sampled, (ctx, ctr), 1.0)
    assert sampled.sum() == pytest.approx(cooc.sum(), rel=0.01)
    big = cooc > 200
    rel = np.abs(sampled[big] - cooc[big]) / cooc[big]
    assert rel.max() < 0.2 and np.median(rel) < 0.05
    # without shrinking the sampled pairs are exactly the counts
    ctx, ctr = context_pairs(karate_corpus, window=3, shrink_window=False, seed=0)
    exact = np.zeros((34, 34))
    np.add.at(exact, (ctx, ctr), 1.0)
    assert np.array_equal(exact, cooccurrence_matrix(karate_corpus, 34, window=3, shrink_window=False))


def test_cooccurrence_rejects_bad_input():
    with pytest.raises(ValueError, match="'window' parameter of cooccurrence_matrix"):
        cooccurrence_matrix([[0, 1]], 2, window=0)
    with pytest.raises(ValueError, match="outside"):
        cooccurrence_matrix([[0, 5]], 2, window=1)


# ------------------------------------------------------------- shifted PMI
def test_shifted_pmi_by_hand():
    c = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    got = shifted_pmi(c, negative=1)
    # PMI(0, 1) = log(2 * 8 / (3 * 3))
    assert got[0, 1] == pytest.approx(math.log(16 / 9))
    assert got[0, 0] == -np.inf
    assert np.allclose(shifted_pmi(c, negative=5)[c > 0], got[c > 0] - math.log(5))
    noise = np.array([1.0, 1.0, 2.0])
    assert shifted_pmi(c, 2, noise)[2, 0] == pytest.approx(math.log(1 / (2 * 2 * 0.25)))
    with pytest.raises(ValueError, match="'negative' parameter of shifted_pmi"):
        shifted_pmi(c, negative=0)


def test_levy_goldberg_fit_recovers_an_exact_factorisation():
    rng = np.random.default_rng(0)
    x = rng.random((12, 12)) + 0.1
    cooc = x + x.T
    k = 5
    target = shifted_pmi(cooc, k)
    vals, vecs = np.linalg.eigh(target)
    u = (vecs * vals).astype(np.float32)
    v = vecs.astype(np.float32)
    fit = levy_goldberg_fit(u, v, cooc, negative=k)
    assert fit["pearson_r"] == pytest.approx(1.0, abs=1e-5)
    assert fit["slope"] == pytest.approx(1.0, abs=1e-4)
    assert fit["offset"] == pytest.approx(-math.log(k), abs=1e-4)
    assert fit["rmse_shifted"] < 1e-4


def test_sgns_dot_products_approach_shifted_pmi(karate, karate_corpus):
    """Levy & Goldberg: at the optimum u.v = PMI - log k; checked on the trainer with d >= n."""
    cooc = cooccurrence_matrix(karate_corpus, 34, window=3)
    offsets = {}
    for k in (1, 5):
        model = SGNS(
            dimensions=34, window=3, negative=k, ns_exponent=1.0, sample=0.0, epochs=3, seed=0, workers=1,
            verbose=False,
        ).fit(karate_corpus, num_nodes=34)  # fmt: skip
        fit = levy_goldberg_fit(model.input_vectors_, model.output_vectors_, cooc, k, model.node_counts_)
        assert fit["pearson_r"] > 0.9
        assert 0.8 < fit["slope"] < 1.2
        offsets[k] = fit["offset"]
    assert offsets[1] == pytest.approx(0.0, abs=0.25)
    assert offsets[5] - offsets[1] == pytest.approx(-math.log(5), abs=0.25)


# ------------------------------------------------------------------- NetMF
def test_netmf_on_triangle_by_hand():
    tri = CSRGraph.from_scipy(sp.csr_array(np.ones((3, 3)) - np.eye(3)))
    # T = 1: M = vol/(bT) * P D^-1 = 6 * (A/2) / 2 = 1.5 A
    m = netmf_matrix(tri, window=1, negative=1)
    assert np.allclose(m, np.log(1.5) * (np.ones((3, 3)) - np.eye(3)))
    assert np.allclose(netmf_matrix(tri, window=1, negative=3), 0.0)  # 1.5 / 3 < 1 is clipped
    raw = netmf_matrix(tri, window=1, negative=3, clip=False)
    assert raw[0, 1] == pytest.approx(math.log(0.5)) and raw[0, 0] == -np.inf


def test_corpus_pmi_converges_to_netmf_limit(karate, karate_corpus):
    graph, _ = karate
    pmi = shifted_pmi(cooccurrence_matrix(karate_corpus, 34, window=3), 1)
    limit = netmf_matrix(graph, window=3, negative=1, dynamic_window=True, clip=False)
    both = np.isfinite(pmi) & np.isfinite(limit)
    assert both.sum() > 500
    assert np.corrcoef(pmi[both], limit[both])[0, 1] > 0.97
    with pytest.raises(ValueError, match="undirected"):
        netmf_matrix(CSRGraph.from_scipy(sp.csr_array(np.array([[0, 1], [0, 0]])), directed=True))


def test_netmf_embedding_separates_karate_factions(karate):
    graph, labels = karate
    emb = netmf_embedding(graph, dimensions=2, window=3)
    assert emb.vectors.shape == (34, 2)
    y = np.array([labels[v] == "Mr. Hi" for v in graph.nodes])
    from sklearn.linear_model import LogisticRegression

    acc = LogisticRegression().fit(emb.vectors, y).score(emb.vectors, y)
    assert acc > 0.85


# ------------------------------------------------------------- pair scores
def test_pair_scores_is_sigmoid_of_dot():
    u = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    v = np.array([[0.5, 0.0], [0.0, -1.0]], dtype=np.float32)
    got = pair_scores(u, v, [0, 1, 1], [0, 1, 0])
    assert np.allclose(got, 1 / (1 + np.exp(-np.array([0.5, -2.0, 0.0]))))
    with pytest.raises(ValueError, match="outside"):
        pair_scores(u, v, [0], [2])


def test_imbalance_shifts_scores_but_keeps_ranking_and_calibration(karate):
    """The issue's question: more negatives lower the scores (by log k in logit), not the ranking."""
    graph, _ = karate
    train = random_walks(graph, walk_length=40, num_walks=20, seed=0, verbose=False)
    held = random_walks(graph, walk_length=40, num_walks=5, seed=1, verbose=False)
    out = {}
    for k in (1, 10):
        model = SGNS(dimensions=16, window=3, negative=k, sample=0.0, epochs=2, seed=0, workers=1, verbose=False)
        model.fit(train, num_nodes=34)
        noise = model.node_counts_.astype(float) ** 0.75
        out[k] = imbalance_scores(
            model.input_vectors_, model.output_vectors_, held, negative=k, noise_weights=noise, window=3, seed=0
        )
    assert out[1]["frac_true_above_half"] > 0.6
    assert out[10]["frac_true_above_half"] < 0.2
    assert out[10]["mean_true"] < out[1]["mean_true"]
    assert out[10]["mean_true"] > 2 * out[10]["mean_random"]  # true pairs still score far above random ones
    assert abs(out[10]["auc_true_vs_random"] - out[1]["auc_true_vs_random"]) < 0.05
    for k in (1, 10):
        pp, pt, cnt = out[k]["calibration_mixture"]
        gap = np.sum(np.abs(pp - pt) * cnt) / cnt.sum()
        assert gap < 0.05, (k, gap)  # calibrated for the 1:k mixture it was trained on


# --------------------------------------------------------------- the study
def test_quick_study_writes_csv_with_expected_columns(tmp_path):
    res = run_study(tmp_path, quick=True, datasets=("karate",), seeds=(0,))
    df = pd.read_csv(tmp_path / "results.csv")
    assert list(df.columns) == RESULT_COLUMNS
    assert set(df["negative"][df["objective"] == "negative_sampling"]) == {1, 2, 5, 10, 20}
    assert df[["micro_f1", "macro_f1", "lp_roc_auc"]].stack().between(0, 1).all()
    assert (df["train_seconds"] > 0).all() and (df["pairs"] > 0).all()
    assert len(res["calibration"]) and len(res["theory"]) and len(res["netmf"])
    for name in ("calibration.csv", "theory.csv", "netmf.csv"):
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob("*.png"))  # the library draws nothing (the plots are the example's)


def test_study_example_draws_the_plots(tmp_path):
    """examples/negative_sampling_study.py: the command line, the plots and the summary around run_study."""
    pytest.importorskip("matplotlib")
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, str(root / "examples" / "negative_sampling_study.py"), "--quick", "--out", str(tmp_path),
           "--datasets", "karate", "--seeds", "0"]  # fmt: skip
    env = {**__import__("os").environ, "PYTHONPATH": str(root), "MPLBACKEND": "Agg"}
    subprocess.run(cmd, check=True, cwd=root, env=env, capture_output=True, timeout=600)
    for name in ("results.csv", "summary.md", "objectives.png", "imbalance.png", "calibration.png",
                 "levy_goldberg.png", "noise_exponent.png"):  # fmt: skip
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "imbalance.png").stat().st_size < 200_000
