"""Tests of graphemb.tune (p, q grid search with the node2vec paper's protocol), presets and `graphemb tune`."""

from __future__ import annotations

import json

import numpy as np
import pytest

import graphemb
import graphemb.tuning as tuning
from graphemb.cli import build_parser, main
from graphemb.datasets import make_planted_partition
from graphemb.presets import PRESETS, preset_params

# Tiny, bit-for-bit repeatable settings (one thread, no sub-sampling on a 160-node graph).
TINY = dict(dimensions=8, walk_length=15, num_walks=4, window=4, epochs=2, sample=0.0, workers=1)


@pytest.fixture(scope="module")
def planted():
    return make_planted_partition(n_blocks=4, block_size=40, p_in=0.3, p_out=0.02, seed=0)


@pytest.fixture(scope="module")
def test_nodes(planted):
    graph, _ = planted
    rng = np.random.default_rng(7)
    return set(rng.choice(graph.num_nodes, size=graph.num_nodes // 2, replace=False).tolist())


def _tune(graph, labels, **kw):
    args = dict(p=[1.0, 4.0], q=[0.25, 1.0], tuning_fraction=0.3, folds=5, params=TINY, verbose=False)
    return graphemb.tune(graph, labels, **{**args, **kw})


# ----------------------------------------------------------- the protocol
def test_tune_is_at_least_as_good_as_deepwalk_and_never_reads_test_labels(planted, test_nodes, monkeypatch):
    graph, labels = planted
    scored: list[set] = []
    real_cv = tuning.cross_validate_node_classification

    def spy(embedding, labs, **kw):
        scored.append(set(labs))
        return real_cv(embedding, labs, **kw)

    monkeypatch.setattr(tuning, "cross_validate_node_classification", spy)
    res = _tune(graph, labels, exclude=test_nodes, q=[1.0])
    assert len(scored) == 2  # one scoring per grid point
    tuning_nodes = set(res.tuning_nodes)
    assert len(tuning_nodes) == round(0.3 * graph.num_nodes)
    for nodes in scored:
        assert nodes == tuning_nodes
        assert not nodes & test_nodes, "tune scored a test node"
    deepwalk = res.scores.set_index(["p", "q"]).loc[(1.0, 1.0), "score"]
    assert res.best["score"] >= deepwalk
    assert res.best["score"] == res.scores["score"].max()
    # The selection is far above chance on this easy graph (4 balanced blocks: chance Macro-F1 ~ 0.25).
    assert res.best["score"] > 0.6

    # Scrambling every test node's label changes nothing: those labels are never used.
    rng = np.random.default_rng(0)
    scrambled = {v: (int(rng.integers(0, 4)) if v in test_nodes else lab) for v, lab in labels.items()}
    monkeypatch.setattr(tuning, "cross_validate_node_classification", real_cv)
    again = _tune(graph, scrambled, exclude=test_nodes, q=[1.0])
    np.testing.assert_array_equal(again.scores["score"].to_numpy(), res.scores["score"].to_numpy())
    assert again.best == res.best and again.tuning_nodes == res.tuning_nodes


def test_result_json_holds_choice_grid_and_protocol(planted, tmp_path):
    graph, labels = planted
    res = _tune(graph, labels, grid=[(1.0, 1.0), (0.5, 2.0)])
    path = tmp_path / "best.json"
    res.save(path)
    saved = json.loads(path.read_text())
    assert saved["best"] == res.best and {"p", "q", "score"} == set(saved["best"])
    assert [(g["p"], g["q"]) for g in saved["grid"]] == [(1.0, 1.0), (0.5, 2.0)]
    proto = saved["protocol"]
    assert proto["task"] == "node-classification" and proto["folds"] == 5 and proto["metric"] == "macro_f1"
    assert "5-fold cross-validation on 48 tuning nodes" in proto["selection"]
    assert saved["params"]["p"] == res.best["p"] and saved["params"]["epochs"] == 2
    assert sorted(saved["tuning_nodes"]) == sorted(res.tuning_nodes)
    model = res.model(verbose=False)
    assert isinstance(model, graphemb.Node2Vec) and (model.p, model.q) == (res.best["p"], res.best["q"])
    assert not list(tmp_path.glob(".*tmp*"))  # atomic write left no temporary file


def test_resume_skips_finished_points_and_matches_a_fresh_run(planted, tmp_path, monkeypatch):
    graph, labels = planted
    ckpt = tmp_path / "partial.json"
    calls = []
    real_fit = tuning._Fitter.fit

    def counting_fit(self, p, q, run_seed):
        calls.append((p, q))
        if len(calls) == 3:
            raise KeyboardInterrupt  # interrupted during the third point
        return real_fit(self, p, q, run_seed)

    monkeypatch.setattr(tuning._Fitter, "fit", counting_fit)
    with pytest.raises(KeyboardInterrupt):
        _tune(graph, labels, checkpoint=ckpt)
    state = json.loads(ckpt.read_text())
    assert [(r["p"], r["q"]) for r in state["done"]] == [(1.0, 0.25), (1.0, 1.0)]
    calls.clear()
    monkeypatch.setattr(tuning._Fitter, "fit", lambda self, p, q, k: (calls.append((p, q)), real_fit(self, p, q, k))[1])
    resumed = _tune(graph, labels, checkpoint=ckpt)
    assert calls == [(4.0, 0.25), (4.0, 1.0)]  # only the unfinished points
    fresh = _tune(graph, labels)
    np.testing.assert_allclose(resumed.scores["score"], fresh.scores["score"])
    assert resumed.best == fresh.best
    calls.clear()
    _tune(graph, labels, checkpoint=ckpt, params={**TINY, "workers": 2})  # another thread count resumes too
    assert calls == []
    with pytest.raises(ValueError, match=r"different protocol \(differs in \[.*'seed'"):
        _tune(graph, labels, checkpoint=ckpt, seed=1)


def test_repeats_average_fits_of_consecutive_run_seeds(planted, tmp_path, monkeypatch):
    graph, labels = planted
    one = _tune(graph, labels, q=[1.0])
    seeds = []
    real_fit = tuning._Fitter.fit
    monkeypatch.setattr(tuning._Fitter, "fit", lambda self, p, q, k: (seeds.append(k), real_fit(self, p, q, k))[1])
    three = _tune(graph, labels, q=[1.0], repeats=3, seed=0, checkpoint=tmp_path / "ckpt.json")
    assert seeds == [0, 1, 2, 0, 1, 2]  # every point fitted with the same three run seeds
    for (_, a), (_, b) in zip(one.scores.iterrows(), three.scores.iterrows(), strict=True):
        assert b["repeat_scores"][0] == a["score"]  # the first fit is the one-fit protocol's
        assert b["score"] == pytest.approx(np.mean(b["repeat_scores"]))
        assert b["score_std"] == pytest.approx(np.std(b["repeat_scores"], ddof=1)) and b["score_std"] > 0
        assert b["macro_f1"] == pytest.approx(b["score"])
    assert three.best["score"] == three.scores["score"].max()
    assert three.protocol["repeats"] == 3 and "3 embeddings" in three.protocol["embedding"]
    assert "repeats" not in one.protocol  # a one-fit protocol is unchanged (its checkpoints resume)
    seeds.clear()
    again = _tune(graph, labels, q=[1.0], repeats=3, seed=0, checkpoint=tmp_path / "ckpt.json")
    assert seeds == [] and again.best == three.best  # resumed: nothing refitted
    with pytest.raises(ValueError, match=r"differs in \['embedding', 'repeats'\]"):
        _tune(graph, labels, q=[1.0], repeats=2, checkpoint=tmp_path / "ckpt.json")
    lp = graphemb.tune(graph, task="link-prediction", p=[1.0], q=[1.0], operators=("hadamard", "l1"),
                       test_fraction=0.3, validation_fraction=0.3, params=TINY, verbose=False, repeats=2)  # fmt: skip
    assert list(lp.scores["operator"]) == ["hadamard", "l1"] and all(len(r) == 2 for r in lp.scores["repeat_scores"])


def test_link_prediction_selects_p_q_and_operator_on_a_validation_split(planted, monkeypatch):
    graph, _ = planted
    seen = []
    real = tuning.score_link_prediction

    def spy(embedding, split, **kw):
        seen.append(split)
        return real(embedding, split, **kw)

    monkeypatch.setattr(tuning, "score_link_prediction", spy)
    res = graphemb.tune(graph, task="link-prediction", p=[1.0], q=[0.5, 1.0], operators=("hadamard", "l1"),
                        test_fraction=0.3, validation_fraction=0.3, params=TINY, verbose=False)  # fmt: skip
    assert set(res.best) == {"p", "q", "operator", "score"} and res.best["operator"] in ("hadamard", "l1")
    assert len(res.scores) == 4 and set(res.scores["operator"]) == {"hadamard", "l1"}
    n = graph.num_nodes
    test_keys = set((res.split.test_pos[:, 0] * n + res.split.test_pos[:, 1]).tolist())
    for validation in seen:
        for pairs in (validation.train_pos, validation.test_pos):
            assert not set((pairs[:, 0] * n + pairs[:, 1]).tolist()) & test_keys, "a test edge was used"
        residual = validation.graph
        assert residual.num_edges < res.split.graph.num_edges < graph.num_edges
    assert "never used" in res.protocol["selection"]


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(p=[0.0, 1.0]), "'p' parameter of tune must hold finite floats > 0"),
        (dict(q=[-1.0]), "'q' parameter of tune must hold finite floats > 0"),
        (dict(p=[]), "'p' parameter of tune must be a non-empty list"),
        (dict(grid=[]), "'grid' parameter of tune must be a non-empty list"),
        (dict(grid=[(1.0, 0.0)]), "'q' parameter"),
        (dict(task="clustering"), "'task' parameter of tune"),
        (dict(preset="fast"), "'preset' parameter"),
        (dict(metric="roc_auc"), "'metric' parameter of tune"),
        (dict(params={"p": 2.0}), "must not set 'p'"),
        (dict(repeats=0), "'repeats' parameter of tune must be an int >= 1"),
        (dict(tuning_fraction=0.05), r"gives 8 tuning node\(s\), fewer than folds=10. Use tuning_fraction >= 0.0625"),
    ],
)
def test_bad_parameters_get_clear_errors(planted, kwargs, match):
    graph, labels = planted
    args = dict(params=TINY, verbose=False, folds=10)
    with pytest.raises(ValueError, match=match):
        graphemb.tune(graph, labels, **{**args, **kwargs})


def test_labels_of_unknown_nodes_and_missing_labels_are_errors(planted):
    graph, labels = planted
    with pytest.raises(ValueError, match=r"1 labelled node\(s\) are not nodes of the graph, e.g. 999"):
        graphemb.tune(graph, {**labels, 999: 0}, params=TINY, verbose=False)
    with pytest.raises(ValueError, match="The graph has 3: the id types differ"):
        graphemb.tune(graph, {"3": 0, **labels}, params=TINY, verbose=False)
    with pytest.raises(ValueError, match="'labels' parameter of tune is required"):
        graphemb.tune(graph, params=TINY, verbose=False)


def test_exclude_leaving_too_few_candidates_is_an_error(planted):
    graph, labels = planted
    with pytest.raises(ValueError, match=r"\(5 outside 'exclude'\) gives 5 tuning node\(s\), fewer than folds=10"):
        graphemb.tune(graph, labels, exclude=list(range(5, graph.num_nodes)), params=TINY, verbose=False)


# ---------------------------------------------------------------- presets
def test_presets():
    assert PRESETS["paper"]["epochs"] == 1 and PRESETS["converged"]["epochs"] > 1
    assert preset_params("converged", dimensions=64, epochs=None)["dimensions"] == 64
    assert preset_params("converged", epochs=None)["epochs"] == PRESETS["converged"]["epochs"]
    with pytest.raises(ValueError, match="'preset' parameter must be one of 'paper', 'converged'"):
        preset_params("best")
    graphemb.Node2Vec(**PRESETS["converged"]).validate()


def test_embed_preset_fills_only_flags_not_given():
    parser = build_parser()
    base = ["embed", "--input", "x", "--output", "y"]
    args = parser.parse_args([*base, "--preset", "converged"])
    from graphemb.cli import _apply_preset

    _apply_preset(args)
    assert args.epochs == PRESETS["converged"]["epochs"] and args.dimensions == 128
    args = parser.parse_args([*base, "--preset", "converged", "--iter", "2"])
    _apply_preset(args)
    assert args.epochs == 2
    args = parser.parse_args(base)
    _apply_preset(args)
    assert args.epochs == 1


# -------------------------------------------------------------------- CLI
def test_cli_tune_writes_best_json_and_removes_the_checkpoint(planted, tmp_path, capsys):
    graph, labels = planted
    edges = tmp_path / "edges.tsv"
    u, v = np.nonzero(np.triu(graph.to_scipy().toarray()))
    edges.write_text("".join(f"{a}\t{b}\n" for a, b in zip(u.tolist(), v.tolist(), strict=True)))
    labs = tmp_path / "labels.tsv"
    labs.write_text("".join(f"{n}\t{c}\n" for n, c in labels.items() if n in set(u) | set(v)))
    out = tmp_path / "best.json"
    args = ["tune", "--input", str(edges), "--labels", str(labs), "--output", str(out), "--p-grid", "1", "4",
            "--q-grid", "1", "--tuning-fraction", "0.3", "--folds", "5", "--dimensions", "8", "--epochs", "2",
            "--workers", "1", "--quiet"]  # fmt: skip
    assert main(args) == 0, capsys.readouterr().err
    stdout = capsys.readouterr().out
    saved = json.loads(out.read_text())
    assert f"best: p={saved['best']['p']:g} q=1" in stdout and "macro_f1 by p (rows) and q (columns)" in stdout
    assert len(saved["grid"]) == 2 and saved["params"]["epochs"] == 2 and saved["params"]["dimensions"] == 8
    assert not (tmp_path / "best.json.partial.json").exists()
    assert build_parser().parse_args(args[:-1] + ["--repeats", "3"]).repeats == 3
    code = main(["tune", "--input", str(edges), "--output", str(out), "--quiet"])
    assert code == 2 and "--labels is required" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["tune", "--input", str(edges), "--labels", str(labs), "--output", str(out), "--p-grid", "0"])
    assert info.value.code == 2 and "--p-grid: must be a finite float > 0" in capsys.readouterr().err
