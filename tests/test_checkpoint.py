"""SGNS checkpoints: kill-and-resume equals an uninterrupted run, atomic writes, refusals; frequency order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from graphemb import SGNS
from graphemb.sgns import _kernels, checkpoint, trainer
from graphemb.sgns.checkpoint import CHECKPOINT_FILE, parse_every, read_checkpoint

ROOT = Path(__file__).resolve().parents[1]
PIECE = 1500  # tokens per piece in these tests: many checkpoints on a small corpus


def corpus() -> np.ndarray:
    """A deterministic power-law corpus: 600 walks of 30 tokens over 300 nodes."""
    rng = np.random.default_rng(7)
    return (rng.zipf(1.6, size=(600, 30)) % 300).astype(np.int32)


def model(**kw) -> SGNS:
    params = dict(dimensions=8, window=3, negative=3, epochs=2, workers=1, seed=11, verbose=False)
    params.update(kw)
    return SGNS(**params)


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(trainer, "_PIECE_TOKENS", PIECE)


def reference() -> SGNS:
    return model().fit(corpus(), num_nodes=300)


CHILD = textwrap.dedent(
    """
    import sys, numpy as np
    sys.path.insert(0, {root!r})
    from graphemb import SGNS
    from graphemb.sgns import _kernels, trainer
    trainer._PIECE_TOKENS = {piece}
    mode, folder, out = sys.argv[1:4]
    rng = np.random.default_rng(7)
    walks = (rng.zipf(1.6, size=(600, 30)) % 300).astype(np.int32)
    if mode == "kill":
        real, calls = _kernels.train_walk_range, [0]
        def hang_after_some_pieces(*args):
            result = real(*args)  # the tables move past the last checkpoint ...
            calls[0] += 1
            if calls[0] == {kill_at}:
                print("KILL ME", flush=True)  # ... and the parent kills the process here
                import time
                time.sleep(120)
            return result
        _kernels.train_walk_range = hang_after_some_pieces
    m = SGNS(dimensions=8, window=3, negative=3, epochs=2, workers=1, seed=11, verbose=False)
    m.fit(walks, num_nodes=300, checkpoint=folder, checkpoint_every=1, resume=(mode == "resume"))
    np.save(out, m.input_vectors_)
    np.save(out + ".out.npy", m.output_vectors_)
    np.save(out + ".loss.npy", m.loss_)
    print("trained", m.trained_tokens_, flush=True)
    """
)


def test_sigkill_mid_epoch_then_resume_equals_uninterrupted(tmp_path, small_pieces):
    ref = reference()
    tokens_per_epoch = 600 * 30
    pieces_per_epoch = -(-tokens_per_epoch // PIECE)
    kill_at = pieces_per_epoch + 4  # in the middle of the second epoch
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), piece=PIECE, kill_at=kill_at))
    folder, out = tmp_path / "ckpt", str(tmp_path / "vectors.npy")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(script), "kill", str(folder), out], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "KILL ME", line
        os.kill(proc.pid, signal.SIGKILL)  # the pid this test started
    finally:
        proc.wait(timeout=60)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    meta = read_checkpoint(folder)
    assert meta is not None and not meta["complete"]
    assert meta["state"]["epoch"] == 1 and 0 < meta["state"]["walk"] < 600  # mid-epoch
    assert not os.path.exists(out)

    done = subprocess.run(
        [sys.executable, str(script), "resume", str(folder), out], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    trained = int(done.stdout.split()[-1])
    assert 0 < trained < 2 * tokens_per_epoch  # it really resumed rather than starting over
    assert np.array_equal(np.load(out), ref.input_vectors_)
    assert np.array_equal(np.load(out + ".out.npy"), ref.output_vectors_)
    assert np.array_equal(np.load(out + ".loss.npy"), ref.loss_)
    final = read_checkpoint(folder)
    assert final["complete"] and final["state"]["epoch"] == 2


def test_crash_while_writing_leaves_previous_checkpoint(tmp_path, small_pieces, monkeypatch):
    """A process dying between the arrays and checkpoint.json: the old generation stays valid."""
    ref = reference()
    folder = tmp_path / "ckpt"
    real_replace = os.replace
    renames = {"json": 0}

    def failing_replace(src, dst):
        if str(dst).endswith(CHECKPOINT_FILE):
            renames["json"] += 1
            if renames["json"] == 5:
                raise KeyboardInterrupt("killed while writing")  # like a signal at this instant
        return real_replace(src, dst)

    monkeypatch.setattr(checkpoint.os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        model().fit(corpus(), num_nodes=300, checkpoint=folder, checkpoint_every=1)
    meta = read_checkpoint(folder)
    assert meta["generation"] == 4
    # only generation 4's arrays and the new generation's (orphans, not named by the JSON) exist
    named = {spec["file"] for spec in meta["arrays"].values()}
    assert named <= {p.name for p in folder.iterdir()}
    assert not list(folder.glob(".*tmp*"))
    monkeypatch.setattr(checkpoint.os, "replace", real_replace)
    resumed = model().fit(corpus(), num_nodes=300, checkpoint=folder, checkpoint_every=1, resume=True)
    assert np.array_equal(resumed.input_vectors_, ref.input_vectors_)
    assert np.array_equal(resumed.loss_, ref.loss_)
    assert {p.name for p in folder.glob("*.npy")} == {s["file"] for s in read_checkpoint(folder)["arrays"].values()}


def test_completed_checkpoint_resumes_without_training(tmp_path):
    folder = tmp_path / "ckpt"
    first = model().fit(corpus(), checkpoint=folder)
    again = model(seed=None).fit(corpus(), checkpoint=folder, resume=True)  # seed taken from the checkpoint
    assert again.trained_tokens_ == 0
    assert again.seed_ == 11
    assert np.array_equal(again.input_vectors_, first.input_vectors_)
    assert np.array_equal(again.output_vectors_, first.output_vectors_)
    assert np.array_equal(again.loss_, first.loss_)


def test_checkpoint_files_are_plain_npy_and_json(tmp_path):
    folder = tmp_path / "ckpt"
    m = model(epochs=1).fit(corpus(), checkpoint=folder)
    meta = json.loads((folder / CHECKPOINT_FILE).read_text())
    assert meta["format"] == "graphemb-sgns-checkpoint" and meta["format_version"] == 1
    arrays = {k: np.load(folder / v["file"], allow_pickle=False) for k, v in meta["arrays"].items()}
    assert set(arrays) == {"syn0", "syn1", "order"}
    # stored in internal (frequency) order: row r of the file is node order[r]
    assert np.array_equal(arrays["syn0"], m.input_vectors_[arrays["order"]])
    assert meta["identity"]["params"]["seed"] == 11
    assert meta["identity"]["node_counts"].startswith("sha256:")
    assert meta["schedule"] == {"alpha": 0.025, "min_alpha": 0.0001, "total_tokens": 18000.0}


def test_resume_refuses_another_runs_checkpoint(tmp_path):
    folder = tmp_path / "ckpt"
    model(epochs=1).fit(corpus(), checkpoint=folder)
    with pytest.raises(ValueError, match=r"checkpoint\.json was written by another run.*dimensions: 8 there, 16 here"):
        model(epochs=1, dimensions=16).fit(corpus(), checkpoint=folder, resume=True)
    other = corpus().copy()
    other[0, 0] = (other[0, 0] + 1) % 300
    with pytest.raises(ValueError, match=r"ckpt/checkpoint\.json.*node_counts"):
        model(epochs=1).fit(other, checkpoint=folder, resume=True)
    with pytest.raises(ValueError, match=r"caller\.num_walks: absent there, 10 here"):
        model(epochs=1).fit(corpus(), checkpoint=folder, resume=True, checkpoint_info={"num_walks": 10})


def test_existing_checkpoint_needs_resume(tmp_path):
    folder = tmp_path / "ckpt"
    model(epochs=1).fit(corpus(), checkpoint=folder)
    with pytest.raises(ValueError, match=r"already holds a checkpoint.*pass resume=True"):
        model(epochs=1).fit(corpus(), checkpoint=folder)


def test_truncated_or_newer_checkpoint_is_refused(tmp_path):
    folder = tmp_path / "ckpt"
    model(epochs=1).fit(corpus(), checkpoint=folder)
    meta = read_checkpoint(folder)
    syn0 = folder / meta["arrays"]["syn0"]["file"]
    data = syn0.read_bytes()
    syn0.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"syn0\.g000001\.npy is truncated"):
        model(epochs=1).fit(corpus(), checkpoint=folder, resume=True)
    meta["format_version"] = 99
    (folder / CHECKPOINT_FILE).write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"checkpoint\.json: format_version 99 is newer"):
        model(epochs=1).fit(corpus(), checkpoint=folder, resume=True)


def test_resume_without_checkpoint_starts_afresh(tmp_path, small_pieces):
    m = model().fit(corpus(), num_nodes=300, checkpoint=tmp_path / "new", resume=True)
    assert np.array_equal(m.input_vectors_, reference().input_vectors_)


def test_checkpoint_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="'resume' parameter of SGNS.fit needs checkpoint"):
        model().fit(corpus(), resume=True)
    with pytest.raises(ValueError, match="'checkpoint_every' parameter of SGNS.fit needs checkpoint"):
        model().fit(corpus(), checkpoint_every=10)
    with pytest.raises(ValueError, match="'checkpoint_every'"):
        model().fit(corpus(), checkpoint=tmp_path / "c", checkpoint_every="soon")


@pytest.mark.parametrize(
    "value, expected",
    [(None, (None, 300.0)), (5000, (5000, None)), ("5000", (5000, None)), ("5M", (5_000_000, None)),
     ("2k", (2000, None)), ("90s", (None, 90.0)), ("10m", (None, 600.0)), ("1.5h", (None, 5400.0))],
)  # fmt: skip
def test_parse_every(value, expected):
    assert parse_every(value) == expected


@pytest.mark.parametrize("value", [0, -3, True, "", "x", "0s", "-5m", 1.5])
def test_parse_every_rejects(value):
    with pytest.raises(ValueError, match="checkpoint_every"):
        parse_every(value)


# ------------------------------------------------------------- frequency order
def test_scatter_rows_inplace_matches_numpy():
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 50):
        table = rng.random((n, 5), dtype=np.float32)
        order = rng.permutation(n).astype(np.int64)
        expected = np.empty_like(table)
        expected[order] = table
        assert np.array_equal(_kernels.scatter_rows_inplace(table.copy(), order), expected)


def test_frequency_order_sorts_by_count_ties_by_index():
    order, rank = trainer._frequency_order(np.array([3, 9, 3, 0, 9], dtype=np.int64))
    assert order.tolist() == [1, 4, 0, 2, 3]
    assert rank.tolist() == [2, 0, 3, 4, 1]
    assert trainer._frequency_order(np.array([5, 4, 4, 1], dtype=np.int64)) == (None, None)


def test_frequency_order_is_invisible_to_the_caller():
    """Relabelling the nodes relabels the rows: the caller's order is kept, bit for bit.

    Every node has a distinct count, so the internal (frequency) numbering is the same for
    both labellings, and so is the whole training run.
    """
    n = 40
    walks = np.repeat(np.arange(n, dtype=np.int32), np.arange(1, n + 1))  # node v occurs v + 1 times
    walks = np.random.default_rng(3).permutation(walks)[: (walks.size // 20) * 20].reshape(-1, 20)
    counts = np.bincount(walks.ravel(), minlength=n)
    assert len(set(counts.tolist())) == n  # distinct counts
    relabel = np.random.default_rng(4).permutation(n).astype(np.int32)
    a = model(sample=0.0).fit(walks, num_nodes=n)
    b = model(sample=0.0).fit(relabel[walks], num_nodes=n)
    assert np.array_equal(b.input_vectors_[relabel], a.input_vectors_)
    assert np.array_equal(b.output_vectors_[relabel], a.output_vectors_)
    assert np.array_equal(b.loss_, a.loss_)


def test_frequency_order_off_trains_in_caller_order():
    walks = corpus()
    on = model().fit(walks)
    off = model(frequency_order=False).fit(walks)
    assert not np.array_equal(on.input_vectors_, off.input_vectors_)
    assert on.input_vectors_.shape == off.input_vectors_.shape
    assert abs(on.loss_[-1] - off.loss_[-1]) < 0.02  # same objective, same quality of fit


def test_piece_boundaries_do_not_change_the_result(monkeypatch):
    walks = corpus()
    whole = model().fit(walks)
    monkeypatch.setattr(trainer, "_PIECE_TOKENS", 777)
    cut = model().fit([walks[:250], walks[250:]])
    assert np.array_equal(whole.input_vectors_, cut.input_vectors_)
    assert np.allclose(whole.loss_, cut.loss_, rtol=1e-12)


# ------------------------------------------------------------- models and CLI
def _karate_model(**kw):
    from graphemb import Node2Vec

    params = dict(dimensions=8, walk_length=12, num_walks=6, window=3, epochs=2, p=0.5, q=2.0, workers=1, seed=5,
                  verbose=False)  # fmt: skip
    params.update(kw)
    return Node2Vec(**params)


def test_model_interrupted_then_resumed_equals_uninterrupted(tmp_path, small_pieces, monkeypatch):
    import networkx as nx

    g = nx.karate_club_graph()
    ref = _karate_model().fit(g)
    real, calls = _kernels.train_walk_range, [0]

    def interrupted(*args):
        calls[0] += 1
        if calls[0] == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(_kernels, "train_walk_range", interrupted)
    folder = tmp_path / "ckpt"
    with pytest.raises(KeyboardInterrupt):
        _karate_model().fit(g, checkpoint=folder, checkpoint_every=1)
    monkeypatch.setattr(_kernels, "train_walk_range", real)
    meta = read_checkpoint(folder)
    assert meta["identity"]["caller"]["model"] == "Node2Vec" and meta["identity"]["caller"]["p"] == 0.5
    assert meta["identity"]["caller"]["graph"].startswith("sha256:")
    resumed = _karate_model(seed=None).fit(g, checkpoint=folder, resume=True)  # the seed comes from the checkpoint
    assert resumed.seed_ == 5
    assert np.array_equal(resumed.embedding_.vectors, ref.embedding_.vectors)
    assert np.array_equal(resumed.loss_, ref.loss_)
    with pytest.raises(
        ValueError, match=r"checkpoint\.json was written by another run.*caller\.q: 2\.0 there, 3\.0 here"
    ):
        _karate_model(q=3.0).fit(g, checkpoint=folder, resume=True)


def test_cli_checkpoint_flags(tmp_path, capsys):
    import networkx as nx

    from graphemb.cli import main

    edges = tmp_path / "edges.tsv"
    edges.write_text("".join(f"{u}\t{v}\n" for u, v in nx.karate_club_graph().edges()))
    fast = ["--dimensions", "8", "--walk-length", "10", "--num-walks", "4", "--window-size", "3", "--workers", "1",
            "--seed", "2", "--quiet", "--format", "npz"]  # fmt: skip
    base = ["embed", "--input", str(edges), *fast]
    folder = tmp_path / "ckpt"
    assert main([*base, "--output", str(tmp_path / "plain.npz")]) == 0
    ck = ["--checkpoint", str(folder), "--checkpoint-every", "2k"]
    assert main([*base, "--output", str(tmp_path / "a.npz"), *ck]) == 0
    assert read_checkpoint(folder)["complete"]
    capsys.readouterr()
    assert main([*base, "--output", str(tmp_path / "b.npz"), *ck]) == 2
    assert "already holds a checkpoint" in capsys.readouterr().err
    assert main([*base, "--output", str(tmp_path / "b.npz"), *ck, "--resume"]) == 0
    from graphemb import Embedding

    plain, a, b = (Embedding.load(tmp_path / f"{x}.npz") for x in ("plain", "a", "b"))
    assert np.array_equal(plain.vectors, a.vectors) and np.array_equal(a.vectors, b.vectors)
    assert main([*base, "--output", str(tmp_path / "c.npz"), "--resume"]) == 2
    assert "--resume needs --checkpoint DIR" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([*base, "--output", str(tmp_path / "c.npz"), "--checkpoint", str(folder), "--checkpoint-every", "soon"])
    assert info.value.code == 2 and "--checkpoint-every: must be a number of tokens" in capsys.readouterr().err


def test_train_command_interrupted_then_resumed(tmp_path, small_pieces, monkeypatch, capsys):
    import networkx as nx

    from graphemb import Embedding
    from graphemb.cli import main

    edges = tmp_path / "edges.tsv"
    edges.write_text("".join(f"{u}\t{v}\n" for u, v in nx.karate_club_graph().edges()))
    walks, folder = tmp_path / "walks", tmp_path / "ckpt"
    assert main(["walk", "--input", str(edges), "--output", str(walks), "--seed", "3", "--walk-length", "10",
                 "--num-walks", "8", "--workers", "1", "--quiet"]) == 0  # fmt: skip
    train = ["train", "--walks", str(walks), "--dimensions", "8", "--window-size", "3", "--workers", "1",
             "--iter", "2", "--quiet", "--format", "npz"]  # fmt: skip
    assert main([*train, "--output", str(tmp_path / "plain.npz")]) == 0
    real, calls = _kernels.train_walk_range, [0]

    def interrupted(*args):
        calls[0] += 1
        if calls[0] == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(_kernels, "train_walk_range", interrupted)
    ck = ["--checkpoint", str(folder), "--checkpoint-every", "1"]
    assert main([*train, "--output", str(tmp_path / "r.npz"), *ck]) == 130
    assert not (tmp_path / "r.npz").exists() and not read_checkpoint(folder)["complete"]
    monkeypatch.setattr(_kernels, "train_walk_range", real)
    assert main([*train, "--output", str(tmp_path / "r.npz"), *ck, "--resume"]) == 0
    plain, resumed = Embedding.load(tmp_path / "plain.npz"), Embedding.load(tmp_path / "r.npz")
    assert np.array_equal(plain.vectors, resumed.vectors)
    assert read_checkpoint(folder)["identity"]["caller"]["graph"].startswith("sha256:")
