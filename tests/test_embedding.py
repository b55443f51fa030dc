"""Tests of graphemb.Embedding: look-ups, similarity, file formats, atomic writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graphemb import Embedding
from graphemb._atomic import atomic_write as _atomic_write

REPO = Path(__file__).resolve().parents[1]
ANCHOR_PYTHON = REPO / ".venv-anchors" / "bin" / "python"


@pytest.fixture
def compass() -> Embedding:
    # cosines from "e": ne 0.7071, n 0, s 0, w -1
    vectors = np.array([[1, 0], [1, 1], [0, 1], [0, -1], [-1, 0]], dtype=np.float32)
    return Embedding(["e", "ne", "n", "s", "w"], vectors)


def random_embedding(nodes: list, d: int = 5, seed: int = 0) -> Embedding:
    return Embedding(nodes, np.random.default_rng(seed).standard_normal((len(nodes), d)))


# ------------------------------------------------------------------ access
def test_core_access_and_unknown_node_message(compass):
    assert len(compass) == 5 and compass.dimensions == 2
    assert compass["ne"].tolist() == [1.0, 1.0]
    assert "n" in compass and "x" not in compass and [1] not in compass
    assert compass.indices_of(["w", "e"]).tolist() == [4, 0]
    with pytest.raises(KeyError, match="'nowhere'"):
        compass["nowhere"]
    with pytest.raises(KeyError, match="'nowhere'"):
        compass.most_similar("nowhere")


def test_duplicate_ids_and_shape_mismatch_are_refused():
    with pytest.raises(ValueError, match="appears twice"):
        Embedding([1, 1], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 node ids but 3 vectors"):
        Embedding([1, 2], np.zeros((3, 3)))


# -------------------------------------------------------------- similarity
def test_most_similar_hand_computed(compass):
    result = compass.most_similar("e", topn=3)
    assert [node for node, _ in result] == ["ne", "n", "s"]  # n and s tie at 0: row order
    np.testing.assert_allclose([s for _, s in result], [np.sqrt(0.5), 0.0, 0.0], atol=1e-6)


def test_most_similar_excludes_query_and_caps_topn(compass):
    result = compass.most_similar("w", topn=50)
    assert len(result) == 4 and "w" not in [v for v, _ in result]
    assert result[-1] == ("e", pytest.approx(-1.0))
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)


def test_most_similar_matches_brute_force():
    emb = random_embedding(list(range(200)), d=8, seed=3)
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    cos = unit @ unit[17]
    cos[17] = -np.inf
    expected = np.argsort(-cos, kind="stable")[:7].tolist()
    assert [v for v, _ in emb.most_similar(17, topn=7)] == expected


@pytest.mark.parametrize("topn", [0, -1, 2.5, True])
def test_most_similar_rejects_bad_topn(compass, topn):
    with pytest.raises(ValueError, match="'topn'"):
        compass.most_similar("e", topn=topn)


def test_similarity_and_zero_vector():
    emb = Embedding(["a", "b", "z"], np.array([[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]]))
    assert emb.similarity("a", "b") == pytest.approx(24 / 25)
    assert emb.similarity("a", "z") == 0.0


def test_to_dataframe_keeps_tuple_ids():
    emb = random_embedding([(0, 1), (1, 2), "x"], d=3)
    df = emb.to_dataframe()
    assert isinstance(df, pd.DataFrame) and not isinstance(df.index, pd.MultiIndex)
    assert list(df.index) == [(0, 1), (1, 2), "x"]
    assert list(df.columns) == [0, 1, 2]
    np.testing.assert_array_equal(df.loc[[(1, 2)]].to_numpy()[0], emb[(1, 2)])


# --------------------------------------------------------------------- npz
@pytest.mark.parametrize(
    "nodes",
    [
        [5, -3, 2**62],
        ["a", "b c", "é"],
        [1, "1", (1, "1"), (2, (3, 4)), 2.5, None, False],
    ],
    ids=["ints", "strs", "mixed"],
)
def test_npz_round_trip_keeps_id_types(tmp_path, nodes):
    emb = random_embedding(nodes)
    path = tmp_path / "emb.npz"
    emb.save(path)
    back = Embedding.load(path)
    assert back.nodes == nodes
    assert [type(v) for v in back.nodes] == [type(v) for v in nodes]
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    with np.load(path, allow_pickle=False) as data:  # no pickle needed to read it
        assert data["vectors"].dtype == np.float32


def test_npz_keeps_ids_that_print_alike_apart(tmp_path):
    emb = Embedding([1, "1"], np.array([[1.0, 0.0], [0.0, 1.0]]))
    emb.save(tmp_path / "e.npz")
    back = Embedding.load(tmp_path / "e.npz")
    assert back[1].tolist() == [1.0, 0.0] and back["1"].tolist() == [0.0, 1.0]


def test_npz_rejects_unsupported_ids_and_foreign_files(tmp_path):
    emb = Embedding([frozenset({1})], np.zeros((1, 2)))
    with pytest.raises(TypeError, match="frozenset"):
        emb.save(tmp_path / "e.npz")
    assert not (tmp_path / "e.npz").exists()
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a graphemb embedding"):
        Embedding.load(tmp_path / "other.npz")


# ---------------------------------------------------------------- word2vec
def test_word2vec_text_exact_content(tmp_path):
    emb = Embedding([7, "b"], np.array([[0.5, -1.0], [0.25, 3.0]]))
    emb.save_word2vec_format(tmp_path / "e.txt")
    assert (tmp_path / "e.txt").read_text() == "2 2\n7 0.5 -1\nb 0.25 3\n"


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_round_trip_is_exact(tmp_path, binary):
    emb = random_embedding(list(range(30)), d=7, seed=1)
    path = tmp_path / "e.w2v"
    emb.save_word2vec_format(path, binary=binary)
    back = Embedding.load_word2vec_format(path, binary=binary)
    assert back.nodes == [str(i) for i in range(30)]
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    assert Embedding.load_word2vec_format(path, binary=binary, node_type=int).nodes == list(range(30))


def test_word2vec_node_type_auto_and_int(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("2 1\r\n10 1.0\r\nx 2.0\r\n")
    assert Embedding.load_word2vec_format(path, node_type="auto").nodes == ["10", "x"]
    with pytest.raises(ValueError, match=r"'x' \(vector 2\) is not an int"):
        Embedding.load_word2vec_format(path, node_type=int)
    path.write_text("2 1\n10 1.0\n11 2.0\n")
    assert Embedding.load_word2vec_format(path, node_type="auto").nodes == [10, 11]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("hello\n", r":1: expected the word2vec header"),
        ("2 2\na 1 2\nb 1\n", r":3: expected an id and 2 numbers, got 1"),
        ("2 2\na 1 2\nb 1 zz\n", r":3: a value is not a number"),
        ("3 2\na 1 2\nb 1 2\n", "announces 3 vectors but the file holds 2"),
        ("1 2\na 1 2\nb 1 2\n", r":3: more vectors than the 1"),
        ("2 1\na 1\na 2\n", "'a' appears twice"),
    ],
)
def test_word2vec_malformed_files_name_the_line(tmp_path, text, match):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        Embedding.load_word2vec_format(path)


def test_word2vec_truncated_binary(tmp_path):
    path = tmp_path / "e.bin"
    random_embedding(["a", "b"], d=4).save_word2vec_format(path, binary=True)
    path.write_bytes(path.read_bytes()[:-6])
    with pytest.raises(ValueError, match="vector 2 of 2"):
        Embedding.load_word2vec_format(path, binary=True)


@pytest.mark.parametrize(
    ("nodes", "match"),
    [(["a b", "c"], "whitespace"), (["", "c"], "empty"), (["a\tb"], "whitespace"), ([1, "1"], "both written as '1'")],
)
def test_word2vec_refuses_ids_it_cannot_hold(tmp_path, nodes, match):
    path = tmp_path / "e.txt"
    with pytest.raises(ValueError, match=match):
        random_embedding(nodes).save_word2vec_format(path)
    assert not path.exists()


# ------------------------------------------------------------ atomic write
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path, error):
    path = tmp_path / "out.emb"
    path.write_text("previous content\n")

    def write(fh):
        fh.write(b"half a fi")
        raise error("stop")

    with pytest.raises(error):
        _atomic_write(path, write)
    assert path.read_text() == "previous content\n"
    assert os.listdir(tmp_path) == ["out.emb"]


def test_save_replaces_existing_file(tmp_path):
    path = tmp_path / "out.npz"
    path.write_text("old")
    emb = random_embedding([1, 2])
    emb.save(path)
    assert Embedding.load(path).nodes == [1, 2]
    assert sorted(os.listdir(tmp_path)) == ["out.npz"]


# ------------------------------------------------------------------ gensim
@pytest.mark.slow
@pytest.mark.skipif(not ANCHOR_PYTHON.exists(), reason="needs the anchors venv with gensim")
def test_gensim_reads_and_writes_our_word2vec_files(tmp_path):
    emb = random_embedding([0, "a", 12345], d=6, seed=2)
    emb.save_word2vec_format(tmp_path / "ours.txt")
    emb.save_word2vec_format(tmp_path / "ours.bin", binary=True)
    np.save(tmp_path / "v.npy", emb.vectors)
    script = (
        "import sys, numpy as np; from gensim.models import KeyedVectors as KV; d = sys.argv[1]; "
        "v = np.load(d + '/v.npy'); "
        "a = KV.load_word2vec_format(d + '/ours.txt'); b = KV.load_word2vec_format(d + '/ours.bin', binary=True); "
        "assert a.index_to_key == b.index_to_key == ['0', 'a', '12345'], a.index_to_key; "
        "assert np.array_equal(a.vectors, v) and np.array_equal(b.vectors, v); "
        "b.save_word2vec_format(d + '/theirs.txt'); b.save_word2vec_format(d + '/theirs.bin', binary=True)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([str(ANCHOR_PYTHON), "-c", script, str(tmp_path)], check=True, env=env, timeout=120)
    for name, binary in (("theirs.txt", False), ("theirs.bin", True)):
        back = Embedding.load_word2vec_format(tmp_path / name, binary=binary, node_type="auto")
        assert back.nodes == ["0", "a", "12345"]
        np.testing.assert_array_equal(back.vectors, emb.vectors)


def test_vectors_are_read_only_and_never_serve_stale_unit_vectors():
    """Regression (issue 17): editing ``vectors`` in place left most_similar on the old cached unit vectors."""
    emb = Embedding(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]], dtype=np.float32))
    assert emb.most_similar("a", topn=1)[0][0] == "b"
    with pytest.raises(ValueError, match="read-only"):
        emb.vectors[1] = [0.0, 1.0]
    with pytest.raises(ValueError, match="read-only"):
        emb["b"][0] = 5.0
    emb.vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]], dtype=np.float32)  # assignment drops the cache
    assert emb.most_similar("a", topn=1)[0][0] == "c"
    with pytest.raises(ValueError, match=r"shape \(3, dimensions\)"):
        emb.vectors = np.zeros((2, 2))
