"""Dataset downloads go through pooch and are checked against a pinned SHA-256.

A local HTTP server (127.0.0.1, a free port, started and stopped by the test)
stands in for the publisher, so the real pooch code path runs without the
internet.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import logging
import threading

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

from graphemb import datasets
from graphemb.datasets import DatasetNotFoundError, expected_sha256, load_ppi

pytest.importorskip("pooch")


@pytest.fixture
def server(tmp_path):
    """Serve ``tmp_path / "www"`` over HTTP; yields (folder, base URL)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def env(tmp_path, monkeypatch, server):
    www, base = server
    (tmp_path / "data").mkdir()
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("GRAPHEMB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GRAPHEMB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GRAPHEMB_SHA256_PPI", raising=False)
    a = sp.csc_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float))
    scipy.io.savemat(www / "Homo_sapiens.mat", {"network": a, "group": sp.csc_matrix(np.eye(3))})
    digest = hashlib.sha256((www / "Homo_sapiens.mat").read_bytes()).hexdigest()
    monkeypatch.setitem(datasets.REMOTE, "ppi", ("Homo_sapiens.mat", f"{base}/Homo_sapiens.mat"))
    return tmp_path, digest


def test_every_remote_dataset_has_a_checksum_entry():
    assert set(datasets.SHA256) == set(datasets.REMOTE)
    for name in datasets.REMOTE:
        sha = expected_sha256(name)
        assert sha is None or len(sha) == 64


def test_pinned_checksum_verifies_the_download(env, monkeypatch):
    tmp, digest = env
    monkeypatch.setitem(datasets.SHA256, "ppi", digest)
    graph, labels = load_ppi()
    assert graph.num_nodes == 3 and graph.num_edges == 2 and labels == {1: [1], 2: [2], 3: [3]}
    assert (tmp / "cache" / "Homo_sapiens.mat").is_file()


def test_wrong_checksum_refuses_the_file(env, monkeypatch):
    tmp, digest = env
    monkeypatch.setitem(datasets.SHA256, "ppi", "0" * 64)
    with pytest.raises(DatasetNotFoundError, match="download failed: ValueError: .*hash") as info:
        load_ppi()
    assert not (tmp / "cache" / "Homo_sapiens.mat").exists()  # pooch discards a file that fails the check
    assert "Homo_sapiens.mat" in str(info.value) and str(tmp / "cache") in str(info.value)
    # A cached file is checked too.
    (tmp / "cache" / "Homo_sapiens.mat").write_bytes(b"tampered")
    with pytest.raises(DatasetNotFoundError, match=f"has SHA-256 {hashlib.sha256(b'tampered').hexdigest()}"):
        load_ppi()


def test_environment_pins_a_checksum(env, monkeypatch):
    _, digest = env
    monkeypatch.setenv("GRAPHEMB_SHA256_PPI", digest.upper())
    assert expected_sha256("ppi") == digest
    assert load_ppi()[0].num_nodes == 3
    monkeypatch.setenv("GRAPHEMB_SHA256_PPI", "abc")
    with pytest.raises(ValueError, match="not 64 hex digits"):
        expected_sha256("ppi")


def test_unpinned_download_warns_with_its_digest(env, monkeypatch, caplog):
    _, digest = env
    monkeypatch.setitem(datasets.SHA256, "ppi", None)
    with caplog.at_level(logging.WARNING, logger="graphemb.datasets"):
        load_ppi()
    text = caplog.text
    assert "WITHOUT checksum verification" in text and digest in text and "GRAPHEMB_SHA256_PPI" in text


def test_offline_error_names_url_file_and_folder(env, monkeypatch):
    tmp, _ = env
    url = "http://127.0.0.1:9/Homo_sapiens.mat"  # port 9 (discard): connection refused
    monkeypatch.setitem(datasets.REMOTE, "ppi", ("Homo_sapiens.mat", url))
    with pytest.raises(DatasetNotFoundError) as info:
        load_ppi()
    msg = str(info.value)
    assert url in msg and "save it as the file Homo_sapiens.mat in the folder " + str(tmp / "cache") in msg
    assert "download failed" in msg
