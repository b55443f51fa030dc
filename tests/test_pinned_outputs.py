"""Outputs pinned before the issue-17 redesign: with a seed and one worker, nothing may change.

The walks are integers and are pinned exactly (a SHA-256 of the int32 array).
The vectors are pinned to 1e-6: numba compiles for the host CPU, and a CPU with
fused multiply-add may round the last bit differently, so a byte hash would
pin the machine as well as the code.
"""

from __future__ import annotations

import hashlib

import networkx as nx
import numpy as np
import pytest

import graphemb


@pytest.mark.parametrize(
    "p, q, weighted_sum, digest",
    [
        (1.0, 1.0, 4036617, "aa18b567bab00e59c1daa9e6c5ba2b0a0f4769ed222f2c914c0777335f14ed37"),
        (0.25, 4.0, 4367376, "53cadeade0370f9c8c49e270b6a54ab75f79134ac924cd8c808c36442568b69a"),
    ],
)
def test_seeded_random_walks_are_pinned(p, q, weighted_sum, digest):
    corpus = graphemb.random_walks(
        nx.karate_club_graph(), walk_length=10, num_walks=2, p=p, q=q, seed=7, workers=1, verbose=False
    )
    walks = np.ascontiguousarray(corpus.walks, dtype=np.int32)
    flat = walks.astype(np.int64).ravel()
    assert int(((np.arange(flat.size) + 1) * flat).sum()) == weighted_sum
    assert hashlib.sha256(walks.tobytes()).hexdigest() == digest


def test_seeded_first_walks_by_hand():
    corpus = graphemb.random_walks(
        nx.karate_club_graph(), walk_length=10, num_walks=2, seed=7, workers=1, verbose=False
    )
    assert corpus.walks[:3].tolist() == [
        [0, 8, 32, 33, 9, 33, 8, 32, 15, 33],
        [1, 21, 1, 7, 1, 3, 7, 1, 2, 8],
        [2, 27, 2, 0, 31, 25, 31, 25, 24, 25],
    ]


def test_seeded_one_worker_node2vec_is_pinned():
    model = graphemb.Node2Vec(
        dimensions=16, walk_length=10, num_walks=2, window=3, epochs=1, workers=1, seed=3, verbose=False
    ).fit(nx.karate_club_graph())
    vectors = model.embedding_.vectors
    expected = [
        [0.03759674355387688, -0.0603473037481308, 0.054530493915081024, -0.04175829887390137],
        [0.0041264318861067295, 0.006480297539383173, -0.028156591579318047, 0.013312929309904575],
        [0.03323555737733841, -0.03177010267972946, -0.034730177372694016, -0.050852809101343155],
    ]
    np.testing.assert_allclose(vectors[:3, :4], expected, rtol=0, atol=1e-6)
    assert float(np.float64(vectors).sum()) == pytest.approx(-0.6538803925504908, abs=1e-4)
