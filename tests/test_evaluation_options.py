"""Evaluation options (issue 15): prediction rule, C by CV, minimum label size, CV scorer, link-prediction protocols."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphemb import CSRGraph, Embedding
from graphemb.evaluation import (
    C_GRID,
    cross_validate_node_classification,
    drop_small_labels,
    node_classification,
    score_link_prediction,
    train_test_split_edges,
)
from graphemb.evaluation.node_classification import _f1_scores


@pytest.fixture(scope="module")
def blobs():
    """60 nodes, 3 well separated classes, plus a rare label on 2 nodes (multi-label)."""
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 4
    vectors = np.vstack([centres[i // 20] + rng.normal(size=3) for i in range(60)])
    labels = {i: [i // 20] for i in range(60)}
    labels[0].append("rare")
    labels[21].append("rare")
    return Embedding(range(60), vectors), labels


def test_numpy_f1_equals_sklearn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(1)
    for _ in range(5):
        y = (rng.random((30, 6)) < 0.3).astype(np.int8)
        p = (rng.random((30, 6)) < 0.3).astype(np.int8)
        y[:, 5] = 0
        p[:, 5] = 0  # a label absent from truth and prediction counts 0
        got = _f1_scores(y, p, ("micro_f1", "macro_f1"))
        assert got["micro_f1"] == pytest.approx(f1_score(y, p, average="micro", zero_division=0), abs=1e-12)
        assert got["macro_f1"] == pytest.approx(f1_score(y, p, average="macro", zero_division=0), abs=1e-12)


def test_threshold_prediction_and_options_are_stated(blobs):
    emb, labels = blobs
    top = node_classification(emb, labels, train_ratios=0.5, repeats=2, verbose=False)
    thr = node_classification(emb, labels, train_ratios=0.5, repeats=2, verbose=False, prediction="threshold")
    assert "top-k prediction" in top.attrs["protocol"] and "C=1" in top.attrs["protocol"]
    assert "thresholded prediction" in thr.attrs["protocol"] and "2 shuffles" in thr.attrs["protocol"]
    assert thr.attrs["options"]["prediction"] == "threshold" and top.attrs["options"]["repeats"] == 2


def test_threshold_prediction_matches_a_hand_computation(blobs):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier

    emb, labels = blobs
    single = {v: [labs[0]] for v, labs in labels.items()}
    df = node_classification(emb, single, train_ratios=0.5, repeats=1, seed=3, verbose=False, prediction="threshold")
    perm = np.random.default_rng(np.random.SeedSequence([3, 0])).permutation(60)
    y = np.eye(3, dtype=np.int8)[[single[i][0] for i in range(60)]]
    tr, te = perm[:30], perm[30:]
    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0, random_state=0)).fit(emb.vectors[tr], y[tr])
    pred = (clf.predict_proba(emb.vectors[te]) >= 0.5).astype(int)
    want = f1_score(y[te], pred, average="macro", zero_division=0)
    assert df.set_index("metric").loc["macro_f1", "mean"] == pytest.approx(want)


def test_c_by_cross_validation(blobs):
    emb, labels = blobs
    df = node_classification(emb, labels, train_ratios=(0.5, 0.8), repeats=1, verbose=False, C="cv")
    assert set(df.attrs["C"]) == {0.5, 0.8}
    assert all(c in C_GRID for cs in df.attrs["C"].values() for c in cs)
    assert "C chosen by 3-fold CV" in df.attrs["protocol"]
    fixed = node_classification(emb, labels, train_ratios=0.5, repeats=1, verbose=False, C=0.01)
    assert fixed.attrs["C"][0.5] == [0.01]
    for bad in (0, -1.0, "auto", float("inf"), True):
        with pytest.raises(ValueError, match="'C' parameter of node_classification"):
            node_classification(emb, labels, verbose=False, C=bad)
    with pytest.raises(ValueError, match="'prediction' parameter of node_classification"):
        node_classification(emb, labels, verbose=False, prediction="top-1")


def test_minimum_label_size_drops_and_prints(blobs, capsys):
    emb, labels = blobs
    kept, dropped = drop_small_labels(labels, 3)
    assert dropped == ["rare"] and all("rare" not in v for v in kept.values()) and len(kept) == 60
    df = node_classification(emb, labels, train_ratios=0.5, repeats=1, min_label_size=3)
    out = capsys.readouterr().out
    assert "dropped 1 label(s) with fewer than 3 nodes" in out
    assert df.attrs["dropped_labels"] == ["rare"] and "3 labels (1 dropped)" in df.attrs["protocol"]
    # Dropping every label of a node leaves the node out.
    kept, dropped = drop_small_labels({0: ["a"], 1: ["b"], 2: ["b"]}, 2)
    assert kept == {1: ["b"], 2: ["b"]} and dropped == ["a"]
    with pytest.raises(ValueError, match="'min_label_size' parameter"):
        node_classification(emb, labels, verbose=False, min_label_size=0)


def test_cross_validation_scores_only_the_given_nodes(blobs):
    emb, labels = blobs
    subset = {v: labels[v] for v in range(0, 60, 2)}
    res = cross_validate_node_classification(emb, subset, folds=5, seed=0)
    assert sorted(res["nodes"]) == sorted(subset)
    assert len(res["fold_scores"]["macro_f1"]) == 5
    assert res["scores"]["micro_f1"] > 0.9  # separable classes
    assert "5-fold cross-validation on 30 labelled nodes" in res["protocol"]
    again = cross_validate_node_classification(emb, subset, folds=5, seed=0)
    assert again["scores"] == res["scores"]
    with pytest.raises(ValueError, match=r"4 labelled node\(s\) cannot make folds=10 folds"):
        cross_validate_node_classification(emb, {v: labels[v] for v in (0, 20, 40, 41)}, folds=10)
    with pytest.raises(ValueError, match="'folds' parameter"):
        cross_validate_node_classification(emb, subset, folds=1)


@pytest.fixture(scope="module")
def karate_split():
    g = CSRGraph.from_scipy(nx.to_scipy_sparse_array(nx.karate_club_graph(), weight=None))
    split = train_test_split_edges(g, test_fraction=0.5, seed=0)
    rng = np.random.default_rng(0)
    emb = Embedding(g.nodes, rng.normal(size=(g.num_nodes, 8)))
    return split, emb


def test_link_prediction_classifier_protocols(karate_split):
    split, emb = karate_split
    res = score_link_prediction(emb, split)
    half = score_link_prediction(emb, split, classifier_protocol="half", seed=1)
    raw = score_link_prediction(emb, split, standardize=False)
    k = len(split.test_pos) + len(split.test_neg)
    assert set(res["operator"]) == {"hadamard", "average", "l1", "l2"}
    assert (res["n_train"] == len(split.train_pos) + len(split.train_neg)).all() and (res["n_test"] == k).all()
    assert (half["n_train"] + half["n_test"] == k).all() and (half["n_test"] >= k // 2).all()
    assert "trained on the residual edges" in res.attrs["protocol"] and "standardised" in res.attrs["protocol"]
    assert "half of the held-out pairs" in half.attrs["protocol"] and "raw features" in raw.attrs["protocol"]
    assert not np.allclose(half["roc_auc"], res["roc_auc"])
    again = score_link_prediction(emb, split, classifier_protocol="half", seed=1)
    np.testing.assert_array_equal(again["roc_auc"], half["roc_auc"])
    with pytest.raises(ValueError, match="'classifier_protocol' parameter of score_link_prediction"):
        score_link_prediction(emb, split, classifier_protocol="all")
    with pytest.raises(ValueError, match="'standardize' parameter"):
        score_link_prediction(emb, split, standardize="yes")


def test_cli_evaluate_states_its_options(blobs, tmp_path, capsys):
    from graphemb.cli import main

    emb, labels = blobs
    path = tmp_path / "e.npz"
    emb.save(path)
    labs = tmp_path / "labels.tsv"
    labs.write_text("".join(f"{v}\t{lab}\n" for v, ls in labels.items() for lab in ls))
    args = ["evaluate", "--embedding", str(path), "--labels", str(labs), "--train-ratios", "0.5", "--repeats", "1"]
    assert main([*args, "--prediction", "threshold", "--C", "cv", "--min-label-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "thresholded prediction" in out and "C chosen by 3-fold CV" in out and "(1 dropped)" in out
    assert main(args) == 0
    assert "C=1, top-k prediction" in capsys.readouterr().out
