"""Tests of partitioned SGNS training (graphemb.sgns.partitioned, graphemb.distributed.training)."""

from __future__ import annotations

import glob
import json
import os
import signal
import threading
import time
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from graphemb._rng import next_below, next_float, stream_state
from graphemb.sgns import SGNS, _kernels
from graphemb.sgns import _partition_kernels as pk
from graphemb.sgns import partitioned as pt
from graphemb.sgns._common import keep_probabilities as _keep_probabilities


def numpy_walks(graph: nx.Graph, walk_length: int, num_walks: int, seed: int) -> np.ndarray:
    """Tiny uniform random walks (test helper, independent of graphemb.walks; as in test_sgns.py)."""
    n = graph.number_of_nodes()
    adj = [np.array(sorted(graph.neighbors(v)), dtype=np.int64) for v in range(n)]
    rng = np.random.default_rng(seed)
    walks = np.empty((n * num_walks, walk_length), dtype=np.int32)
    row = 0
    for _ in range(num_walks):
        for start in range(n):
            cur = start
            walks[row, 0] = cur
            for s in range(1, walk_length):
                nbrs = adj[cur]
                cur = int(nbrs[rng.integers(nbrs.size)]) if nbrs.size else cur
                walks[row, s] = cur
            row += 1
    return walks


@pytest.fixture(scope="module")
def graph_and_walks():
    graph = nx.planted_partition_graph(4, 25, 0.5, 0.01, seed=3)
    labels = np.array([graph.nodes[v]["block"] for v in range(graph.number_of_nodes())])
    return graph, labels, numpy_walks(graph, walk_length=20, num_walks=10, seed=1)


CHUNKS = 3


def params(options=None, **kw):
    out = dict(dimensions=16, window=5, negative=5, epochs=2, workers=1, seed=7, verbose=False, partitions=4)
    out.update(kw)
    out["partition_options"] = {"chunks": CHUNKS, **(options or {})}
    return out


@pytest.fixture(scope="module")
def in_memory(graph_and_walks):
    _, _, walks = graph_and_walks
    return SGNS(**params()).fit(walks)


# ---------------------------------------------------------------- partitioning
def test_snake_partition_by_hand():
    plan = pt.snake_partition(np.array([5, 3, 9, 1, 7, 2]), 2)
    # by count: node 2 (9), 4 (7), 0 (5), 1 (3), 5 (2), 3 (1) -> partitions 0, 1, 1, 0, 0, 1
    assert plan.part_of.tolist() == [1, 0, 0, 1, 1, 0]
    assert plan.local_of.tolist() == [1, 1, 0, 2, 0, 2]
    assert [m.tolist() for m in plan.members] == [[2, 1, 5], [4, 0, 3]]


@pytest.mark.parametrize("num_parts", [2, 3, 7, 16])
def test_snake_partition_balances_sizes_and_noise_mass(num_parts):
    counts = np.random.default_rng(0).zipf(1.8, size=2001).astype(np.int64)
    plan = pt.snake_partition(counts, num_parts)
    assert sorted(np.concatenate(plan.members).tolist()) == list(range(2001))
    assert plan.sizes.max() - plan.sizes.min() <= 1
    for j, rows in enumerate(plan.members):
        assert np.all(plan.part_of[rows] == j)
        assert plan.local_of[rows].tolist() == list(range(rows.shape[0]))
    w = counts.astype(np.float64) ** 0.75
    mass = np.array([w[m].sum() for m in plan.members]) / w.sum()
    # a snake block moves at most one node's weight between partitions: bounded by the largest weight
    assert np.abs(mass - 1 / num_parts).max() <= w.max() / w.sum() + 1e-12


# ------------------------------------------------------------------ extraction
def naive_pairs(walks, keep_prob, window, shrink, seed):
    """Python reference of extract_pairs: (context, centre) with word2vec's draws, in order."""
    out = []
    for w, walk in enumerate(walks):
        state = np.uint64(stream_state(seed, np.uint64(w)))  # numba returns a uint64 as a Python int
        sent = []
        for node in walk:
            if keep_prob[node] < 1.0:
                state, u = next_float(state)
                state = np.uint64(state)
                if u >= keep_prob[node]:
                    continue
            sent.append(int(node))
        for i, centre in enumerate(sent):
            radius = window
            if shrink:
                state, r = next_below(state, window)
                state = np.uint64(state)
                state = np.uint64(state)
                radius = window - r
            for j in range(max(0, i - radius), min(len(sent), i + radius + 1)):
                if j != i:
                    out.append((sent[j], centre))
    return out


@pytest.mark.parametrize("sample,shrink", [(0.0, False), (1e-2, True)])
def test_every_pair_lands_once_in_its_bucket(graph_and_walks, tmp_path, sample, shrink):
    _, _, walks = graph_and_walks
    walks = walks[:60]
    n = 100
    counts = np.bincount(walks.ravel(), minlength=n).astype(np.int64)
    keep = _keep_probabilities(counts, int(counts.sum()), sample)
    plan = pt.snake_partition(counts, 3)
    (tmp_path / "pairs").mkdir()
    seed = np.uint64(11)
    # corpus in uneven chunks: the pairs do not depend on chunking
    chunks = [walks[:7], walks[7:31], walks[31:]]
    bucket = pt.extract_bucket_pairs(chunks, tmp_path, plan, keep, 4, shrink, seed, n)
    expected = naive_pairs(walks, keep, 4, shrink, np.uint64(stream_state(seed, np.uint64(pt._TAG_PAIRS))))
    got = []
    for i in range(3):
        for j in range(3):
            raw = np.fromfile(pt.pairs_path(tmp_path, i, j), dtype="<i4").reshape(-1, 2)
            assert raw.shape[0] == bucket[i * 3 + j]
            ctx = plan.members[i][raw[:, 0]]
            cen = plan.members[j][raw[:, 1]]
            assert np.all(plan.part_of[ctx] == i) and np.all(plan.part_of[cen] == j)
            got.extend(zip(ctx.tolist(), cen.tolist(), strict=True))
    assert Counter(got) == Counter(expected)
    assert json.loads((tmp_path / "pairs.json").read_text())["bucket_pairs"] == bucket.tolist()


def test_schedule_trains_every_pair_exactly_once_per_epoch():
    P, C = 4, 3
    counts = tuple(int(x) for x in np.random.default_rng(1).integers(0, 50, size=P * P))
    job = pt.PartitionJob(
        workdir="", num_parts=P, chunks=C, dimensions=2, negative=1, seed=5, kernel_seed=5, epochs=2,
        alpha=0.025, min_alpha=0.0001, sizes=(1,) * P, bucket_pairs=counts, total_pairs=2 * sum(counts),
    )  # fmt: skip
    done_first = []
    for epoch in range(2):
        covered = {b: [] for b in range(P * P)}
        versions = []
        for chunk in range(C):
            rounds = pt.chunk_rounds(job, epoch, chunk)
            assert len(rounds) == P
            assert sorted(t.i * P + t.j for tasks in rounds for t in tasks) == list(range(P * P))
            for tasks in rounds:
                assert sorted(t.i for t in tasks) == list(range(P)) and sorted(t.j for t in tasks) == list(range(P))
                assert len({t.version for t in tasks}) == 1
                versions.append(tasks[0].version)
                done_first.append(tasks[0].lr[3])
                for t in tasks:
                    covered[t.i * P + t.j].append((t.lo, t.hi))
        for b, spans in covered.items():
            spans.sort()
            assert spans[0][0] == 0 and spans[-1][1] == counts[b]
            assert all(a[1] == c[0] for a, c in zip(spans, spans[1:], strict=False))
        assert versions == list(range(epoch * C * P + 1, (epoch + 1) * C * P + 1))
    # the learning-rate position of each round is the global count of pairs before it
    assert done_first[0] == 0 and np.all(np.diff(done_first) >= 0)
    assert done_first[C * P] == sum(counts)


def test_train_bucket_matches_a_python_loop_of_the_pair_step():
    rng = np.random.default_rng(3)
    syn0 = (rng.random((6, 8), dtype=np.float32) - 0.5) / 8
    syn1 = (rng.random((5, 8), dtype=np.float32) - 0.5) / 8
    pairs = np.stack([rng.integers(0, 6, 40), rng.integers(0, 5, 40)], axis=1).astype(np.int32)
    prob, alias = _kernels.build_alias_table(rng.random(5) + 0.1)
    tables = _kernels.sigmoid_tables()
    lr = np.array([0.5, 0.01, 100.0, 10.0, 1.5])
    a0, a1, ap = syn0.copy(), syn1.copy(), pairs.copy()
    noise = _kernels.pack_alias_table(prob, alias)
    loss, count = pk.train_bucket(ap, a0, a1, noise, tables, 3, np.uint64(9), 2, 17, lr)
    # reference: the same stream, the same shuffle, then the documented schedule pair by pair
    from graphemb._rng import stream_state2

    state = np.uint64(stream_state2(np.uint64(9), np.uint64(2), np.uint64(17)))
    bp = pairs.copy()
    state = np.uint64(pk.shuffle_pairs(bp, state))
    assert Counter(map(tuple, bp.tolist())) == Counter(map(tuple, pairs.tolist()))
    assert np.array_equal(bp, ap)
    b0, b1 = syn0.copy(), syn1.copy()
    outs, valid = np.empty(4, np.int64), np.empty(4, np.bool_)
    coef, neu1e = np.empty((1, 4), np.float32), np.empty((1, 8), np.float32)
    ref_loss = 0.0
    for p in range(40):
        rate = max(0.5 - (0.5 - 0.01) * (10.0 + p * 1.5) / 100.0, 0.01)
        state = np.uint64(_kernels.draw_negatives(state, np.int64(bp[p, 1]), outs, valid, noise))
        assert valid.all() and np.all(outs[1:] != bp[p, 1])
        ref_loss += _kernels.train_pair(b0, b1, np.int64(bp[p, 0]), outs, valid, coef, neu1e, tables, np.float32(rate))
    assert count == 40 and loss == pytest.approx(ref_loss, rel=1e-12)
    assert np.array_equal(a0, b0) and np.array_equal(a1, b1)


# -------------------------------------------------------------------- trainer
def test_one_partition_is_the_plain_trainer_bit_for_bit(graph_and_walks):
    _, _, walks = graph_and_walks
    kw = dict(dimensions=16, window=5, epochs=2, workers=1, seed=7, verbose=False)
    a = SGNS(**kw).fit(walks)
    b = SGNS(**kw, partitions=1).fit(walks)
    assert np.array_equal(a.input_vectors_, b.input_vectors_)
    assert np.array_equal(a.output_vectors_, b.output_vectors_)
    assert np.array_equal(a.loss_, b.loss_)
    assert not hasattr(b, "partition_stats_")


def test_partitioned_learns_the_blocks(graph_and_walks, in_memory):
    _, labels, _ = graph_and_walks
    acc = cross_val_score(LogisticRegression(max_iter=1000), in_memory.input_vectors_, labels, cv=5).mean()
    assert acc > 0.95
    stats = in_memory.partition_stats_
    assert stats["pairs_trained"].tolist() == [int(stats["bucket_pairs"].sum())] * 2
    assert np.all(np.isfinite(in_memory.loss_)) and in_memory.loss_[1] < in_memory.loss_[0]


def test_results_do_not_depend_on_threads(graph_and_walks, in_memory):
    _, _, walks = graph_and_walks
    other = SGNS(**params(workers=3)).fit(walks)
    assert np.array_equal(other.input_vectors_, in_memory.input_vectors_)
    assert np.array_equal(other.loss_, in_memory.loss_)


@pytest.mark.parametrize("buffer", [2, 3, 4, 8])
def test_out_of_core_equals_in_memory(graph_and_walks, in_memory, tmp_path, buffer):
    _, _, walks = graph_and_walks
    model = SGNS(**params(options={"workdir": str(tmp_path / "w"), "buffer": buffer})).fit(walks)
    assert np.array_equal(model.input_vectors_, in_memory.input_vectors_)
    assert np.array_equal(model.output_vectors_, in_memory.output_vectors_)
    assert np.array_equal(model.loss_, in_memory.loss_)
    stats = model.partition_stats_
    assert stats["executor"] == "OutOfCoreExecutor"
    assert stats["bytes_read"] >= stats["bytes_read_lower_bound"]
    # only the checkpointed version of each block is left
    assert len(list((tmp_path / "w" / "blocks").glob("*.npy"))) == 2 * 4
    assert (tmp_path / "w" / "input_vectors.npy").is_file()


@pytest.mark.parametrize("buffer", [2, 3, 4])
def test_out_of_core_never_holds_more_blocks_than_its_buffer(graph_and_walks, tmp_path, monkeypatch, buffer):
    """Regression: a loop variable kept the last block read alive after it was evicted, so a
    buffer of 3 held 4 blocks while a bucket trained (one block more peak RSS); and the buffer
    stayed alive beside the final assembly."""
    import weakref

    _, _, walks = graph_and_walks
    alive: list = []
    read, run, assemble = pt.OutOfCoreExecutor._read, pt.run_task, pt.assemble_from_files

    def tracked_read(self, key):
        array = read(self, key)
        alive.append(weakref.ref(array))
        return array

    held: list[int] = []

    def counting_run(*args, **kw):
        held.append(sum(r() is not None for r in alive))
        return run(*args, **kw)

    at_assembly: list[int] = []

    def counting_assemble(*args, **kw):
        at_assembly.append(sum(r() is not None for r in alive))
        return assemble(*args, **kw)

    monkeypatch.setattr(pt.OutOfCoreExecutor, "_read", tracked_read)
    monkeypatch.setattr(pt, "run_task", counting_run)
    monkeypatch.setattr(pt, "assemble_from_files", counting_assemble)
    SGNS(**params(options={"workdir": str(tmp_path / "w"), "buffer": buffer})).fit(walks)
    assert len(alive) > 2 * 4  # blocks were evicted and read again (8 blocks, a smaller buffer)
    assert held and max(held) <= buffer, held
    assert at_assembly == [0]


def test_interrupted_run_resumes_from_its_checkpoint(graph_and_walks, in_memory, tmp_path, monkeypatch):
    _, _, walks = graph_and_walks
    workdir = str(tmp_path / "w")
    calls = {"n": 0}
    original = pt.run_task

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 40:  # in the middle of the 3rd chunk (16 bucket chunks per chunk)
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(pt, "run_task", failing)
    with pytest.raises(KeyboardInterrupt):
        SGNS(**params(options={"workdir": workdir})).fit(walks)
    assert json.loads((tmp_path / "w" / "checkpoint.json").read_text())["chunks_done"] == 2
    monkeypatch.setattr(pt, "run_task", original)
    model = SGNS(**params(options={"workdir": workdir})).fit(walks)
    assert np.array_equal(model.input_vectors_, in_memory.input_vectors_)
    assert np.array_equal(model.loss_, in_memory.loss_)


def test_workdir_of_another_run_is_refused(graph_and_walks, tmp_path):
    graph, _, walks = graph_and_walks
    workdir = tmp_path / "w"
    SGNS(**params(epochs=1, options={"workdir": str(workdir)})).fit(walks)
    with pytest.raises(ValueError, match=f"workdir {workdir} belongs to another run.*params.window"):
        SGNS(**params(epochs=1, window=3, options={"workdir": str(workdir)})).fit(walks)
    other_walks = numpy_walks(graph, walk_length=20, num_walks=10, seed=2)  # another corpus
    with pytest.raises(ValueError, match=f"workdir {workdir} belongs to another run.*node_counts_sha256"):
        SGNS(**params(epochs=1, options={"workdir": str(workdir)})).fit(other_walks)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=f"workdir {junk} is not empty"):
        SGNS(**params(epochs=1, options={"workdir": str(junk)})).fit(walks)


def test_any_seed_trains_after_any_other(graph_and_walks):
    """The pair-extraction state is a uint64 either side of 2**63 (seeds 0-3 fell below, 4-7 above,
    and the second kind crashed with 'int too big to convert' once the first had been compiled)."""
    from graphemb._rng import normalize_seed

    _, _, walks = graph_and_walks
    high = [int(stream_state(normalize_seed(s)[1], np.uint64(pt._TAG_PAIRS))) >= 2**63 for s in range(8)]
    low_seed, high_seed = high.index(False), high.index(True)
    for seed in (low_seed, high_seed, low_seed):
        model = SGNS(dimensions=8, window=3, workers=1, seed=seed, verbose=False, partitions=2).fit(walks)
        assert np.isfinite(model.input_vectors_).all()


def test_bad_partition_parameters(graph_and_walks):
    _, _, walks = graph_and_walks
    with pytest.raises(ValueError, match="'partitions' parameter of SGNS must be an int >= 1"):
        SGNS(**params(partitions=0)).fit(walks)
    with pytest.raises(ValueError, match="must be <= num_nodes=100"):
        SGNS(**params(partitions=101)).fit(walks)
    with pytest.raises(ValueError, match="negative sampling only"):
        SGNS(**params(objective="hierarchical_softmax")).fit(walks)
    with pytest.raises(ValueError, match="Unknown key 'workers'"):
        SGNS(**params(options={"workers": 2})).validate()
    with pytest.raises(ValueError, match="'buffer' parameter of SGNS partition_options must be an int >= 2"):
        SGNS(**params(options={"buffer": 1})).validate()
    with pytest.raises(ValueError, match="needs a 'workdir'"):
        SGNS(**params(options={"executor": pt.InMemoryExecutor()})).validate()


def test_isolated_nodes_keep_their_rows():
    walks = np.array([[0, 1, 2, 1, 0], [2, 1, 0, 1, 2]])
    model = SGNS(**params(partitions=2, window=2, sample=0.0)).fit(walks, num_nodes=6)
    assert model.input_vectors_.shape == (6, 16)
    assert np.all(model.output_vectors_[3:] == 0) and np.all(model.input_vectors_[3:] != 0)


# ------------------------------------------------------------------------ Dask
@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip(
        "distributed", reason="Dask distributed (the graphemb[distributed] extra) is not installed"
    )
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def dask_reference(graph_and_walks):
    _, _, walks = graph_and_walks
    return SGNS(**params(partitions=2)).fit(walks)  # 2 epochs x 3 chunks x 4 buckets = 24 tasks


# The Dask tests start a LocalCluster whose workers load numba and graphemb: 20-50 s on the shared
# two-core machine, hence slow (python -m pytest -m slow tests/test_partitioned.py).
@pytest.mark.slow
def test_dask_equals_in_memory(graph_and_walks, dask_reference, dask_client, tmp_path):
    from graphemb.distributed.training import DaskExecutor

    _, _, walks = graph_and_walks
    options = {"workdir": str(tmp_path / "w"), "executor": DaskExecutor(dask_client)}
    model = SGNS(**params(partitions=2, options=options)).fit(walks)
    assert np.array_equal(model.input_vectors_, dask_reference.input_vectors_)
    assert np.array_equal(model.output_vectors_, dask_reference.output_vectors_)
    assert np.array_equal(model.loss_, dask_reference.loss_)
    assert model.partition_stats_["tasks"] == 2 * CHUNKS * 4


@pytest.mark.slow
def test_dask_worker_killed_mid_epoch_loses_nothing(graph_and_walks, dask_reference, dask_client, tmp_path):
    from graphemb.distributed.training import DaskExecutor

    _, _, walks = graph_and_walks
    workdir = tmp_path / "w"
    result: dict = {}

    def run():
        try:
            options = {"workdir": str(workdir), "executor": DaskExecutor(dask_client)}
            result["model"] = SGNS(**params(partitions=2, options=options)).fit(walks)
        except BaseException as exc:  # pragma: no cover - reported below
            result["error"] = exc

    pids = dask_client.run(os.getpid)  # the worker processes this test's cluster started
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    # versions 1..12 (2 epochs x 3 chunks x 2 rounds); kill once round 3 (epoch 0, chunk 1) has written
    while not glob.glob(str(workdir / "blocks" / "*.v0000000[3-9].npy")) and time.monotonic() < deadline:
        time.sleep(0.002)
    checkpoint = workdir / "checkpoint.json"
    done = json.loads(checkpoint.read_text())["chunks_done"] if checkpoint.is_file() else 0
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert done < 2 * CHUNKS, "the run finished before the kill; the test did not test anything"
    model = result["model"]
    assert np.array_equal(model.input_vectors_, dask_reference.input_vectors_)
    assert np.array_equal(model.output_vectors_, dask_reference.output_vectors_)
    assert np.array_equal(model.loss_, dask_reference.loss_)
    assert victim not in dask_client.run(os.getpid).values()


# ------------------------------------------------------------ models and CLI
def test_models_train_with_partitions(tmp_path):
    from graphemb import DeepWalk

    graph = nx.planted_partition_graph(2, 20, 0.6, 0.02, seed=1)
    graph.add_node(40)  # isolated: still gets a vector
    kw = dict(dimensions=8, walk_length=10, num_walks=5, window=3, workers=1, seed=3, verbose=False)
    a = DeepWalk(**kw, partitions=3).fit(graph)
    b = DeepWalk(**kw, partitions=3, partition_options={"workdir": str(tmp_path / "p"), "chunks": 2}).fit(graph)
    assert len(a.embedding_) == 41 and 40 in a.embedding_
    assert not np.array_equal(a.embedding_.vectors, DeepWalk(**kw).fit(graph).embedding_.vectors)
    assert (tmp_path / "p" / "run.json").is_file()
    with pytest.raises(ValueError, match="'partitions' parameter of DeepWalk must be an int >= 1"):
        DeepWalk(**kw, partitions=0).validate()
    assert b.embedding_.vectors.shape == (41, 8)


def test_cli_partition_flags(tmp_path, capsys):
    from graphemb.cli import main

    edges = tmp_path / "k.edges"
    nx.write_edgelist(nx.karate_club_graph(), edges, data=False)
    out = tmp_path / "k.emb"
    work = tmp_path / "w"
    flags = ["embed", "--input", str(edges), "--output", str(out), "--dimensions", "8", "--walk-length", "10",
             "--num-walks", "4", "--quiet", "--seed", "1"]  # fmt: skip
    assert main([*flags, "--partitions", "3", "--workdir", str(work)]) == 0
    assert out.read_text().splitlines()[0] == "34 8"
    assert json.loads((work / "partitions" / "run.json").read_text())["params"]["partitions"] == 3
    assert main([*flags, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --workdir" in capsys.readouterr().err
    assert main([*flags, "--scheduler", "tcp://127.0.0.1:1", "--workdir", str(work)]) == 2
    assert "--partitions 2 or more" in capsys.readouterr().err


_PEAK_CHILD = """
import ctypes, gc, json, tempfile
import numpy as np
from graphemb._memory import partition_items
from graphemb.sgns import SGNS


def status(key):  # bytes
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))


n, d, P = 200_000, 128, 8
rng = np.random.default_rng(0)
walks = (rng.zipf(1.5, size=(n, 10)) % n).astype(np.int32)
counts = np.bincount(walks.ravel(), minlength=n).astype(np.int64)
kw = dict(dimensions=d, window=5, workers=1, seed=0, verbose=False)
with tempfile.TemporaryDirectory() as tmp:
    # compile or load the kernels on a tiny run first, hand its freed memory back to the OS, and
    # restart the high-water mark (Linux: clear_refs 5): what remains is the large fit's own memory
    SGNS(**kw, partitions=2, partition_options={"workdir": tmp + "/warm"}).fit(walks[:200] % 1000, num_nodes=1000)
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = status("VmRSS:")
    opts = {"workdir": tmp + "/w"}
    SGNS(**kw, partitions=P, partition_options=opts).fit(walks, num_nodes=n, node_counts=counts)
    peak = status("VmHWM:")
items = partition_items(num_nodes=n, dimensions=d, partitions=P, partition_options=opts, window=5,
                        num_tokens=walks.size, walk_length=10, workers=1)
print(json.dumps({"growth": peak - base, "plan": sum(items.values()) + 4 * walks.size}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="VmHWM and clear_refs: Linux")
def test_out_of_core_peak_stays_near_the_memory_plan():
    """A real out-of-core fit (P = 8, 200k nodes, d = 128: tables of 205 MB) grows the process by
    about what the plan counts (its partition items plus a copy of the corpus), far below the tables."""
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _PEAK_CHILD], capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    growth, plan = result["growth"], result["plan"]
    assert 0.5 * plan <= growth <= 1.25 * plan + 16 * 2**20, result
    assert growth < 0.6 * 2 * 200_000 * 128 * 4, result
