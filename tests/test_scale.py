"""Scale on one machine: the memory plan, walking once into shards, training from them."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphemb import DeepWalk, Node2Vec, read_walks
from graphemb import _memory as M
from graphemb.sgns import SGNS
from graphemb.walks import WalkStream

SMALL = dict(dimensions=8, walk_length=10, num_walks=4, window=3, workers=1, verbose=False)


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    g = nx.karate_club_graph()
    for _, _, data in g.edges(data=True):
        data.pop("weight", None)
    return g


def _spill_limit(model, graph) -> int:
    """A limit that holds everything but half of the corpus: the plan must spill."""
    plan = model.memory_plan(graph)
    assert not plan.spill
    return plan.total - plan.corpus_bytes // 2


def _count_fills(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = WalkStream._fill

    def counting(self, first, out, lengths):
        calls.append(int(first))
        return original(self, first, out, lengths)

    monkeypatch.setattr(WalkStream, "_fill", counting)
    return calls


# ------------------------------------------------------------------ sizes
@pytest.mark.parametrize(
    "text,expected",
    [("4G", 4 * 2**30), ("512M", 512 * 2**20), ("1.5GiB", int(1.5 * 2**30)), ("800", 800), (2048, 2048), ("2kb", 2048)],
)
def test_parse_size(text, expected):
    assert M.parse_size(text) == expected


@pytest.mark.parametrize("bad", ["", "four", "-1G", "0", "3X", True])
def test_parse_size_refuses_nonsense(bad):
    with pytest.raises(ValueError, match="memory_limit"):
        M.parse_size(bad)


# ------------------------------------------------------------------ the plan
def test_plan_items_follow_their_formulas():
    n, m, d, L, W = 1000, 8000, 64, 80, 10_000
    plan = M.plan_fit(num_nodes=n, num_arcs=m, weighted=False, dimensions=d, walk_length=L, num_walks_total=W,
                      memory_limit="16G")  # fmt: skip
    assert plan.items[f"vector tables (2 x {n:,} x {d} float32)"] == 8 * n * d
    assert plan.items["graph (CSR arrays + node ids)"] == 8 * (n + 1) + 4 * m + M.NODE_ID_BYTES * n
    assert plan.items["alias tables (weighted walks)"] == 0
    assert plan.corpus_bytes == 4 * (L + 1) * W
    assert not plan.spill and plan.items["corpus in memory"] == plan.corpus_bytes
    assert plan.total == sum(plan.items.values()) and plan.fits
    weighted = M.plan_fit(num_nodes=n, num_arcs=m, weighted=True, dimensions=d, walk_length=L, num_walks_total=W,
                          memory_limit="16G")  # fmt: skip
    assert weighted.items["alias tables (weighted walks)"] == 16 * m + 8 * n
    big = M.plan_fit(num_nodes=n, num_arcs=m, weighted=False, dimensions=d, walk_length=L, num_walks_total=100 * W,
                     memory_limit="16G")  # fmt: skip
    assert big.spill and "corpus in memory" not in big.items  # above the in-memory maximum: spilled
    assert big.items["corpus working set (2 memory-mapped shards)"] < big.corpus_bytes
    text = big.describe()
    assert "spilled to disk" in text and "predicted peak RSS" in text


def test_plan_over_the_limit_names_figures_and_remedies():
    plan = M.plan_fit(num_nodes=10**7, num_arcs=2 * 10**8, weighted=False, dimensions=128, walk_length=80,
                      num_walks_total=10**8, memory_limit="4G")  # fmt: skip
    assert not plan.fits
    with pytest.raises(MemoryError) as err:
        plan.check("Node2Vec.fit")
    msg = str(err.value)
    assert "Node2Vec.fit" in msg and "4.0 GiB (memory_limit)" in msg and "vector tables" in msg
    assert "9.5 GiB" in msg  # 2 x 10M x 128 x 4 bytes
    assert "fewer dimensions (d=64" in msg and "--partitions" in msg


def test_plan_refuses_a_spill_the_disk_cannot_hold():
    plan = M.plan_fit(num_nodes=100, num_arcs=400, weighted=False, dimensions=8, walk_length=80,
                      num_walks_total=10**6, memory_limit="16G", disk_free=10**6)  # fmt: skip
    assert plan.spill and not plan.fits
    with pytest.raises(MemoryError, match="of disk to spill"):
        plan.check()


def test_fit_refuses_before_any_allocation(karate, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("allocated despite a plan over the limit")

    monkeypatch.setattr(WalkStream, "_fill", boom)
    monkeypatch.setattr(SGNS, "fit", boom)
    model = DeepWalk(**{**SMALL, "dimensions": 4096}, memory_limit="1M")
    with pytest.raises(MemoryError, match=r"DeepWalk\.fit: the memory plan needs .* more than the limit of 1\.0 MiB"):
        model.fit(karate)
    assert not model.memory_plan(karate).fits


def test_bad_memory_limit_and_workdir_are_refused(karate):
    with pytest.raises(ValueError, match="memory_limit"):
        DeepWalk(memory_limit="lots").validate()
    with pytest.raises(ValueError, match="workdir"):
        DeepWalk(workdir=3).validate()


# ------------------------------------------------------------------ walk once, spill, train from shards
@pytest.mark.parametrize("cls,kw", [(DeepWalk, {}), (Node2Vec, {"p": 0.5, "q": 2.0})])
def test_spilled_fit_equals_in_memory_fit(karate, monkeypatch, tmp_path, cls, kw):
    in_memory = cls(seed=3, **SMALL, **kw).fit(karate)
    assert not in_memory.memory_plan_.spill
    limit = _spill_limit(cls(seed=3, **SMALL, **kw), karate)
    calls = _count_fills(monkeypatch)
    spilled = cls(seed=3, **SMALL, **kw, memory_limit=limit).fit(karate)
    plan = spilled.memory_plan_
    assert plan.spill and plan.chunk_walks < 34 * 4  # several shards
    assert sorted(calls) == list(range(0, 34 * 4, plan.chunk_walks))  # every walk generated exactly once
    np.testing.assert_array_equal(spilled.embedding_.vectors, in_memory.embedding_.vectors)
    assert spilled.embedding_.nodes == in_memory.embedding_.nodes


def test_workdir_keeps_the_shards_and_a_rerun_reuses_them(karate, monkeypatch, tmp_path):
    model = DeepWalk(seed=4, **SMALL, workdir=tmp_path)
    model.set_params(memory_limit=_spill_limit(model, karate))
    first = model.fit(karate).embedding_.vectors
    walks = read_walks(tmp_path / "walks")
    assert walks.num_walks_total == 34 * 4 and walks.manifest["walks"]["num_walks"] == 4
    calls = _count_fills(monkeypatch)
    again = DeepWalk(**model.get_params()).fit(karate).embedding_.vectors
    assert calls == []  # the complete directory was reused: no walk generated
    np.testing.assert_array_equal(first, again)
    other = DeepWalk(**{**model.get_params(), "seed": 5}).fit(karate).embedding_.vectors
    assert calls and not np.array_equal(other, first)  # another seed: walked again, into the same folder
    assert read_walks(tmp_path / "walks").manifest["walks"]["seed"] != walks.manifest["walks"]["seed"]


def test_temporary_shards_are_removed(karate, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    model = DeepWalk(seed=1, **SMALL)
    model.set_params(memory_limit=_spill_limit(model, karate))
    model.fit(karate)
    assert model.memory_plan_.spill
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ power-law generator
def test_powerlaw_edges_are_distinct_sorted_and_seeded():
    from graphemb.datasets import make_powerlaw_graph, powerlaw_edges

    u, v = powerlaw_edges(2000, 9000, seed=3)
    assert u.dtype == v.dtype == np.int32 and u.size == v.size == 9000
    assert np.all(u < v)
    keys = u.astype(np.int64) * 2000 + v
    assert np.all(np.diff(keys) > 0)  # sorted, no repeats
    u2, v2 = powerlaw_edges(2000, 9000, seed=3)
    np.testing.assert_array_equal(u, u2)
    np.testing.assert_array_equal(v, v2)
    u3, _ = powerlaw_edges(2000, 9000, seed=4)
    assert not np.array_equal(u, u3)
    g = make_powerlaw_graph(2000, 9000, seed=3)
    assert (g.num_nodes, g.num_edges, g.directed, g.weighted) == (2000, 9000, False, False)
    np.testing.assert_array_equal(np.diff(g.indptr), np.bincount(np.concatenate([u, v]), minlength=2000))
    assert g.has_edge(int(u[0]), int(v[0])) and g.has_edge(int(v[-1]), int(u[-1]))
    with pytest.raises(ValueError, match="exponent"):
        powerlaw_edges(100, 10, exponent=2.0)
    with pytest.raises(ValueError, match="num_edges"):
        powerlaw_edges(10, 40)


def test_powerlaw_degrees_follow_chung_lu_with_exponent_2_5():
    from graphemb.datasets import powerlaw_edges

    n, m = 20000, 100000
    u, v = powerlaw_edges(n, m, seed=0)
    deg = np.bincount(np.concatenate([u, v]), minlength=n)
    # expected degree of node i: 2 m w_i / sum(w), w_i = integral of x^(-2/3) over [i + 1, i + 2]
    b1 = 1.0 - 1.0 / 1.5
    i = np.arange(n, dtype=np.float64)
    w = ((i + 2.0) ** b1 - (i + 1.0) ** b1) / b1
    expected = 2 * m * w / w.sum()
    for lo, hi in [(30, 100), (100, 300), (300, 1000), (1000, 3000), (3000, 10000), (10000, 20000)]:
        ratio = deg[lo:hi].sum() / expected[lo:hi].sum()
        assert 0.94 < ratio < 1.06, (lo, hi, ratio)
    # the degree CCDF falls as k^-(gamma - 1) = k^-1.5 over the tail
    ks = np.unique(np.round(np.logspace(np.log10(20), np.log10(400), 12)).astype(int))
    ccdf = np.array([(deg >= k).mean() for k in ks])
    slope = np.polyfit(np.log(ks), np.log(ccdf), 1)[0]
    assert -1.7 < slope < -1.3, slope
    # a uniform (Erdos-Renyi) graph of the same size has no such tail: the test can fail
    rng = np.random.default_rng(0)
    er = np.bincount(rng.integers(0, n, 2 * m), minlength=n)
    assert (er >= 100).sum() == 0 and (deg >= 100).sum() > 50
