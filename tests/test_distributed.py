"""Tests of graphemb.distributed.random_walks on LocalClusters (issue 13).

Identical walks for 1, 2 and 3 worker processes, a worker with 2 threads and two
chunk sizes; a worker process killed mid-run (by the pid it reports); a client
killed mid-run and the run resumed; clear errors before any walk for an
unreachable scheduler, workers without graphemb or of another version, and an
output the workers cannot write.  Everything is skipped when Dask distributed
is not installed (``pip install 'graphemb[distributed]'``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import graphemb
from graphemb import CSRGraph

distributed = pytest.importorskip(
    "distributed", reason="Dask distributed is not installed (pip install 'graphemb[distributed]')"
)
pytest.importorskip("fsspec", reason="fsspec is not installed (pip install 'graphemb[distributed]')")

from distributed import Client, LocalCluster  # noqa: E402

import graphemb.distributed as gd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {"walk_length": 12, "num_walks": 3, "p": 0.5, "q": 2.0, "seed": 11}


def _small_graph() -> CSRGraph:
    g = nx.barabasi_albert_graph(300, 2, seed=3)
    g.add_node(300)  # an isolated node: walks of length 1
    return CSRGraph.from_networkx(nx.relabel_nodes(g, {v: f"n{v}" for v in g}))


@pytest.fixture(scope="module")
def big_graph() -> CSRGraph:
    return CSRGraph.from_networkx(nx.barabasi_albert_graph(8_000, 3, seed=7))


def _assert_same(output, reference) -> None:
    got = graphemb.read_walks(output).to_corpus()
    assert got.walks.dtype == np.int32 and got.walks.shape == reference.walks.shape
    assert got.walks.tobytes() == reference.walks.tobytes()
    assert got.lengths.tobytes() == reference.lengths.tobytes()


@pytest.fixture(scope="module")
def cluster():
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, env=env, silence_logs=40
    ) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster) as c:
        yield c


def _scale(client, cluster, n):
    cluster.scale(n)
    deadline = time.monotonic() + 60
    while len(client.nthreads()) != n:
        assert time.monotonic() < deadline, f"the cluster did not reach {n} workers"
        time.sleep(0.1)


# ------------------------------------------- faults (first: 2 workers), identical
def _complete_walk_files(shards: Path, chunk: int, walk_length: int, total: int) -> dict[str, os.stat_result]:
    """Final-named walk files, each checked whole (a shard being written never shows under its final name)."""
    found = {}
    for path in shards.glob("w*.walks.npy"):
        first = int(path.name[1:13])
        rows = min(chunk, total - first)
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        assert arr.shape == (rows, walk_length) and arr.dtype == np.int32, path
        assert path.stat().st_size >= arr.offset + arr.nbytes, path
        found[path.name] = path.stat()
    return found


def test_killed_worker_loses_nothing(client, cluster, big_graph, tmp_path):
    """Runs first, on the fixture's LocalCluster(n_workers=2, threads_per_worker=1, processes=True)."""
    g = big_graph
    params = {"walk_length": 40, "num_walks": 2, "p": 0.5, "q": 2.0, "seed": 5}
    chunk, total = 400, 16_000
    reference = graphemb.random_walks(g, **params, verbose=False)
    assert len(client.nthreads()) == 2
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    result: dict = {}

    def run():
        try:
            result["manifest"] = gd.random_walks(g, client, tmp_path, chunk_size=chunk, verbose=False, **params)
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    shards = tmp_path / "shards"
    deadline = time.monotonic() + 60
    while len(_complete_walk_files(shards, chunk, 40, total)) < 3:
        assert time.monotonic() < deadline and thread.is_alive(), result
        time.sleep(0.005)
    assert not (tmp_path / "manifest.json").exists()
    os.kill(victim, signal.SIGKILL)  # the pid this worker reported, never a name
    while thread.is_alive():
        _complete_walk_files(shards, chunk, 40, total)
        time.sleep(0.01)
    thread.join()
    assert "error" not in result, result.get("error")
    assert len(result["manifest"]["shards"]) == 40  # 16_000 walks / 400
    _assert_same(tmp_path, reference)
    assert victim not in client.run(os.getpid).values()  # the worker did die (its nanny started another)


def _boom():
    raise OSError("this worker's running total is gone")


def test_counts_lost_with_a_worker_are_recounted_from_the_shards(client, big_graph, tmp_path):
    """The worker-side running totals of node counts: a lost one is rebuilt from its shards."""
    from graphemb.distributed.walks import _add_counts, _count_task, _counts_of, _recount_lost_totals, _Store

    params = {"walk_length": 20, "num_walks": 1, "seed": 2}
    manifest = gd.random_walks(big_graph, client, tmp_path, chunk_size=700, verbose=False, **params)
    expected = graphemb.read_walks(tmp_path).node_counts
    assert expected.sum() == manifest["num_tokens"]
    stream = graphemb.WalkStream(big_graph, **params, workers=1, chunk_size=700, verbose=False)
    plan = client.scatter(stream.plan(), broadcast=True, hash=False)
    chunks = [(e["first_walk"], e["num_walks"]) for e in manifest["shards"]]
    half = len(chunks) // 2
    kept = None
    for first, count in chunks[:half]:
        task = client.submit(_count_task, plan, _Store(tmp_path), first, count, pure=False)
        kept = client.submit(_add_counts, kept, client.submit(_counts_of, task, pure=False), pure=False)
    totals = {"alive": kept, "dead": client.submit(_boom, pure=False)}
    summed = {"alive": chunks[:half], "dead": chunks[half:]}
    _recount_lost_totals(client, plan, _Store(tmp_path), totals, summed)
    assert "dead" not in totals and len(totals) == 2
    recount = sum(f.result() for f in totals.values())
    np.testing.assert_array_equal(recount, expected)
    assert sorted(sum(summed.values(), [])) == sorted(chunks)


def test_same_bytes_for_1_2_3_workers_and_two_chunk_sizes(client, cluster, tmp_path):
    g = _small_graph()
    reference = graphemb.random_walks(g, **PARAMS, verbose=False)
    for n in (3, 2, 1):  # scaling down is quick; the tests after this one run on 1 worker
        _scale(client, cluster, n)
        for chunk in (64, 257):
            out = tmp_path / f"w{n}-{chunk}"
            manifest = gd.random_walks(g, client, out, chunk_size=chunk, verbose=False, **PARAMS)
            _assert_same(out, reference)
            assert manifest["num_walks_total"] == 903 and len(manifest["shards"]) == -(-903 // chunk)
            assert manifest["walks"]["seed"] == 11 and manifest["graph"]["fingerprint"] == g.fingerprint()
            counts = graphemb.read_walks(out).node_counts
            np.testing.assert_array_equal(counts, reference.node_counts(g.num_nodes))
            assert sorted(os.listdir(out)) == ["manifest.json", "node_counts.npy", "nodes.npy", "shards"]


def test_worker_with_two_threads_and_weighted_first_order_walks(tmp_path):
    """Two tasks run at once in one worker: the serial kernel is safe there (no numba parallel region)."""
    g = nx.barabasi_albert_graph(400, 3, seed=5)
    for k, (u, v) in enumerate(g.edges):
        g.edges[u, v]["weight"] = 1.0 + (k % 7)
    g = CSRGraph.from_networkx(g)
    reference = graphemb.random_walks(g, walk_length=15, num_walks=4, seed=2, verbose=False)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as c:
        with Client(c) as cl:
            stats: dict = {}
            gd.random_walks(g, cl, tmp_path / "w", walk_length=15, num_walks=4, seed=2, chunk_size=50,
                            verbose=False, stats=stats)  # fmt: skip
    _assert_same(tmp_path / "w", reference)
    assert stats["resumed"] == 0 and sum(stats["tasks_per_worker"].values()) == 32


def test_fsspec_url_output(client, tmp_path):
    g = _small_graph()
    gd.random_walks(g, client, "file://" + str(tmp_path / "u"), chunk_size=100, verbose=False, **PARAMS)
    _assert_same(tmp_path / "u", graphemb.random_walks(g, **PARAMS, verbose=False))


def test_done_folder_returns_its_manifest_and_other_job_is_refused(client, tmp_path):
    g = _small_graph()
    first = gd.random_walks(g, client, tmp_path, chunk_size=300, verbose=False, **PARAMS)
    stats: dict = {}
    again = gd.random_walks(g, client, tmp_path, chunk_size=300, verbose=False, stats=stats, **PARAMS)
    assert again == first and stats["resumed"] == 4
    with pytest.raises(FileExistsError, match=r"manifest\.json.*walks"):
        gd.random_walks(g, client, tmp_path, chunk_size=300, verbose=False, **{**PARAMS, "seed": 12})
    gd.random_walks(g, client, tmp_path, chunk_size=300, verbose=False, overwrite=True, **{**PARAMS, "seed": 12})
    _assert_same(tmp_path, graphemb.random_walks(g, **{**PARAMS, "seed": 12}, verbose=False))
    stray = tmp_path / "stray"
    (stray / "shards").mkdir(parents=True)
    (stray / "shards" / "w000000000000.walks.npy").write_bytes(b"not ours")
    with pytest.raises(FileExistsError, match="shards of an unknown run"):
        gd.random_walks(g, client, stray, verbose=False, **PARAMS)


_CLIENT_SCRIPT = """
import sys, networkx as nx
from distributed import Client
from graphemb import CSRGraph
import graphemb.distributed as gd
g = CSRGraph.from_networkx(nx.barabasi_albert_graph(8_000, 3, seed=7))
with Client(sys.argv[1]) as client:
    gd.random_walks(g, client, sys.argv[2], walk_length=40, num_walks=2, p=0.5, q=2.0, seed=5, chunk_size=200,
                    verbose=False)
"""


def test_dead_client_then_rerun_resumes(client, cluster, big_graph, tmp_path):
    """Kill the client process (the pid this test started) mid-run; the rerun keeps complete shards."""
    g = big_graph
    params = {"walk_length": 40, "num_walks": 2, "p": 0.5, "q": 2.0, "seed": 5}
    chunk, total = 200, 16_000
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CLIENT_SCRIPT, cluster.scheduler_address, str(tmp_path)], cwd=ROOT, env=env
    )
    shards = tmp_path / "shards"
    try:
        deadline = time.monotonic() + 60
        while len(_complete_walk_files(shards, chunk, 40, total)) < 4:
            assert time.monotonic() < deadline and proc.poll() is None, "the client finished or failed too early"
            time.sleep(0.005)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (tmp_path / "manifest.json").exists() and (tmp_path / ".pending.json").exists()
    time.sleep(0.5)  # tasks already running when the client died may still finish their shard
    kept = _complete_walk_files(shards, chunk, 40, total)
    damaged = sorted(kept)[0]
    with open(shards / damaged, "r+b") as f:  # a shard cut short is not trusted
        f.truncate(200)
    kept.pop(damaged)
    stats: dict = {}
    gd.random_walks(g, client, tmp_path, chunk_size=chunk, verbose=False, stats=stats, **params)
    assert stats["resumed"] >= len(kept)
    for name, before in kept.items():  # skipped: never rewritten
        after = (shards / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), name
    _assert_same(tmp_path, graphemb.random_walks(g, **params, verbose=False))
    assert not (tmp_path / ".pending.json").exists()
    assert not [p for p in shards.iterdir() if ".tmp-" in p.name]


# --------------------------------------------------------------- bad input
def test_unreachable_scheduler_is_named(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ConnectionError, match=f"scheduler at '{address}'"):
        gd.random_walks(_small_graph(), address, tmp_path / "w", timeout=1, verbose=False, **PARAMS)
    assert not (tmp_path / "w").exists()


def _breakers():
    """Functions run on a worker to break (and restore) it; nested, so cloudpickle ships them by value."""

    def hide_graphemb():
        import sys

        sys._graphemb_hidden = {k: v for k, v in sys.modules.items() if k == "graphemb" or k.startswith("graphemb.")}
        for k in sys._graphemb_hidden:
            sys.modules[k] = None
        # a fresh worker may not have imported graphemb yet: block the import itself too
        sys._graphemb_blocked = "graphemb" not in sys._graphemb_hidden
        sys.modules["graphemb"] = None

    def other_version():
        import importlib
        import sys

        module = importlib.import_module("graphemb")  # a fresh worker may not have imported it yet
        sys._graphemb_version = module.__version__
        module.__version__ = "0.0.0-other"

    def restore():
        import sys

        sys.modules.update(getattr(sys, "_graphemb_hidden", {}))
        sys._graphemb_hidden = {}
        if getattr(sys, "_graphemb_blocked", False):
            sys.modules.pop("graphemb", None)
            sys._graphemb_blocked = False
        if hasattr(sys, "_graphemb_version"):
            sys.modules["graphemb"].__version__ = sys._graphemb_version
            del sys._graphemb_version

    return {"hide": hide_graphemb, "version": other_version, "restore": restore}


@pytest.mark.parametrize("breaker, message", [("hide", "cannot import graphemb"), ("version", "graphemb 0.0.0-other")])
def test_workers_without_graphemb_or_of_another_version(client, tmp_path, breaker, message):
    victim = sorted(client.nthreads())[0]
    breakers = _breakers()
    client.run(breakers[breaker], workers=[victim])
    try:
        with pytest.raises(RuntimeError, match=f"graphemb {graphemb.__version__}.*{victim}: {message}"):
            gd.random_walks(_small_graph(), client, tmp_path / "w", verbose=False, **PARAMS)
    finally:
        client.run(breakers["restore"])
    assert not (tmp_path / "w").exists()


def test_output_the_workers_cannot_write(client, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "walks"
    with pytest.raises(PermissionError, match=f"cannot write the output {out}.*tcp://"):
        gd.random_walks(_small_graph(), client, out, verbose=False, **PARAMS)


def test_bad_parameters_fail_before_connecting(tmp_path):
    with pytest.raises(ValueError, match="walk_length"):
        gd.random_walks(_small_graph(), "tcp://127.0.0.1:1", tmp_path, walk_length=0)
    with pytest.raises(ValueError, match="client"):
        gd.random_walks(_small_graph(), 42, tmp_path)


def test_core_does_not_import_dask():
    code = "import sys, graphemb; bad = [m for m in ('dask', 'distributed') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ models
def test_model_fit_with_client_walks_on_the_cluster(client, tmp_path):
    """Walks on the cluster, training here from the shards: the embedding of a fit without client."""
    g = _small_graph()
    params = dict(dimensions=8, walk_length=10, num_walks=4, p=0.5, q=2.0, window=3, workers=1, seed=4, verbose=False)
    here = graphemb.Node2Vec(**params, workdir=tmp_path / "here", memory_limit="1G").fit(g)
    model = graphemb.Node2Vec(**params, workdir=tmp_path / "cluster").fit(g, client=client)
    walks = graphemb.read_walks(tmp_path / "cluster" / "walks", graph=g)
    assert walks.manifest["walks"]["seed"] != 4  # the walk seed derived from the model seed
    np.testing.assert_array_equal(model.embedding_.vectors, here.embedding_.vectors)
    assert model.embedding_.nodes == g.nodes
    deepwalk = graphemb.DeepWalk(dimensions=4, walk_length=5, num_walks=2, workers=1, seed=1, verbose=False)
    assert deepwalk.fit(g, client=client).embedding_.vectors.shape == (g.num_nodes, 4)  # temporary folder


# --------------------------------------------------------------------- CLI
def test_cli_walk_with_scheduler_equals_walk_here(client, cluster, tmp_path, capsys):
    from graphemb import cli

    edges = tmp_path / "g.txt"
    g = nx.barabasi_albert_graph(200, 2, seed=1)
    edges.write_text("".join(f"{u} {v}\n" for u, v in g.edges))
    common = ["--input", str(edges), "--walk-length", "7", "--num-walks", "3", "--p", "0.5", "--seed", "9", "--quiet"]
    assert cli.main(["walk", *common, "--output", str(tmp_path / "here")]) == 0
    args = ["walk", *common, "--output", str(tmp_path / "there"), "--scheduler", cluster.scheduler_address]
    assert cli.main(args) == 0
    here, there = graphemb.read_walks(tmp_path / "here"), graphemb.read_walks(tmp_path / "there")
    assert there.to_corpus().walks.tobytes() == here.to_corpus().walks.tobytes()
    assert there.manifest["metadata"] == here.manifest["metadata"]  # run seed kept for 'graphemb train'
    capsys.readouterr()
    bad = ["walk", *common, "--output", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:1", "--format", "text"]
    assert cli.main(bad) == 2
    assert "--format text" in capsys.readouterr().err
