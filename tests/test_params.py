"""One declaration per parameter (graphemb._params) and one estimator base (graphemb._estimator).

Everything derived from the declarations is checked against them here: estimator
signatures, validation messages, get/set_params/repr/clone, numpydoc entries of the
estimators and of the walk functions, and the command line's flags.
"""

from __future__ import annotations

import argparse
import inspect

import networkx as nx
import numpy as np
import pytest

import graphemb
from graphemb import SGNS, DeepWalk, Node2Vec
from graphemb._estimator import Estimator
from graphemb._params import PARAMETERS, Param, fill_parameter_docs
from graphemb.cli import build_parser

ESTIMATORS = (SGNS, Node2Vec, DeepWalk)
# Public callables whose parameters of these names are the declared ones (same default, same doc).
WALK_FUNCTIONS = (graphemb.random_walks, graphemb.iter_random_walks, graphemb.WalkStream.__init__)


def _documented(obj) -> dict[str, tuple[str, str]]:
    """``name -> (type line, description)`` of the numpydoc Parameters section of ``obj``."""
    from numpydoc.docscrape import NumpyDocString

    doc = NumpyDocString(inspect.getdoc(obj) or "")
    out = {}
    for par in doc["Parameters"]:
        for name in par.name.split(","):
            out[name.strip()] = (par.type, " ".join(" ".join(par.desc).split()))
    return out


# ------------------------------------------------------------- declarations
@pytest.mark.parametrize("param", list(PARAMETERS.values()), ids=list(PARAMETERS))
def test_every_declaration_accepts_its_default_and_documents_itself(param: Param):
    assert param.check(param.default, "Owner") == param.default
    entry = param.numpydoc()
    assert entry.splitlines()[0] == f"    {param.name} : {param.type_doc}, default {param.default!r}"
    assert param.doc.split()[0] in entry and param.help  # first sentence becomes the CLI help


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("window", 0, "The 'window' parameter of Owner must be an int >= 1. Got 0 instead."),
        ("window", True, "The 'window' parameter of Owner must be an int >= 1. Got True instead."),
        ("p", -1.0, "The 'p' parameter of Owner must be a finite float > 0. Got -1.0 instead."),
        ("sample", float("nan"), "The 'sample' parameter of Owner must be a finite float >= 0. Got nan instead."),
        ("ns_exponent", "x", "The 'ns_exponent' parameter of Owner must be a finite float. Got 'x' instead."),
        ("weighted", 1, "The 'weighted' parameter of Owner must be a bool or None. Got 1 instead."),
        ("verbose", None, "The 'verbose' parameter of Owner must be a bool. Got None instead."),
        ("seed", -1, "The 'seed' parameter of Owner must be a non-negative int or None. Got -1 instead."),
        ("seed", 1.5, "The 'seed' parameter of Owner must be a non-negative int or None. Got 1.5 instead."),
        ("workers", 0, "The 'workers' parameter of Owner must be an int >= 1. Got 0 instead."),
        ("workdir", 3, "The 'workdir' parameter of Owner must be a path or None. Got 3 instead."),
        ("partition_options", [], "The 'partition_options' parameter of Owner must be a dict or None. Got []"),
        ("objective", "cbow", "The 'objective' parameter of Owner must be one of 'negative_sampling'"),
        ("negative", 0, "Got 0 instead (negative=0, hierarchical softmax only, is not supported)."),
        ("memory_limit", "lots", "The 'memory_limit' parameter must be a size such as 4G"),
    ],
)
def test_checks_keep_scikit_learn_wording(name, value, message):
    with pytest.raises(ValueError) as err:
        PARAMETERS[name].check(value, "Owner")
    assert message in str(err.value)


def test_checks_normalise():
    assert type(PARAMETERS["window"].check(np.int64(3))) is int
    assert type(PARAMETERS["alpha"].check(np.float32(0.5))) is float
    assert PARAMETERS["memory_limit"].check("1K") == 1024
    assert PARAMETERS["workers"].check(None) is None


# ---------------------------------------------------------- estimator base
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_signature_is_the_declarations(cls):
    sig = inspect.signature(cls)
    assert tuple(sig.parameters) == cls._parameters
    for name, par in sig.parameters.items():
        assert par.default == PARAMETERS[name].default or (par.default is None and PARAMETERS[name].default is None)
    documented = _documented(cls)
    assert list(documented) == list(cls._parameters)
    for name, (type_line, desc) in documented.items():
        assert type_line == f"{PARAMETERS[name].type_doc}, default {PARAMETERS[name].default!r}"
        assert desc == " ".join(PARAMETERS[name].doc.split())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_scikit_learn_estimator_checks(cls):
    """scikit-learn's checks that apply to estimators whose fit takes a graph or walks, not (X, y).

    Not run: the checks that fit on random (X, y) arrays (``check_fit2d_*``, ``check_dont_overwrite_parameters``,
    ...; ``test_fit_leaves_parameters_alone`` below is their equivalent here) and ``check_param_validation``,
    which needs scikit-learn's own ``_parameter_constraints`` (graphemb validates from graphemb._params).
    """
    from sklearn.base import clone
    from sklearn.utils import estimator_checks as ec

    for check in (
        ec.check_estimator_cloneable,
        ec.check_estimator_repr,
        ec.check_get_params_invariance,
        ec.check_no_attributes_set_in_init,
        ec.check_parameters_default_constructible,
        ec.check_set_params,
        ec.check_do_not_raise_errors_in_init_or_set_params,
    ):
        check(cls.__name__, cls())
    model = cls(dimensions=8, seed=3, partition_options={"chunks": 2})
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert twin.partition_options is not model.partition_options  # clone copies, never shares, mutable values


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_protocol(cls):
    model = cls(8, seed=1)  # positional as in the signature
    assert model.dimensions == 8 and model.seed == 1
    assert repr(model) == f"{cls.__name__}(dimensions=8, seed=1)"
    assert model.set_params(window=3) is model and model.window == 3
    with pytest.raises(ValueError, match=rf"Invalid parameter 'windows' for {cls.__name__}\. Valid parameters are: "):
        model.set_params(windows=3)
    with pytest.raises(TypeError, match=rf"{cls.__name__}\(\) got an unexpected keyword argument 'windows'"):
        cls(windows=3)
    with pytest.raises(ValueError, match=rf"The 'window' parameter of {cls.__name__} must be an int >= 1"):
        cls(window=0).validate()
    with pytest.raises(ValueError, match=r"The 'min_alpha' parameter of SGNS must be <= alpha"):
        cls(alpha=0.01, min_alpha=0.02).validate()


@pytest.mark.parametrize("cls", [Node2Vec, DeepWalk])
def test_fit_leaves_parameters_alone(cls):
    model = cls(dimensions=4, walk_length=5, num_walks=2, window=2, workers=1, seed=0, verbose=False)
    before = model.get_params()
    model.fit(nx.path_graph(6))
    assert model.get_params() == before
    fitted = [k for k in vars(model) if k not in before]
    assert fitted and all(k.endswith("_") or k.startswith("_") for k in fitted), fitted


def test_fitted_sgns_attributes_end_with_underscore():
    model = SGNS(dimensions=4, window=2, workers=1, seed=0, verbose=False)
    before = model.get_params()
    model.fit(np.array([[0, 1, 2, 1, 0], [2, 1, 0, 1, 2]]))
    assert model.get_params() == before
    fitted = [k for k in vars(model) if k not in before]
    assert fitted and all(k.endswith("_") or k.startswith("_") for k in fitted), fitted


def test_a_new_parameter_is_one_declaration(monkeypatch):
    """Declaring a parameter and naming it in ``_parameters`` gives __init__, checks, docs and protocol."""
    monkeypatch.setitem(PARAMETERS, "gamma", Param("gamma", "float", 2.0, "Focusing exponent. Larger is sharper."))

    class Toy(Estimator):
        """A toy.

        Parameters
        ----------
        {parameters}
        """

        _parameters = ("dimensions", "gamma")

    toy = Toy(gamma=3.0)
    assert toy.get_params() == {"dimensions": 128, "gamma": 3.0}
    assert repr(toy) == "Toy(gamma=3.0)"
    assert "gamma : float, default 2.0\n            Focusing exponent. Larger is sharper." in Toy.__doc__
    with pytest.raises(ValueError, match="The 'gamma' parameter of Toy must be a finite float > 0. Got -1 instead."):
        Toy(gamma=-1).validate()


def test_undeclared_parameter_is_refused_at_class_creation():
    with pytest.raises(TypeError, match=r"parameters \['nope'\] are not declared"):

        class Bad(Estimator):
            _parameters = ("nope",)


def test_fill_parameter_docs_placeholders():
    doc = "Do.\n\n    Parameters\n    ----------\n    graph : CSRGraph\n    {parameters: p q}\n"
    filled = fill_parameter_docs(doc)
    assert "    p : float, default 1.0\n" in filled and "    q : float, default 1.0\n" in filled


# --------------------------------------------------------- walk functions
@pytest.mark.parametrize("func", WALK_FUNCTIONS, ids=lambda f: f.__qualname__)
def test_walk_functions_follow_the_declarations(func):
    sig = inspect.signature(func)
    documented = _documented(graphemb.WalkStream if func is graphemb.WalkStream.__init__ else func)
    declared = [name for name in sig.parameters if name in PARAMETERS]
    assert len(declared) >= 8
    for name in declared:
        assert sig.parameters[name].default == PARAMETERS[name].default, name
        if documented.get(name, ("",))[0]:  # iter_random_walks documents them "as in random_walks"
            assert documented[name][0] == f"{PARAMETERS[name].type_doc}, default {PARAMETERS[name].default!r}"


def test_distributed_walks_follow_the_declarations():
    pytest.importorskip("distributed")
    from graphemb.distributed import random_walks

    sig = inspect.signature(random_walks)
    for name in ("walk_length", "num_walks", "p", "q", "weighted", "seed", "chunk_size", "verbose"):
        assert sig.parameters[name].default == PARAMETERS[name].default, name


# ------------------------------------------------------------ command line
def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


@pytest.mark.parametrize("command", ["embed", "walk", "train"])
def test_cli_flags_come_from_the_declarations(command):
    parser = _subparser(command)
    by_dest = {a.dest: a for a in parser._actions}
    from graphemb.cli import RUN_FLAGS, TRAIN_FLAGS, WALK_FLAGS

    expected = {"embed": WALK_FLAGS + TRAIN_FLAGS + RUN_FLAGS, "walk": WALK_FLAGS + RUN_FLAGS}.get(
        command, TRAIN_FLAGS + RUN_FLAGS
    )
    for name in expected + ("memory_limit",) + (("workdir",) if command != "walk" else ()):
        param, action = PARAMETERS[name], by_dest[name]
        assert tuple(action.option_strings) == param.flags
        assert action.default == param.default
        assert action.help == param.help or name in ("memory_limit", "workdir", "partitions")
    for name in set(WALK_FLAGS) - set(expected):
        assert name not in by_dest


def test_cli_rejects_bad_values_with_the_declared_wording(capsys):
    parser = build_parser()
    with pytest.raises(SystemExit) as err:
        parser.parse_args(["embed", "--input", "x", "--output", "y", "--window-size", "0"])
    assert err.value.code == 2
    assert "argument --window-size: must be an int >= 1. Got '0' instead." in capsys.readouterr().err
    args = parser.parse_args(["embed", "--input", "x", "--output", "y", "--ns-exponent", "-0.5", "--iter", "3"])
    assert args.ns_exponent == -0.5 and args.epochs == 3 and args.window == 10
