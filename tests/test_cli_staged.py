"""Tests of the staged command line: ``graphemb walk`` + ``graphemb train`` equal ``graphemb embed``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graphemb import Embedding, read_edgelist, read_walks
from graphemb.cli import main

ROOT = Path(__file__).resolve().parents[1]
WALK = ["--walk-length", "10", "--num-walks", "4", "--workers", "1"]
TRAIN = ["--dimensions", "8", "--window-size", "3", "--workers", "1"]


@pytest.fixture(scope="module")
def edges(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("staged")
    g = nx.les_miserables_graph()  # string ids with no whitespace after replacing spaces
    path = folder / "edges.tsv"
    path.write_text("".join(f"{u.replace(' ', '_')}\t{v.replace(' ', '_')}\n" for u, v in g.edges()))
    return path


def graphemb_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "graphemb", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_walk_then_train_equals_embed_bit_for_bit(edges, tmp_path):
    one = tmp_path / "embed.emb"
    walks = tmp_path / "walks"
    two = tmp_path / "staged.emb"
    pq = ["--p", "0.5", "--q", "2"]
    r = graphemb_cli("embed", "--input", str(edges), "--output", str(one), "--seed", "9", *WALK, *TRAIN[:4], *pq)
    assert r.returncode == 0, r.stderr
    r = graphemb_cli("walk", "--input", str(edges), "--output", str(walks), "--seed", "9", *WALK, *pq, "--quiet")
    assert r.returncode == 0, r.stderr
    r = graphemb_cli("train", "--walks", str(walks), "--output", str(two), "--seed", "9", *TRAIN, "--quiet")
    assert r.returncode == 0, r.stderr
    assert one.read_bytes() == two.read_bytes()
    # without --seed, train takes the run seed the walk directory recorded
    three = tmp_path / "recorded.emb"
    r = graphemb_cli("train", "--walks", str(walks), "--output", str(three), *TRAIN, "--quiet")
    assert r.returncode == 0, r.stderr
    assert three.read_bytes() == one.read_bytes()
    manifest = read_walks(walks).manifest
    assert manifest["metadata"]["run_seed"] == 9 and manifest["walks"]["p"] == 0.5


def test_embed_spilled_with_a_small_memory_limit_equals_in_memory(edges, tmp_path, capsys):
    base = ["embed", "--input", str(edges), "--seed", "3", *WALK, *TRAIN[:4], "--quiet"]
    assert main([*base, "--output", str(tmp_path / "a.emb")]) == 0
    work = tmp_path / "work"
    # 77 nodes x 8 dims: the fixed items take about 31 KiB; 40K leaves too little for the 13 KiB corpus
    assert main([*base, "--output", str(tmp_path / "b.emb"), "--memory-limit", "40K", "--workdir", str(work)]) == 0
    capsys.readouterr()
    assert (work / "walks" / "manifest.json").exists()  # it spilled
    assert (tmp_path / "a.emb").read_bytes() == (tmp_path / "b.emb").read_bytes()


def test_text_walks_round_trip_through_train(edges, tmp_path, capsys):
    text = tmp_path / "walks.txt"
    assert main(["walk", "--input", str(edges), "--output", str(text), "--format", "text", "--seed", "2", *WALK,
                 "--quiet"]) == 0  # fmt: skip
    lines = text.read_text().splitlines()
    assert len(lines) == 77 * 4 and all(len(line.split()) == 10 for line in lines)
    first = read_edgelist(edges).nodes[0]
    assert lines[0].split()[0] == first and lines[1].split()[0] != first  # original ids, walks from each node
    out = tmp_path / "t.emb"
    assert main(["train", "--walks", str(text), "--output", str(out), "--seed", "2", *TRAIN, "--quiet"]) == 0
    emb = Embedding.load_word2vec_format(out)
    assert len(emb) == 77 and emb.dimensions == 8 and "Valjean" in emb
    # the text walks are the walk directory's walks
    shards = tmp_path / "w"
    assert main(["walk", "--input", str(edges), "--output", str(shards), "--seed", "2", *WALK, "--quiet"]) == 0
    corpus = read_walks(shards)
    assert [" ".join(w) for w in corpus.to_corpus().to_lists()] == lines
    capsys.readouterr()


def test_staged_errors_are_one_line(edges, tmp_path, capsys):
    walks = tmp_path / "w"
    assert main(["walk", "--input", str(edges), "--output", str(walks), "--seed", "1", *WALK, "--quiet"]) == 0
    assert main(["walk", "--input", str(edges), "--output", str(walks), "--seed", "1", *WALK, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "overwrite" in err
    assert main(["walk", "--input", str(edges), "--output", str(walks), "--seed", "2", *WALK, "--quiet",
                 "--overwrite"]) == 0  # fmt: skip
    assert main(["train", "--walks", str(tmp_path / "nope"), "--output", str(tmp_path / "x.emb")]) == 2
    assert "no such walk directory" in capsys.readouterr().err
    (walks / "shards" / "w000000000000.walks.npy").unlink()
    assert main(["train", "--walks", str(walks), "--output", str(tmp_path / "x.emb"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "w000000000000.walks.npy" in err and "missing" in err and not (tmp_path / "x.emb").exists()
    code = main(["embed", "--input", str(edges), "--output", str(tmp_path / "y.emb"), "--memory-limit", "1K",
                 "--quiet", *WALK])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "memory plan needs" in err and "vector tables" in err and err.count("\n") == 1
    with pytest.raises(SystemExit) as exc:
        main(["embed", "--input", str(edges), "--output", "y.emb", "--memory-limit", "lots"])
    assert exc.value.code == 2 and "--memory-limit" in capsys.readouterr().err


def test_walk_and_train_take_every_flag_of_embed():
    from graphemb.cli import WALK_DESTS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices

    def flags(name):
        return {a.dest for a in sub[name]._actions if a.option_strings}

    embed, walk, train = flags("embed"), flags("walk"), flags("train")
    assert set(WALK_DESTS) <= walk
    assert embed - {"input", "output"} <= walk | train
    assert embed - set(WALK_DESTS) - {"input"} <= train
    np.testing.assert_equal(sorted(walk & train), sorted({"workers", "seed", "quiet", "memory_limit", "verbose",
                                                          "scheduler", "log_level", "output", "help"}))  # fmt: skip


def test_verbose_keeps_stage_lines_under_quiet():
    """Regression: ``--quiet --verbose`` (benchmarks/scale.py) must log the phases at INFO, not silence them."""
    import argparse
    import logging

    from graphemb.cli import _configure_logging

    log = logging.getLogger("graphemb")
    before = log.level
    try:
        _configure_logging(argparse.Namespace(quiet=True, verbose=True, log_level=None))
        assert log.level == logging.INFO
        _configure_logging(argparse.Namespace(quiet=True, verbose=False, log_level=None))
        assert log.level == logging.ERROR
    finally:
        log.setLevel(before)
