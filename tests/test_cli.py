"""Tests of the command line (graphemb.cli): embed, evaluate, demo, errors and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import graphemb
from graphemb import Embedding
from graphemb.cli import main

FAST = ["--dimensions", "8", "--walk-length", "10", "--num-walks", "4", "--window-size", "3", "--workers", "1"]


@pytest.fixture(scope="module")
def karate_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("karate")
    g = nx.karate_club_graph()
    edges = folder / "edges.tsv"
    edges.write_text("# Zachary's karate club\n" + "".join(f"{u + 1}\t{v + 1}\n" for u, v in g.edges()))
    labels = folder / "labels.tsv"
    labels.write_text("".join(f"{v + 1}\t{g.nodes[v]['club'].replace(' ', '_')}\n" for v in g))
    return edges, labels


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -------------------------------------------------------------------- embed
def test_embed_writes_word2vec_text(karate_files, tmp_path, capsys):
    edges, _ = karate_files
    out = tmp_path / "k.emb"
    code, _, err = run_cli(["embed", "--input", str(edges), "--output", str(out), "--seed", "1", *FAST], capsys)
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "34 8" and len(lines) == 35
    emb = Embedding.load_word2vec_format(out, node_type=int)
    assert sorted(emb.nodes) == list(range(1, 35))


def test_embed_is_reproducible_and_matches_the_api(karate_files, tmp_path, capsys):
    edges, _ = karate_files
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for path in paths:
        args = ["embed", "--input", str(edges), "--output", str(path), "--seed", "4", "--p", "0.5", "--q", "2"]
        assert run_cli([*args, "--format", "npz", "--quiet", *FAST], capsys)[0] == 0
    a, b = (Embedding.load(p) for p in paths)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    graph = graphemb.read_edgelist(edges)
    model = graphemb.Node2Vec(dimensions=8, walk_length=10, num_walks=4, window=3, p=0.5, q=2.0, workers=1, seed=4,
                              verbose=False).fit(graph)  # fmt: skip
    assert a.nodes == model.embedding_.nodes
    np.testing.assert_array_equal(a.vectors, model.embedding_.vectors)


def test_embed_quiet_prints_nothing(karate_files, tmp_path, capsys):
    edges, _ = karate_files
    args = ["embed", "--input", str(edges), "--output", str(tmp_path / "q.emb"), "--quiet", *FAST]
    assert run_cli(args, capsys) == (0, "", "")


def test_embed_directed_weighted_and_delimiter(tmp_path, capsys):
    edges = tmp_path / "arcs.csv"
    edges.write_text("a,b,2.0\nb,c,1.0\nc,a,0.5\n")
    out = tmp_path / "arcs.npz"
    args = ["embed", "--input", str(edges), "--output", str(out), "--delimiter", "comma", "--directed", "--weighted"]
    code, _, err = run_cli([*args, "--format", "npz", "--quiet", *FAST], capsys)
    assert code == 0, err
    assert Embedding.load(out).nodes == ["a", "b", "c"]


# ------------------------------------------------------------------- errors
def test_malformed_input_is_one_line_with_file_and_line(tmp_path, capsys):
    edges = tmp_path / "bad.tsv"
    edges.write_text("1\t2\n2\t3\n3\tx\ty\tz\n")
    out = tmp_path / "never.emb"
    code, stdout, err = run_cli(["embed", "--input", str(edges), "--output", str(out), *FAST], capsys)
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and f"{edges}:3" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "match"),
    [
        (["--p", "-1"], "argument --p: must be a finite float > 0. Got '-1' instead."),
        (["--walk-length", "0"], "argument --walk-length: must be an int >= 1"),
        (["--dimensions", "ten"], "argument --dimensions: must be an int >= 1. Got 'ten'"),
        (["--delimiter", "::"], "argument --delimiter: must be one character"),
        (["--format", "csv"], "argument --format: invalid choice"),
    ],
)
def test_bad_flags_exit_2_with_one_line(karate_files, tmp_path, capsys, flags, match):
    edges, _ = karate_files
    with pytest.raises(SystemExit) as info:
        main(["embed", "--input", str(edges), "--output", str(tmp_path / "o.emb"), *flags])
    err = capsys.readouterr().err
    assert info.value.code == 2 and match in err and err.count("\n") == 1


def test_missing_input_and_output_folder(karate_files, tmp_path, capsys):
    edges, _ = karate_files
    code, _, err = run_cli(["embed", "--input", str(tmp_path / "nope.tsv"), "--output", str(tmp_path / "o")], capsys)
    assert code == 2 and "nope.tsv: no such file" in err
    code, _, err = run_cli(["embed", "--input", str(edges), "--output", str(tmp_path / "no" / "o.emb")], capsys)
    assert code == 2 and "does not exist" in err


def test_interrupt_leaves_no_output(karate_files, tmp_path, capsys, monkeypatch):
    edges, _ = karate_files
    out = tmp_path / "o.emb"

    def interrupted(self, graph):
        raise KeyboardInterrupt

    monkeypatch.setattr(graphemb.models.Node2Vec, "fit", interrupted)
    code, _, err = run_cli(["embed", "--input", str(edges), "--output", str(out), *FAST], capsys)
    assert code == 130 and "interrupted" in err
    assert os.listdir(tmp_path) == []


def test_no_command_is_a_usage_error(capsys):
    code, _, err = run_cli([], capsys)
    assert code == 2 and "usage: graphemb" in err


# ----------------------------------------------------------------- evaluate
def test_evaluate_scores_an_embedding(karate_files, tmp_path, capsys):
    edges, labels = karate_files
    out = tmp_path / "k.emb"
    embed = ["embed", "--input", str(edges), "--output", str(out), "--seed", "0", "--quiet", *FAST]
    assert run_cli(embed, capsys)[0] == 0
    args = ["evaluate", "--embedding", str(out), "--labels", str(labels), "--train-ratios", "0.5", "--repeats", "3"]
    code, stdout, err = run_cli(args, capsys)
    assert code == 0, err
    assert "macro_f1" in stdout and "train 0.5" in stdout and "single-label" in stdout


def test_evaluate_reports_foreign_labels(karate_files, tmp_path, capsys):
    edges, _ = karate_files
    out = tmp_path / "k.emb"
    run_cli(["embed", "--input", str(edges), "--output", str(out), "--quiet", *FAST], capsys)
    labels = tmp_path / "labels.tsv"
    labels.write_text("1\tA\n999\tB\n")
    code, _, err = run_cli(["evaluate", "--embedding", str(out), "--labels", str(labels)], capsys)
    assert code == 2 and "999" in err and err.count("\n") == 1


# --------------------------------------------------------------------- demo
def test_demo_writes_karate_embedding(tmp_path, capsys):
    out = tmp_path / "karate.emb"
    code, stdout, _ = run_cli(["demo", "--output", str(out)], capsys)
    assert code == 0
    assert "macro_f1" in stdout and "nearest to member 0 (Mr. Hi)" in stdout
    assert len(Embedding.load_word2vec_format(out)) == 34


def test_python_dash_m_entry_point():
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-m", "graphemb", "--version"], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0 and done.stdout.strip() == f"graphemb {graphemb.__version__}"
