"""Tests of walk directories (graphemb.shards): round trip, training from shards, refusals, resume."""

from __future__ import annotations

import hashlib
import json
import os

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import graphemb
from graphemb import SGNS, CSRGraph, WalkCorpus, WalkStream, random_walks, read_walks, write_walks
from graphemb.shards import (
    ShardFormatError,
    atomic_save_npy,
    shard_is_complete,
    shard_name,
    write_manifest,
    write_shard,
)


def _graph(seed=0, n=60, directed=False):
    g = nx.gnm_random_graph(n, 3 * n, seed=seed, directed=directed)
    return CSRGraph.from_networkx(g)


def _dead_end_graph():
    # 0 -> 1 -> 2 (2 has no out-arcs): walks from 1 and 2 stop early (-1 padding)
    a = sp.csr_array((np.ones(4), ([0, 0, 1, 3], [1, 3, 2, 0])), shape=(4, 4))
    return CSRGraph.from_scipy(a, directed=True, nodes=["a", "b", "c", "d"])


# ------------------------------------------------------------------ fingerprint
def test_fingerprint_matches_its_definition():
    g = _graph(1)
    h = hashlib.sha256(b"graphemb-csr-v1")
    h.update(np.int64(g.num_nodes).tobytes())
    h.update(bytes([0, 0]))
    h.update(np.asarray(g.indptr, dtype="<i8").tobytes())
    h.update(np.asarray(g.indices, dtype="<i4").tobytes())
    assert g.fingerprint() == "sha256:" + h.hexdigest()


def test_fingerprint_sees_structure_direction_and_weights():
    a = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    base = CSRGraph.from_scipy(a)
    assert base.fingerprint() == CSRGraph.from_scipy(a).fingerprint()
    assert base.fingerprint() == CSRGraph.from_scipy(a, nodes=["x", "y", "z"]).fingerprint()  # ids not hashed
    assert base.fingerprint() != CSRGraph.from_scipy(a, directed=True).fingerprint()
    assert base.fingerprint() != CSRGraph.from_scipy(2 * a, weighted=True).fingerprint()
    b = sp.csr_array(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
    assert base.fingerprint() != CSRGraph.from_scipy(b).fingerprint()


# ------------------------------------------------------------------ round trip
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0)])
def test_round_trip_equals_random_walks(tmp_path, p, q):
    g = _graph(2)
    stream = WalkStream(g, walk_length=9, num_walks=3, p=p, q=q, seed=7, chunk_size=25, verbose=False)
    manifest = write_walks(stream, tmp_path / "w")
    ref = random_walks(g, walk_length=9, num_walks=3, p=p, q=q, seed=7, verbose=False)
    corpus = read_walks(tmp_path / "w", graph=g)
    assert len(corpus) == -(-len(ref) // 25) > 1
    starts = [c.start for c in corpus]
    assert starts == [e["first_walk"] for e in manifest["shards"]] == list(range(0, len(ref), 25))
    assert all(isinstance(c.walks, np.memmap) or isinstance(c.walks.base, np.memmap) for c in corpus)
    back = corpus.to_corpus()
    np.testing.assert_array_equal(back.walks, ref.walks)
    np.testing.assert_array_equal(back.lengths, ref.lengths)
    np.testing.assert_array_equal(corpus.node_counts, ref.node_counts(g.num_nodes))
    assert corpus.num_tokens == ref.num_tokens == manifest["num_tokens"]
    assert corpus.num_walks_total == len(ref) and corpus.walk_length == 9 and corpus.num_nodes == g.num_nodes
    assert manifest["walks"] == {
        "walk_length": 9, "num_walks": 3, "p": p, "q": q, "weighted": False, "seed": 7, "start_nodes": None,
    }  # fmt: skip
    assert manifest["graph"]["fingerprint"] == g.fingerprint()
    assert manifest["format"] == "graphemb-walks" and manifest["format_version"] == 1
    on_disk = json.loads((tmp_path / "w" / "manifest.json").read_text())
    assert on_disk == manifest
    assert corpus.nodes == g.nodes
    assert not list((tmp_path / "w").rglob(".*tmp-*")), "temporary files left behind"


def test_round_trip_short_walks_string_ids_and_start_nodes(tmp_path):
    g = _dead_end_graph()
    stream = WalkStream(g, walk_length=5, num_walks=2, seed=3, start_nodes=["b", "c", "a"], verbose=False)
    manifest = write_walks(stream, tmp_path / "w")
    ref = random_walks(g, walk_length=5, num_walks=2, seed=3, start_nodes=["b", "c", "a"], verbose=False)
    assert ref.lengths.min() < 5  # padding exercised
    corpus = read_walks(tmp_path / "w")
    back = corpus.to_corpus()
    np.testing.assert_array_equal(back.walks, ref.walks)
    np.testing.assert_array_equal(back.lengths, ref.lengths)
    assert corpus.nodes == ["a", "b", "c", "d"]
    assert manifest["node_ids"]["kind"] == "str"
    assert manifest["walks"]["start_nodes"] == "start_nodes.npy"
    np.testing.assert_array_equal(np.load(tmp_path / "w" / "start_nodes.npy"), [1, 2, 0])
    np.testing.assert_array_equal(corpus.node_counts, ref.node_counts(4))


def test_write_walks_from_corpus_and_chunks(tmp_path):
    g = _graph(3)
    ref = random_walks(g, walk_length=6, num_walks=2, seed=1, verbose=False)
    m1 = write_walks(ref, tmp_path / "a", chunk_size=17)
    assert [e["num_walks"] for e in m1["shards"]][:-1] == [17] * (len(m1["shards"]) - 1)
    assert m1["graph"] is None and m1["walks"] is None and m1["node_ids"]["kind"] == "int"
    chunks = graphemb.iter_random_walks(g, walk_length=6, num_walks=2, seed=1, chunk_size=50, verbose=False)
    m2 = write_walks(chunks, tmp_path / "b", graph=g)
    assert m2["graph"]["num_nodes"] == g.num_nodes
    for d in ("a", "b"):
        back = read_walks(tmp_path / d).to_corpus()
        np.testing.assert_array_equal(back.walks, ref.walks)
    with pytest.raises(ValueError, match="walk_length"):
        write_walks([WalkCorpus(ref.walks[:3]), WalkCorpus(ref.walks[3:6, :4])], tmp_path / "c")


def test_sgns_on_shards_equals_in_memory_bit_for_bit(tmp_path):
    g = _graph(4, n=80)
    stream = WalkStream(g, walk_length=12, num_walks=4, seed=11, chunk_size=37, verbose=False)
    write_walks(stream, tmp_path / "w")
    corpus = read_walks(tmp_path / "w", graph=g)
    ref = random_walks(g, walk_length=12, num_walks=4, seed=11, verbose=False)
    kw = dict(dimensions=16, window=4, negative=3, epochs=2, workers=1, seed=5, verbose=False)
    a = SGNS(**kw).fit(ref, num_nodes=g.num_nodes, node_counts=ref.node_counts(g.num_nodes))
    b = SGNS(**kw).fit(corpus, num_nodes=corpus.num_nodes, node_counts=corpus.node_counts)
    c = SGNS(**kw).fit(corpus, num_nodes=corpus.num_nodes)  # counting pass over the shards
    np.testing.assert_array_equal(a.input_vectors_, b.input_vectors_)
    np.testing.assert_array_equal(a.input_vectors_, c.input_vectors_)
    np.testing.assert_array_equal(a.output_vectors_, b.output_vectors_)


# ------------------------------------------------------------------ refusals
@pytest.fixture
def walkdir(tmp_path):
    g = _graph(5)
    write_walks(WalkStream(g, walk_length=7, num_walks=2, seed=2, chunk_size=40, verbose=False), tmp_path / "w")
    return g, tmp_path / "w"


def test_refuses_another_graph(walkdir):
    g, d = walkdir
    other = _graph(6)
    with pytest.raises(ShardFormatError, match=r"manifest\.json.*another graph"):
        read_walks(d, graph=other)
    read_walks(d, graph=g)  # the right graph passes


def test_refuses_truncated_shard(walkdir):
    _, d = walkdir
    f = d / "shards" / (shard_name(40) + ".walks.npy")
    size = f.stat().st_size
    with open(f, "r+b") as fh:
        fh.truncate(size - 12)
    with pytest.raises(ShardFormatError, match=rf"{shard_name(40)}\.walks\.npy.*truncated"):
        read_walks(d)
    assert not shard_is_complete(d, 40, 40, 7)


def test_refuses_wrong_shape_shard(walkdir):
    _, d = walkdir
    f = d / "shards" / (shard_name(0) + ".walks.npy")
    np.save(f, np.zeros((40, 6), dtype=np.int32))
    with pytest.raises(ShardFormatError, match=rf"{shard_name(0)}\.walks\.npy.*header says"):
        read_walks(d)


def test_refuses_missing_shard(walkdir):
    _, d = walkdir
    (d / "shards" / (shard_name(80) + ".walks.npy")).unlink()
    with pytest.raises(ShardFormatError, match=rf"{shard_name(80)}\.walks\.npy.*missing"):
        read_walks(d)


def test_refuses_newer_format_and_missing_manifest(walkdir):
    _, d = walkdir
    m = json.loads((d / "manifest.json").read_text())
    m["format_version"] = 2
    write_manifest(d, m)
    with pytest.raises(ShardFormatError, match=r"manifest\.json.*format_version 2 is newer"):
        read_walks(d)
    (d / "manifest.json").unlink()
    with pytest.raises(ShardFormatError, match=r"manifest\.json.*missing"):
        read_walks(d)


def test_nothing_is_unpickled(walkdir):
    _, d = walkdir
    evil = np.array([{"a": 1}] * 40, dtype=object)
    np.save(d / "shards" / (shard_name(0) + ".lengths.npy"), evil, allow_pickle=True)
    with pytest.raises(ShardFormatError, match=r"lengths\.npy.*objects"):
        read_walks(d)
    with pytest.raises(ValueError):
        atomic_save_npy(d / "x.npy", evil)
    assert not (d / "x.npy").exists() and not list(d.glob(".x.npy.tmp-*"))


def test_refuses_to_overwrite_a_complete_directory(walkdir):
    g, d = walkdir
    stream = WalkStream(g, walk_length=7, num_walks=2, seed=3, chunk_size=40, verbose=False)
    with pytest.raises(FileExistsError, match="manifest.json"):
        write_walks(stream, d)
    write_walks(stream, d, overwrite=True)
    ref = random_walks(g, walk_length=7, num_walks=2, seed=3, verbose=False)
    np.testing.assert_array_equal(read_walks(d, graph=g).to_corpus().walks, ref.walks)


# ------------------------------------------------------------------ resume and low-level pieces
def test_unfinished_write_resumes_keeping_complete_shards(tmp_path, monkeypatch):
    from graphemb import shards as S

    g = _graph(7)
    d = tmp_path / "w"

    def stream(seed=4):
        return WalkStream(g, walk_length=8, num_walks=3, seed=seed, chunk_size=50, verbose=False)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed before the manifest")

    with monkeypatch.context() as m:
        m.setattr(S, "write_manifest", killed)
        with pytest.raises(KeyboardInterrupt):
            write_walks(stream(), d)
    (d / "shards" / (shard_name(100) + ".walks.npy")).unlink()  # and as if killed in the middle of a shard
    with pytest.raises(ShardFormatError, match=r"manifest\.json.*missing.*resume"):
        read_walks(d)
    with pytest.raises(FileExistsError, match="another, unfinished run"):
        write_walks(stream(seed=5), d)  # other parameters: refused without overwrite
    keep = os.stat(d / "shards" / (shard_name(0) + ".walks.npy")).st_ino
    manifest = write_walks(stream(), d)  # the same run: resumed
    assert os.stat(d / "shards" / (shard_name(0) + ".walks.npy")).st_ino == keep  # not rewritten
    ref = random_walks(g, walk_length=8, num_walks=3, seed=4, verbose=False)
    corpus = read_walks(d, graph=g)
    np.testing.assert_array_equal(corpus.to_corpus().walks, ref.walks)
    np.testing.assert_array_equal(corpus.node_counts, ref.node_counts(g.num_nodes))
    assert manifest["num_tokens"] == ref.num_tokens
    assert not (d / ".pending.json").exists()


def test_write_shard_and_completeness(tmp_path):
    walks = np.arange(12, dtype=np.int32).reshape(3, 4)
    lengths = np.array([4, 2, 3], dtype=np.int32)
    entry = write_shard(tmp_path, 8, walks, lengths)
    assert entry == {"name": "w000000000008", "first_walk": 8, "num_walks": 3, "num_tokens": 9}
    assert shard_is_complete(tmp_path, entry, 3, 4)
    assert shard_is_complete(tmp_path, 8, 3, 4)
    assert not shard_is_complete(tmp_path, 8, 3, 5)
    assert not shard_is_complete(tmp_path, 0, 3, 4)
    np.testing.assert_array_equal(np.load(tmp_path / "shards" / "w000000000008.walks.npy"), walks)
    with pytest.raises(ValueError, match="int32"):
        write_shard(tmp_path, 0, walks.astype(np.int64), lengths)
