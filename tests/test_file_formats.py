"""The field's files in and out: DeepWalk's adjacency lists and .mat benchmarks, gensim, pandas, numpy.

The command line runs as a subprocess where what the user sees depends on the
process (exit status, stderr of a failed run, the file read by another tool),
and in-process through ``graphemb.cli.main`` otherwise (a fresh interpreter
costs seconds on a loaded machine).  The DeepWalk
scorer below is written the way DeepWalk's ``example_graphs/scoring.py`` is:
``KeyedVectors.load_word2vec_format`` and ``model[str(i)]`` for matrix rows
``i = 0..n-1`` (skipped when gensim is absent).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.io
import scipy.sparse as sp

from graphemb import Embedding
from graphemb.graph.io import read_adjlist, read_mat

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "graphemb", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def run_main(*args: str, cwd: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    """``graphemb ARGS`` in this process (same entry point as the console script)."""
    from graphemb.cli import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def karate_mat(path: Path, network: str = "network", group: str = "group") -> tuple[nx.Graph, np.ndarray]:
    """Karate club as DeepWalk's .mat layout: sparse (34, 34) network, sparse (34, 2) club indicator."""
    g = nx.karate_club_graph()
    a = nx.to_scipy_sparse_array(g, nodelist=range(34), weight=None).astype(np.float64)
    officer = np.array([g.nodes[i]["club"] == "Officer" for i in range(34)])
    y = np.stack([~officer, officer], axis=1).astype(np.float64)
    scipy.io.savemat(path, {network: sp.csc_matrix(a), group: sp.csc_matrix(y)})
    return g, y


# ------------------------------------------------------------------ adjlist
def test_adjlist_like_deepwalks_karate(tmp_path):
    path = tmp_path / "g.adjlist"
    path.write_text("# DeepWalk adjacency list\n1 2 3\n2 1 3\n3 1\n3 5\n4\n")
    g = read_adjlist(path)
    assert g.nodes == [1, 2, 3, 4, 5]
    assert not g.directed and g.num_edges == 4  # 1-2, 1-3, 2-3, 3-5 (listed twice = once)
    assert sorted(g.neighbors(3)) == [1, 2, 5]
    assert g.neighbors(4) == []  # alone on its line: isolated, still a node
    d = read_adjlist(path, directed=True)
    assert d.directed and d.has_edge(3, 5) and not d.has_edge(5, 3)


def test_adjlist_string_ids_and_dangling_token(tmp_path):
    (tmp_path / "s.adjlist").write_text("a b c\nb a\n")
    g = read_adjlist(tmp_path / "s.adjlist")
    assert g.nodes == ["a", "b", "c"] and g.num_edges == 2
    (tmp_path / "bad.adjlist").write_text("1 2 3\n2 1 3,\n")
    with pytest.raises(ValueError, match=r"bad\.adjlist:2: token '3,' is not an int node id"):
        read_adjlist(tmp_path / "bad.adjlist")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_adjlist(tmp_path / "missing.adjlist")


# ---------------------------------------------------------------------- mat
def test_read_mat_ids_are_rows_and_labels_columns(tmp_path):
    g, y = karate_mat(tmp_path / "k.mat")
    graph, labels = read_mat(tmp_path / "k.mat")
    assert graph.nodes == list(range(34)) and graph.num_edges == 78 and not graph.directed
    assert all(graph.has_edge(u, v) for u, v in g.edges())
    assert labels == {i: [int(np.flatnonzero(y[i])[0])] for i in range(34)}
    none, only = read_mat(tmp_path / "k.mat", adj_matrix_name=None)
    assert none is None and only == labels


def test_read_mat_names_missing_variables(tmp_path):
    karate_mat(tmp_path / "k.mat", network="A", group="labels")
    with pytest.raises(
        ValueError, match=r"no variable 'network' \(the adj_matrix_name\); the file holds \['A', 'labels'\]"
    ):
        read_mat(tmp_path / "k.mat")
    graph, labels = read_mat(tmp_path / "k.mat", "A", "labels")
    assert graph.num_nodes == 34 and len(labels) == 34
    (tmp_path / "not.mat").write_bytes(b"this is not a mat file at all" * 10)
    with pytest.raises(ValueError, match="not a readable MATLAB .mat file"):
        read_mat(tmp_path / "not.mat")


def test_cli_mat_without_the_named_variable_fails_in_one_line(tmp_path):
    karate_mat(tmp_path / "k.mat", network="A")
    r = cli("embed", "--input", "k.mat", "--output", "k.emb", cwd=tmp_path)
    assert r.returncode == 2
    assert "no variable 'network'" in r.stderr and "['A', 'group']" in r.stderr and "--adj-matrix-name" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "k.emb").exists()


def test_cli_adjlist_input_and_its_errors(tmp_path, capsys, monkeypatch):
    (tmp_path / "g.adjlist").write_text("0 1 2\n1 2\n2 0\n3 4\n")
    code, _, err = run_main("embed", "--input", "g.adjlist", "--format", "adjlist", "--output", "g.emb",
                            "--dimensions", "4", "--walk-length", "5", "--num-walks", "2", "--workers", "1",
                            cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, err
    assert sorted(Embedding.load_word2vec_format(tmp_path / "g.emb", node_type=int).nodes) == [0, 1, 2, 3, 4]
    (tmp_path / "bad.adjlist").write_text("1 2\n2 1 x\n")
    bad = ("embed", "--input", "bad.adjlist", "--format", "adjlist", "--output", "b.emb")
    code, _, err = run_main(*bad, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "bad.adjlist:2: token 'x'" in err and not (tmp_path / "b.emb").exists()
    code, _, err = run_main(*bad, "--weighted", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "--weighted applies to edge lists only" in err
    code, _, err = run_main(*bad, "--input-format", "mat", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "contradicts --input-format mat" in err


def deepwalk_style_scores(emb_path: Path, mat_path: Path, seed: int = 0) -> float:
    """Micro-F1 at 50 % as DeepWalk's scoring.py computes it: gensim look-ups by str(i), i = matrix row."""
    from gensim.models import KeyedVectors
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier

    model = KeyedVectors.load_word2vec_format(str(emb_path), binary=False)
    mat = scipy.io.loadmat(str(mat_path))
    n = mat["network"].shape[0]
    labels = sp.csr_matrix(mat["group"])
    features = np.asarray([model[str(node)] for node in range(n)])  # KeyError if an id is not a matrix row
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n // 2], order[n // 2 :]
    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear"))
    clf.fit(features[train], labels[train].toarray())
    proba = clf.predict_proba(features[test])
    k = np.asarray(labels[test].sum(axis=1)).ravel().astype(int)
    pred = np.zeros_like(proba, dtype=int)
    for i, kk in enumerate(k):
        pred[i, np.argsort(-proba[i])[:kk]] = 1
    return float(f1_score(labels[test].toarray(), pred, average="micro"))


def test_cli_embed_mat_is_read_by_deepwalks_scorer(tmp_path):
    pytest.importorskip("gensim")
    karate_mat(tmp_path / "karate.mat")
    r = cli(
        "embed", "--input", "karate.mat", "--output", "karate.emb", "--dimensions", "16", "--walk-length", "20",
        "--num-walks", "20", "--window-size", "5", "--q", "0.5", "--iter", "5", "--workers", "1", "--seed", "0",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    first = (tmp_path / "karate.emb").read_text().splitlines()[0]
    assert first == "34 16"
    micro = deepwalk_style_scores(tmp_path / "karate.emb", tmp_path / "karate.mat")
    assert micro > 0.8  # two clubs, well separated by node2vec (chance is about 0.5)


def test_cli_evaluate_labels_from_mat_in_three_formats(tmp_path, capsys, monkeypatch):
    karate_mat(tmp_path / "karate.mat")
    emb = Embedding(range(34), np.random.default_rng(0).normal(size=(34, 4)))
    emb.save_word2vec_format(tmp_path / "k.emb")
    base = ("evaluate", "--embedding", "k.emb", "--labels", "karate.mat", "--repeats", "2", "--train-ratios", "0.5")
    code, out, err = run_main(*base, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0, err
    assert "node classification:" in out and "micro_f1" in out and "train 0.5" in out
    code, out, _ = run_main(*base, "--format", "csv", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    df = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(df["metric"]) == ["micro_f1", "macro_f1"] and (df["n_train"] == 17).all()
    _, out, _ = run_main(*base, "--format", "json", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    js = json.loads(out)
    assert js["task"] == "node-classification" and len(js["results"]) == 2
    assert js["results"][0]["mean"] == pytest.approx(df["mean"][0])


def test_cli_link_prediction_trains_on_the_residual_graph(tmp_path, capsys, monkeypatch):
    g = nx.relabel_nodes(nx.karate_club_graph(), {i: f"m{i}" for i in range(34)})
    nx.write_edgelist(g, tmp_path / "karate.txt", data=False)
    code, out, err = run_main(
        "evaluate", "--task", "link-prediction", "--input", "karate.txt", "--dimensions", "8", "--walk-length", "10",
        "--num-walks", "4", "--workers", "1", "--format", "json", "--predictions", "pred.csv", "--quiet",
        cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["task"] == "link-prediction" and "residual graph" in res["protocol"]
    assert [row["operator"] for row in res["results"]] == ["hadamard", "average", "l1", "l2"]
    assert all(0.0 <= row["roc_auc"] <= 1.0 and row["n_test"] == 78 for row in res["results"])
    pred = pd.read_csv(tmp_path / "pred.csv")
    assert len(pred) == 78 and pred["label"].sum() == 39
    held_out = pred[pred["label"] == 1]
    assert all(g.has_edge(u, v) for u, v in zip(held_out["u"], held_out["v"], strict=True))  # original ids
    negatives = pred[pred["label"] == 0]
    assert not any(g.has_edge(u, v) for u, v in zip(negatives["u"], negatives["v"], strict=True))
    lp = ("evaluate", "--task", "link-prediction")
    code, _, err = run_main(*lp, "--embedding", "x.emb", "--input", "karate.txt", cwd=tmp_path, capsys=capsys,
                            monkeypatch=monkeypatch)  # fmt: skip
    assert code == 2 and "has seen the held-out edges" in err
    code, _, err = run_main(*lp, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "needs --input" in err


# ------------------------------------------------------- Embedding exports
def test_embedding_to_numpy_and_pandas():
    emb = Embedding(["a", "b", 3], np.arange(6, dtype=np.float32).reshape(3, 2))
    x = emb.to_numpy()
    assert x.dtype == np.float32 and x.tolist() == [[0, 1], [2, 3], [4, 5]]
    x[0, 0] = 99
    assert emb["a"][0] == 0  # a copy
    assert emb.to_numpy([3, "a"]).tolist() == [[4, 5], [0, 1]]
    df = emb.to_pandas()
    assert list(df.index) == ["a", "b", 3] and df.loc["b"].tolist() == [2, 3]


def test_gensim_round_trip():
    pytest.importorskip("gensim")
    emb = Embedding(range(5), np.random.default_rng(1).normal(size=(5, 3)))
    kv = emb.to_gensim()
    assert kv.index_to_key == ["0", "1", "2", "3", "4"]
    np.testing.assert_array_equal(kv["3"], emb[3])
    back = Embedding.from_gensim(kv, node_type=int)
    assert back.nodes == emb.nodes
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    assert Embedding.from_gensim(kv).nodes == ["0", "1", "2", "3", "4"]
    with pytest.raises(ValueError, match="would collide"):
        Embedding([1, "1"], np.eye(2)).to_gensim()


def test_to_gensim_without_gensim_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "gensim", None)
    monkeypatch.setitem(sys.modules, "gensim.models", None)
    with pytest.raises(ImportError, match=r'pip install "graphemb\[gensim\]"'):
        Embedding([0], np.ones((1, 2))).to_gensim()
    with pytest.raises(TypeError, match="expects gensim KeyedVectors"):
        Embedding.from_gensim(object())


def test_cli_labels_mat_without_the_label_variable(tmp_path, capsys, monkeypatch):
    karate_mat(tmp_path / "k.mat", group="clubs")
    Embedding(range(34), np.eye(34, 4)).save_word2vec_format(tmp_path / "k.emb")
    args = ("evaluate", "--embedding", "k.emb", "--labels", "k.mat", "--repeats", "1")
    code, _, err = run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "no variable 'group' (the label_matrix_name)" in err and "--label-matrix-name" in err
    code, out, err = run_main(*args, "--label-matrix-name", "clubs", cwd=tmp_path, capsys=capsys,
                              monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, err
