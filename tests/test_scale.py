"""Scale on one machine: the memory plan, walking once into shards, training from them."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphemb import DeepWalk, Node2Vec, read_walks, write_walks
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


_BIG = dict(num_nodes=10**6, num_arcs=10**7, weighted=False, dimensions=128, walk_length=80, num_walks_total=10**7,
            window=10, workers=2)  # fmt: skip


def _vector_item(plan) -> tuple[str, int]:
    (name,) = [k for k in plan.items if k.startswith("vector")]
    return name, plan.items[name]


def test_out_of_core_partitions_plan_the_buffer_not_the_tables(tmp_path):
    n, d = _BIG["num_nodes"], _BIG["dimensions"]
    whole = M.plan_fit(**_BIG, memory_limit="64G")
    ooc = M.plan_fit(**_BIG, memory_limit="64G", partitions=8, partition_options={"workdir": str(tmp_path)})
    name, blocks = _vector_item(ooc)
    block = 4 * d * (n // 8)
    assert blocks == 4 * block and "4 of 16" in name  # buffer 4 blocks = buffer / (2P) of the two tables
    assert ooc.items["partition plan (36 B per node)"] == 36 * n
    pair_buffers = ooc.items["pair buffers (extraction / chunk reads)"]
    extract = 8 * (2**18 + 80) * 11  # one extraction piece at window 10 (11 pairs per token), + its bucket copy
    reads = 2 * 8 * (8 * 10**8 * 11 // (64 * 8))  # one bucket chunk of 800M tokens' pairs: mapped + copied
    assert pair_buffers == max(extract + extract // 8 + 8 * n, reads, 32 * n)  # + keep probabilities; the sort
    assert not any(k.startswith("trainer tables") for k in ooc.items)
    # P = 1 holds 8 n d + 48 n; out of core P = 8 holds 4 blocks + 36 n + the pair buffers
    assert whole.total - ooc.total == 8 * n * d + 48 * n - (4 * block + 36 * n + pair_buffers)
    three = M.plan_fit(**_BIG, memory_limit="64G", partitions=8, partition_options={"workdir": "w", "buffer": 3})
    assert _vector_item(three)[1] == 3 * block
    in_memory = M.plan_fit(**_BIG, memory_limit="64G", partitions=8)  # all blocks + one table while assembled
    assert _vector_item(in_memory)[1] == 8 * n * d
    assert in_memory.items["one table assembled in node order"] == 4 * n * d
    remote = M.plan_fit(**_BIG, memory_limit="64G", partitions=8, partition_options={"workdir": "w", "scheduler": "x"})
    assert _vector_item(remote)[1] == 0
    assert "partition plan" in ooc.describe() and "vector blocks (4 of 16 x 61.0 MiB, out of core)" in ooc.describe()


def test_a_limit_between_refuses_p1_and_accepts_p8_out_of_core(tmp_path):
    whole = M.plan_fit(**_BIG, memory_limit="64G")
    ooc = M.plan_fit(**_BIG, memory_limit="64G", partitions=8, partition_options={"workdir": str(tmp_path)})
    fixed = whole.total - sum(v for k, v in whole.items.items() if "walk buffers" in k or "corpus" in k)
    assert ooc.total < fixed  # the walk chunks shrink to the room left; the rest does not
    limit = (fixed + ooc.total) // 2
    whole = M.plan_fit(**_BIG, memory_limit=limit)
    ooc = M.plan_fit(**_BIG, memory_limit=limit, partitions=8, partition_options={"workdir": str(tmp_path)})
    ooc.check()
    with pytest.raises(
        MemoryError, match=r"train out of core in partitions \(partitions=8, .*--partitions 8 --workdir"
    ):
        whole.check("Node2Vec.fit")
    softmax = M.plan_fit(**_BIG, memory_limit=limit, hierarchical=True)  # partitions: negative sampling only
    with pytest.raises(MemoryError) as err:
        softmax.check()
    assert "partitions" not in str(err.value).split("To fit:")[1]
    in_memory = M.plan_fit(**_BIG, memory_limit=limit, partitions=8)
    with pytest.raises(MemoryError, match=r"train out of core in partitions \(partitions=8,"):
        in_memory.check()
    # already out of core: a tighter limit suggests more partitions, when more would fit
    ooc_fixed = ooc.total - sum(v for k, v in ooc.items.items() if "walk buffers" in k or "corpus" in k)
    tight = ooc_fixed - _vector_item(ooc)[1] // 4  # P = 16 halves the blocks
    plan = M.plan_fit(**_BIG, memory_limit=tight, partitions=8, partition_options={"workdir": str(tmp_path)})
    with pytest.raises(MemoryError, match=r"more partitions \(partitions=16 / --partitions 16") as err:
        plan.check()
    assert "train out of core" not in str(err.value)
    # nothing partitions can do: no suggestion of them
    hopeless = M.plan_fit(**_BIG, memory_limit="100M", partitions=8, partition_options={"workdir": str(tmp_path)})
    with pytest.raises(MemoryError) as err:
        hopeless.check()
    assert "partitions" not in str(err.value).split("To fit:")[1]


def test_node2vec_memory_plan_follows_its_partitions(karate, tmp_path):
    model = Node2Vec(**SMALL, partitions=4, partition_options={"workdir": str(tmp_path / "parts"), "buffer": 2})
    name, blocks = _vector_item(model.memory_plan(karate))
    assert blocks == 2 * 4 * 8 * 9 and "2 of 8" in name  # 34 nodes: blocks of 9 rows x 8 dimensions
    assert _vector_item(Node2Vec(**SMALL).memory_plan(karate))[1] == 8 * 34 * 8


def test_fit_walks_plans_its_partitions(karate, tmp_path):
    """Regression: ``fit_walks`` planned the whole tables (and window 5) whatever ``partitions`` said."""
    walks = tmp_path / "walks"
    write_walks(DeepWalk(**SMALL, seed=0).walk_stream(karate), walks)
    opts = {"workdir": str(tmp_path / "parts"), "buffer": 2}
    model = DeepWalk(**SMALL, seed=0, partitions=4, partition_options=opts).fit_walks(walks)
    name, blocks = _vector_item(model.memory_plan_)
    assert blocks == 2 * 4 * 8 * 9 and "2 of 8" in name
    items = model.memory_plan_.items
    assert "partition plan (36 B per node)" in items and not any(k.startswith("trainer tables") for k in items)
    assert _vector_item(DeepWalk(**SMALL, seed=0).fit_walks(walks).memory_plan_)[1] == 8 * 34 * 8


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


# ------------------------------------------------------------- resident pages
def _rss_file() -> int | None:
    try:
        with open("/proc/self/status") as f:
            return next((int(line.split()[1]) * 1024 for line in f if line.startswith("RssFile:")), None)
    except OSError:
        return None


def test_release_pages_drops_a_read_only_map_and_keeps_its_data(tmp_path):
    data = np.arange(8 << 20, dtype=np.int32)  # 32 MiB
    np.save(tmp_path / "a.npy", data)
    mapped = np.load(tmp_path / "a.npy", mmap_mode="r")
    assert int(mapped[::1024].sum()) == int(data[::1024].sum())  # touches every page
    before = _rss_file()
    view = np.ascontiguousarray(mapped[16:])  # what check_chunk hands the extraction: a view of the map
    assert M.release_pages(view)
    after = _rss_file()
    if before is not None and after is not None:
        assert before - after > 16 << 20, (before, after)
    assert np.array_equal(mapped, data)  # read again from the file
    private = np.load(tmp_path / "a.npy", mmap_mode="c")
    private[0] = -1
    assert not M.release_pages(private)  # copy-on-write: releasing would lose the change
    assert private[0] == -1
    assert not M.release_pages(data) and not M.release_pages(data[3:])


def test_importing_graphemb_and_its_trainer_leaves_pandas_unloaded():
    """pandas with pyarrow is about 100 MB resident: a process that trains (or walks) never loads it."""
    import subprocess
    import sys

    code = (
        "import sys, graphemb; from graphemb.sgns import SGNS; import graphemb.shards, graphemb.cli; "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules)); "
        "graphemb.graph.io.pd.DataFrame; print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stdout
