"""A newcomer's path: pictures, logs that read well in pipes, evaluators over networkx, examples without matplotlib.

"Without matplotlib" is simulated in a child process by a ``sitecustomize``
that sets ``sys.modules["matplotlib"] = None`` (the import then fails exactly as
when the package is absent).
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import graphemb
from graphemb import CSRGraph, Embedding
from graphemb.evaluation import link_prediction, node_classification, train_test_split_edges

ROOT = Path(__file__).resolve().parents[1]


def child_env(tmp_path: Path, without_matplotlib: bool = False) -> dict:
    paths = [str(ROOT)]
    if without_matplotlib:
        blocker = tmp_path / "no-matplotlib"
        blocker.mkdir(exist_ok=True)
        (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['matplotlib'] = None\n")
        paths.insert(0, str(blocker))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("MPLBACKEND", None)
    return env


def run(cmd: list[str], tmp_path: Path, without_matplotlib: bool = False, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=tmp_path, env=child_env(tmp_path, without_matplotlib), capture_output=True, text=True,
        timeout=600, **kw,
    )  # fmt: skip


def two_blocks() -> Embedding:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (20, 5)) + 1, rng.normal(0, 0.1, (20, 5)) - 1])
    return Embedding([f"n{i}" for i in range(40)], x)


# ------------------------------------------------------------------ pictures
@pytest.mark.parametrize("method", ["pca", pytest.param("tsne", marks=pytest.mark.slow)])
def test_embedding_plot_one_point_per_node_coloured_by_label(method):
    pytest.importorskip("matplotlib")
    emb = two_blocks()
    labels = {v: ("left" if i < 20 else "right") for i, v in enumerate(emb.nodes)}
    del labels["n0"]  # unlabelled: drawn grey
    fig = emb.plot(labels=labels, method=method)
    points = fig.axes[0].collections
    sizes = {c.get_label(): len(c.get_offsets()) for c in points}
    assert sizes == {"no label": 1, "left": 19, "right": 20}
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["no label", "left", "right"]
    if method == "pca":  # the two blocks are far apart along the first component
        left = np.concatenate([c.get_offsets()[:, 0] for c in points if c.get_label() in ("left", "no label")])
        right = points[-1].get_offsets()[:, 0]
        assert (left.max() < right.min()) or (right.max() < left.min())
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_errors():
    pytest.importorskip("matplotlib")
    emb = two_blocks()
    with pytest.raises(ValueError, match="'method' parameter must be one of 'pca', 'tsne', 'umap'"):
        emb.plot(method="mds")
    with pytest.raises(ValueError, match="labels has 3 entries but there are 40 nodes"):
        emb.plot(labels=[1, 2, 3])
    try:
        import umap  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install umap-learn"):
            emb.plot(method="umap")


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'Embedding.plot needs matplotlib.*pip install "graphemb\[plot\]"'):
        two_blocks().plot()


def test_cli_plot_writes_a_png_and_fails_cleanly_without_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    emb = two_blocks()
    emb.save_word2vec_format(tmp_path / "e.emb")
    (tmp_path / "labels.tsv").write_text("".join(f"n{i}\t{i // 20}\n" for i in range(40)))
    cmd = [sys.executable, "-m", "graphemb", "plot", "e.emb", "--labels", "labels.tsv", "--output", "fig.png"]
    r = run(cmd, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "fig.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = run([*cmd[:-1], "fig2.png"], tmp_path, without_matplotlib=True)
    assert r.returncode == 2 and not (tmp_path / "fig2.png").exists()
    assert r.stderr.strip() == (
        'graphemb plot: error: graphemb plot needs matplotlib, which is not installed: pip install "graphemb[plot]"'
    )


# ---------------------------------------------------------------------- logs
def write_karate(tmp_path: Path) -> None:
    nx.write_edgelist(nx.karate_club_graph(), tmp_path / "karate.txt", data=False)


EMBED = ["-m", "graphemb", "embed", "--input", "karate.txt", "--output", "k.emb", "--dimensions", "8",
         "--walk-length", "10", "--num-walks", "5", "--workers", "1", "--seed", "0"]  # fmt: skip


def test_logs_in_a_pipe_are_stage_lines_without_bars(tmp_path):
    write_karate(tmp_path)
    r = run([sys.executable, *EMBED], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr  # no progress-bar updates in a pipe or a log file
    lines = r.stderr.splitlines()
    assert any(line.startswith("graphemb: INFO: read karate.txt") and "34 nodes, 78 edges" in line for line in lines)
    assert any("Node2Vec walks: 170 walks, 1700 tokens in" in line and "peak RSS" in line for line in lines)
    assert any(line.startswith("graphemb: INFO: SGNS: 1700 tokens in") and "tokens/s" in line for line in lines)
    assert len(lines) <= 10
    quiet = run([sys.executable, *EMBED, "--quiet"], tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    warn = run([sys.executable, *EMBED, "--log-level", "warning"], tmp_path)
    assert warn.returncode == 0 and "INFO" not in warn.stderr


def test_bars_on_a_terminal(tmp_path):
    write_karate(tmp_path)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 0-column pty draws no bar
    try:
        proc = subprocess.Popen(
            [sys.executable, *EMBED, "--num-walks", "50"], cwd=tmp_path, env=child_env(tmp_path),
            stdout=subprocess.DEVNULL, stderr=follower,
        )  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=600) == 0
    finally:
        os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in text and ("random walks" in text or "SGNS" in text)  # tqdm drew on the terminal
    assert "INFO" not in text  # on a terminal the bars report progress, not log lines


# ----------------------------------------------------- evaluators' inputs
def test_split_over_every_graph_type_gives_the_same_split_in_original_ids():
    g = nx.relabel_nodes(nx.karate_club_graph(), {i: f"m{i:02d}" for i in range(34)})
    base = train_test_split_edges(CSRGraph.from_networkx(g), test_fraction=0.3, seed=3)
    from_nx = train_test_split_edges(g, test_fraction=0.3, seed=3)
    assert from_nx.test_edges == base.test_edges and from_nx.train_non_edges == base.train_non_edges
    assert all(isinstance(u, str) and g.has_edge(u, v) for u, v in from_nx.test_edges)
    assert all(not g.has_edge(u, v) for u, v in from_nx.test_non_edges + from_nx.train_non_edges)
    np.testing.assert_array_equal(from_nx.test_pos, base.test_pos)  # index arrays still there
    assert from_nx.test_edges == from_nx.to_ids(from_nx.test_pos)
    kept = {frozenset(e) for e in from_nx.train_edges}
    assert kept.isdisjoint({frozenset(e) for e in from_nx.test_edges}) and len(kept) + len(from_nx.test_edges) == 78
    a = nx.to_scipy_sparse_array(nx.karate_club_graph(), nodelist=range(34), weight=None)
    from_scipy = train_test_split_edges(sp.csr_matrix(a), test_fraction=0.3, seed=3)
    assert all(isinstance(u, int) for u, _ in from_scipy.test_edges)
    assert train_test_split_edges(a.toarray(), test_fraction=0.3, seed=3).test_edges == from_scipy.test_edges
    frame = pd.DataFrame(list(g.edges()), columns=["source", "target"])
    assert train_test_split_edges(frame, test_fraction=0.3, seed=3).test_edges == base.test_edges
    with pytest.raises(TypeError, match="networkx graph, a scipy sparse"):
        train_test_split_edges([(0, 1)])


def test_link_prediction_and_node_classification_over_networkx():
    g = nx.relabel_nodes(nx.karate_club_graph(), {i: f"m{i}" for i in range(34)})
    model = graphemb.Node2Vec(dimensions=8, walk_length=10, num_walks=5, workers=1, seed=0, verbose=False)
    scores, predictions = link_prediction(g, model, seed=1, operators=("hadamard",), return_predictions=True)
    assert list(scores["operator"]) == ["hadamard"] and len(predictions) == 78
    assert set(predictions["u"]) <= set(g.nodes) and list(predictions.columns) == ["u", "v", "label", "score_hadamard"]
    assert not hasattr(model, "embedding_")  # the model passed in stays unfitted
    model.fit(g)
    clubs = {v: g.nodes[v]["club"] for v in g}
    by_model = node_classification(model, clubs, train_ratios=0.5, repeats=2, verbose=False)
    by_embedding = node_classification(model.embedding_, clubs, train_ratios=0.5, repeats=2, verbose=False)
    pd.testing.assert_frame_equal(by_model, by_embedding)


def test_node_classification_takes_a_label_indicator_matrix():
    emb = Embedding(range(40), two_blocks().vectors)
    y = np.zeros((40, 3))
    y[:20, 0] = 1
    y[20:, 1] = 1
    y[::10, 2] = 1  # a few nodes with two labels
    dense = node_classification(emb, y, train_ratios=0.5, repeats=2, verbose=False)
    as_dict = {i: [int(j) for j in np.flatnonzero(y[i])] for i in range(40)}
    pd.testing.assert_frame_equal(dense, node_classification(emb, as_dict, train_ratios=0.5, repeats=2, verbose=False))
    sparse = node_classification(emb, sp.csr_matrix(y), train_ratios=0.5, repeats=2, verbose=False)
    pd.testing.assert_frame_equal(dense, sparse)


# ------------------------------------------------------------------ examples
def test_quickstart_runs_without_matplotlib(tmp_path):
    r = run([sys.executable, str(ROOT / "examples" / "quickstart.py"), "--quick", "--out", "out"], tmp_path,
            without_matplotlib=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "nearest to 0 (Mr. Hi)" in r.stdout and "micro_f1" in r.stdout
    hint = [line for line in r.stdout.splitlines() if "matplotlib" in line]
    assert hint == ['matplotlib is not installed; plots are skipped. Install them with: pip install "graphemb[plot]"']
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["karate.emb", "karate.npz"]


@pytest.mark.slow
@pytest.mark.parametrize("example", ["quickstart", "image_graph", "negative_sampling_study"])
@pytest.mark.parametrize("matplotlib", [False, True], ids=["core", "plot"])
def test_examples_quick(tmp_path, example, matplotlib):
    if matplotlib:
        pytest.importorskip("matplotlib")
    r = run([sys.executable, str(ROOT / "examples" / f"{example}.py"), "--quick", "--out", "out"], tmp_path,
            without_matplotlib=not matplotlib)  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    pngs = list((tmp_path / "out").glob("*.png"))
    assert bool(pngs) == matplotlib
    assert ('pip install "graphemb[plot]"' in r.stdout) != matplotlib
