"""Command line: ``graphemb embed | evaluate | demo | tune`` (also ``python -m graphemb``).

The CLI only parses flags and calls the public API.  Flags follow the node2vec
reference implementation and PecanPy (``--walk-length``, ``--num-walks``,
``--window-size``, ``--p``, ``--q``, ``--iter``, ...).

Exit status: 0 on success, 2 for bad flags, bad parameters or a malformed input
file (a one-line message naming the parameter or ``file:line``, no traceback),
130 when interrupted.  Output files are written atomically, so an interrupted
run never leaves a half-written embedding behind.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["build_parser", "main"]

logger = logging.getLogger("graphemb.cli")

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """A user error the CLI reports in one line (exit status 2)."""


def _write(text: str = "", stream: Any = None) -> None:
    """Write a line of program output (the CLI's product, not library logging)."""
    (stream or sys.stdout).write(text + "\n")


# -------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (``graphemb embed: error: ...``) and exit 2."""

    def error(self, message: str) -> Any:
        hint = f" (see '{self.prog} --help')"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {' '.join(message.split())}{hint}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an int >= 1. Got {text!r} instead.") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1. Got {text!r} instead.")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative int. Got {text!r} instead.") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative int. Got {text!r} instead.")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a finite float > 0. Got {text!r} instead.") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a finite float > 0. Got {text!r} instead.")
    return value


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a float in (0, 1). Got {text!r} instead.") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a float in (0, 1). Got {text!r} instead.")
    return value


_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "space": " ", "whitespace": None}


def _delimiter(text: str) -> str | None:
    if text in _DELIMITERS:
        return _DELIMITERS[text]
    if len(text) != 1 or text in "\r\n":
        raise argparse.ArgumentTypeError(
            f"must be one character, or one of tab, comma, space, whitespace. Got {text!r} instead."
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    """Build the ``graphemb`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        With sub-commands ``embed``, ``evaluate`` and ``demo``.
    """
    from . import __version__

    parser = _Parser(
        prog="graphemb",
        description="Node embeddings (DeepWalk, node2vec) with numba random walks and skip-gram.",
    )
    parser.add_argument("--version", action="version", version=f"graphemb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{embed,evaluate,demo}")

    embed = sub.add_parser(
        "embed",
        help="learn node2vec embeddings from an edge-list file",
        description="Learn node2vec (DeepWalk when p = q = 1) embeddings from an edge-list file.",
    )
    embed.add_argument("--input", required=True, help="edge list: 'source target [weight]' per line")
    embed.add_argument("--output", required=True, help="embedding file to write")
    embed.add_argument("--dimensions", type=_positive_int, default=128, help="vector length (default 128)")
    embed.add_argument("--walk-length", type=_positive_int, default=80, help="nodes per walk (default 80)")
    embed.add_argument("--num-walks", type=_positive_int, default=10, help="walks per node (default 10)")
    embed.add_argument("--window-size", type=_positive_int, default=10, help="context size (default 10)")
    embed.add_argument("--p", type=_positive_float, default=1.0, help="return parameter (default 1)")
    embed.add_argument("--q", type=_positive_float, default=1.0, help="in-out parameter (default 1)")
    embed.add_argument("--negative", type=_positive_int, default=5, help="negative samples (default 5)")
    embed.add_argument(
        "--iter", "--epochs", dest="epochs", type=_positive_int, default=1, help="training epochs (default 1)"
    )
    embed.add_argument("--weighted", action="store_true", help="read a third column as edge weights")
    embed.add_argument("--directed", action="store_true", help="treat each line as an arc source -> target")
    embed.add_argument("--workers", type=_positive_int, default=None, help="threads (default: all cores)")
    embed.add_argument("--seed", type=_seed, default=None, help="random seed (default: fresh, logged)")
    embed.add_argument(
        "--delimiter",
        type=_delimiter,
        default=None,
        help="field separator: one character or tab/comma/space (default: any whitespace)",
    )
    embed.add_argument(
        "--format", choices=("word2vec", "npz"), default="word2vec", help="output format (default word2vec text)"
    )
    embed.add_argument("--quiet", action="store_true", help="no progress bars")
    embed.set_defaults(handler=_cmd_embed)
    _add_preset_option(embed)

    evaluate = sub.add_parser(
        "evaluate",
        help="node classification scores of an embedding",
        description="Multi-label node classification (DeepWalk/node2vec protocol) of an embedding file.",
    )
    evaluate.add_argument("--embedding", required=True, help="embedding file (word2vec text/binary or .npz)")
    evaluate.add_argument("--labels", required=True, help="labels file: 'node<TAB>label' per line")
    evaluate.add_argument("--train-ratios", type=_ratio, nargs="+", default=[0.1, 0.5, 0.9], help="training fractions")
    evaluate.add_argument("--repeats", type=_positive_int, default=10, help="random splits per ratio (default 10)")
    evaluate.add_argument("--seed", type=_seed, default=0, help="seed of the splits (default 0)")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=_cmd_evaluate)
    _add_evaluation_options(evaluate)

    demo = sub.add_parser(
        "demo",
        help="node2vec on Zachary's karate club (no download)",
        description="Embed Zachary's karate club with node2vec, score club prediction, show neighbours.",
    )
    demo.add_argument("--output", default="karate.emb", help="embedding file to write (default ./karate.emb)")
    demo.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    demo.set_defaults(handler=_cmd_demo)
    _add_tune_parser(sub)
    return parser


# ------------------------------------------------------------------ commands
def _check_output(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"--output {path}: the folder {folder} does not exist; create it first.")
    if os.path.isdir(path):
        raise CLIError(f"--output {path} is a folder; give a file name.")
    if not os.access(folder, os.W_OK):
        raise CLIError(f"--output {path}: the folder {folder} is not writable.")


def _save(embedding: Any, path: str, fmt: str) -> None:
    if fmt == "npz":
        embedding.save(path)
    else:
        embedding.save_word2vec_format(path)


def _cmd_embed(args: argparse.Namespace) -> int:
    from .graph.io import read_edgelist
    from .models import Node2Vec

    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    _check_output(args.output)
    model = Node2Vec(
        dimensions=args.dimensions,
        walk_length=args.walk_length,
        num_walks=args.num_walks,
        p=args.p,
        q=args.q,
        window=args.window_size,
        negative=args.negative,
        epochs=args.epochs,
        workers=args.workers,
        seed=args.seed,
        verbose=not args.quiet,
    )
    model.validate()  # bad parameters fail before the file is read
    t0 = time.perf_counter()
    graph = read_edgelist(args.input, weighted=bool(args.weighted), directed=bool(args.directed), sep=args.delimiter)
    logger.info("read %s: %r in %.2f s", args.input, graph, time.perf_counter() - t0)
    if args.format == "word2vec":
        bad = next((v for v in map(str, graph.nodes) if any(ch.isspace() for ch in v)), None)
        if bad is not None:
            raise CLIError(f"node id {bad!r} holds whitespace; word2vec format cannot hold it. Use --format npz.")
    model.fit(graph)
    _save(model.embedding_, args.output, args.format)
    if not args.quiet:
        _write(
            f"graphemb: wrote {len(model.embedding_)} vectors of {args.dimensions} dimensions to {args.output} "
            f"(seed {model.seed_}, {time.perf_counter() - t0:.1f} s)",
            sys.stderr,
        )
    return EXIT_OK


def _load_embedding(path: str) -> Any:
    from .embedding import Embedding

    if not os.path.isfile(path):
        raise CLIError(f"--embedding {path}: no such file.")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK"):
        return Embedding.load(path)
    first = head.split(b"\n", 1)[0]
    rest = head[len(first) + 1 :]
    try:
        rest.decode("utf-8")
        binary = False
    except UnicodeDecodeError as exc:
        binary = exc.start < len(rest) - 8  # a cut multi-byte character at the end is still text
    return Embedding.load_word2vec_format(path, binary=binary, node_type="auto")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .datasets import read_labels
    from .evaluation import format_table, node_classification

    embedding = _load_embedding(args.embedding)
    if not os.path.isfile(args.labels):
        raise CLIError(f"--labels {args.labels}: no such file.")
    labels = read_labels(args.labels)
    missing = [v for v in labels if v not in embedding]
    if missing:
        raise CLIError(
            f"{len(missing)} labelled nodes of {args.labels} are not in {args.embedding} (first: {missing[0]!r}); "
            "are the files from the same graph?"
        )
    df = node_classification(
        embedding,
        labels,
        train_ratios=tuple(args.train_ratios),
        repeats=args.repeats,
        seed=args.seed,
        verbose=False,
        **_evaluation_options(args),
    )
    _write(f"node classification: {df.attrs.get('protocol', '')}")
    _write(format_table(df))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .datasets import load_karate
    from .evaluation import format_table, node_classification
    from .models import Node2Vec

    _check_output(args.output)
    t0 = time.perf_counter()
    graph, labels = load_karate()
    # A 34-node graph: no sub-sampling (every node is "frequent") and several epochs.
    params = dict(dimensions=16, walk_length=20, num_walks=20, window=5, epochs=10, sample=0.0, p=1.0, q=0.5)
    model = Node2Vec(**params, workers=1, seed=args.seed, verbose=False)
    model.fit(graph)
    emb = model.embedding_
    df = node_classification(emb, labels, train_ratios=(0.5,), repeats=20, seed=0, verbose=False)
    _write(f"graphemb demo: node2vec on Zachary's karate club ({graph.num_nodes} members, {graph.num_edges} ties)")
    _write("Node2Vec(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + f", seed={model.seed_})")
    _write("")
    _write("Which club does each member join? (logistic regression, half the members for training, 20 splits)")
    _write(format_table(df))
    _write("")
    for node in (0, 33):
        near = ", ".join(f"{v} ({labels[v]}, {s:.2f})" for v, s in emb.most_similar(node, topn=5))
        _write(f"nearest to member {node} ({labels[node]}): {near}")
    emb.save_word2vec_format(args.output)
    _write("")
    _write(f"wrote {args.output} (word2vec text) in {time.perf_counter() - t0:.1f} s")
    return EXIT_OK


# --------------------------------------------------------- presets and tune
class _Default(int):
    """An int default that remembers it was not given on the command line (presets may replace it)."""


# CLI flag dest -> Node2Vec parameter, for the flags a preset may set.
_PRESET_FLAGS = {
    "dimensions": "dimensions",
    "walk_length": "walk_length",
    "num_walks": "num_walks",
    "window_size": "window",
    "negative": "negative",
    "epochs": "epochs",
}


def _add_preset_option(command: argparse.ArgumentParser) -> None:
    """Add ``--preset paper|converged`` to ``command``: it sets the training flags the user did not give."""
    from .presets import PRESETS

    command.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        default=None,
        help="training preset: 'paper' (1 epoch, node2vec defaults) or 'converged' (more epochs; see docs/results.md); "
        "flags given explicitly win",
    )
    for action in command._actions:
        if action.dest in _PRESET_FLAGS and isinstance(action.default, int):
            action.default = _Default(action.default)
    handler = command.get_default("handler")

    def with_preset(args: argparse.Namespace) -> int:
        _apply_preset(args)
        return handler(args)

    command.set_defaults(handler=with_preset)


def _apply_preset(args: argparse.Namespace) -> None:
    """Replace the not-given preset flags of ``args`` by the preset's values (no-op without ``--preset``)."""
    from .presets import preset_params

    if getattr(args, "preset", None) is None:
        return
    params = preset_params(args.preset)
    for dest, name in _PRESET_FLAGS.items():
        if isinstance(getattr(args, dest, None), _Default) and name in params:
            setattr(args, dest, int(params[name]))


def _c_value(text: str) -> float | str:
    if text == "cv":
        return text
    try:
        return _positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a finite float > 0 or 'cv'. Got {text!r} instead.") from None


def _add_evaluation_options(command: argparse.ArgumentParser) -> None:
    """Node-classification options of the literature (docs/evaluation.md) for ``command``."""
    command.add_argument(
        "--prediction", choices=("top-k", "threshold"), default="top-k", help="prediction rule (default top-k)"
    )
    command.add_argument("--C", dest="C", type=_c_value, default=1.0, help="LR inverse regularisation, or 'cv'")
    command.add_argument(
        "--min-label-size", type=_positive_int, default=1, help="drop labels with fewer nodes (default 1: keep all)"
    )


def _evaluation_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments :func:`_add_evaluation_options` parsed (defaults when absent)."""
    return {
        "prediction": getattr(args, "prediction", "top-k"),
        "C": getattr(args, "C", 1.0),
        "min_label_size": getattr(args, "min_label_size", 1),
    }


def _pair(text: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'p,q' (two floats > 0). Got {text!r} instead.") from None
    if not (a > 0 and b > 0 and a != float("inf") and b != float("inf")):
        raise argparse.ArgumentTypeError(f"must be 'p,q' with both finite and > 0. Got {text!r} instead.")
    return a, b


def _add_tune_parser(sub: Any) -> None:
    """The ``graphemb tune`` sub-command (grid search of p and q, the node2vec paper's protocol)."""
    from .evaluation import CLASSIFIER_PROTOCOLS, OPERATORS
    from .presets import PRESETS
    from .tuning import DEFAULT_GRID, TASKS

    grid = " ".join(f"{v:g}" for v in DEFAULT_GRID)
    tune = sub.add_parser(
        "tune",
        help="choose node2vec's p and q by the paper's protocol",
        description="Grid search of p and q (and the edge operator for link prediction) with the node2vec paper's "
        "selection protocol: 10-fold cross-validation on 10%% of the labelled nodes, or a validation split of the "
        "training graph. Writes the chosen parameters, every grid point's score and the protocol to --output.",
    )
    tune.add_argument("--input", required=True, help="edge list: 'source target [weight]' per line")
    tune.add_argument("--labels", default=None, help="labels file 'node<TAB>label' (node classification)")
    tune.add_argument("--output", required=True, help="JSON file to write (best.json)")
    tune.add_argument("--task", choices=TASKS, default="node-classification", help="(default node-classification)")
    tune.add_argument("--p-grid", type=_positive_float, nargs="+", default=list(DEFAULT_GRID), help=f"({grid})")
    tune.add_argument("--q-grid", type=_positive_float, nargs="+", default=list(DEFAULT_GRID), help=f"({grid})")
    tune.add_argument("--grid", type=_pair, nargs="+", default=None, help="explicit 'p,q' points (replaces the grids)")
    tune.add_argument("--preset", choices=tuple(PRESETS), default="paper", help="training preset (default paper)")
    tune.add_argument("--epochs", type=_positive_int, default=None, help="override the preset's epochs")
    tune.add_argument("--dimensions", type=_positive_int, default=None, help="override the preset's dimensions")
    tune.add_argument("--metric", default=None, help="macro_f1|micro_f1 (classification), roc_auc|average_precision")
    tune.add_argument("--tuning-fraction", type=_ratio, default=0.1, help="labelled nodes to tune on (default 0.1)")
    tune.add_argument("--folds", type=_positive_int, default=10, help="cross-validation folds (default 10)")
    tune.add_argument("--exclude", default=None, help="file of node ids (one a line) whose labels tune must not read")
    tune.add_argument("--test-fraction", type=_ratio, default=0.5, help="link prediction: test edges (default 0.5)")
    tune.add_argument(
        "--validation-fraction", type=_ratio, default=0.5, help="link prediction: validation edges (default 0.5)"
    )
    tune.add_argument(
        "--operators", nargs="+", choices=OPERATORS, default=["hadamard", "average", "l1", "l2"], help="edge operators"
    )
    tune.add_argument("--classifier-protocol", choices=CLASSIFIER_PROTOCOLS, default="residual")
    tune.add_argument("--weighted", action="store_true", help="read a third column as edge weights")
    tune.add_argument("--directed", action="store_true", help="treat each line as an arc source -> target")
    tune.add_argument("--delimiter", type=_delimiter, default=None, help="field separator (default: any whitespace)")
    tune.add_argument("--workers", type=_positive_int, default=None, help="threads (default: all cores)")
    tune.add_argument("--seed", type=_seed, default=0, help="seed of the selection and of every fit (default 0)")
    tune.add_argument("--checkpoint", default=None, help="partial results, resumed from (default: OUTPUT.partial.json)")
    tune.add_argument("--quiet", action="store_true", help="no progress")
    tune.set_defaults(handler=_cmd_tune)
    sub.metavar = "{" + ",".join(sub.choices) + "}"


def _read_id_list(path: str) -> list:
    from .graph.io import _parse_ids

    if not os.path.isfile(path):
        raise CLIError(f"--exclude {path}: no such file.")
    with open(path, encoding="utf-8") as fh:
        tokens = [line.split()[0] for line in fh if line.strip() and not line.lstrip().startswith("#")]
    return _parse_ids(tokens)


def _cmd_tune(args: argparse.Namespace) -> int:
    from .graph.io import read_edgelist, read_labels
    from .tuning import tune

    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    _check_output(args.output)
    classification = args.task == "node-classification"
    if classification and args.labels is None:
        raise CLIError("--labels is required for --task node-classification.")
    if args.labels is not None and not os.path.isfile(args.labels):
        raise CLIError(f"--labels {args.labels}: no such file.")
    checkpoint = args.checkpoint or f"{args.output}.partial.json"
    graph = read_edgelist(args.input, weighted=bool(args.weighted), directed=bool(args.directed), sep=args.delimiter)
    labels = read_labels(args.labels) if classification else None
    exclude = _read_id_list(args.exclude) if args.exclude else None
    params = {"workers": args.workers, "epochs": args.epochs, "dimensions": args.dimensions}
    result = tune(
        graph, labels, task=args.task, p=args.p_grid, q=args.q_grid, grid=args.grid, preset=args.preset,
        params={k: v for k, v in params.items() if v is not None}, metric=args.metric,
        tuning_fraction=args.tuning_fraction, folds=args.folds, exclude=exclude, test_fraction=args.test_fraction,
        validation_fraction=args.validation_fraction, operators=tuple(args.operators),
        classifier_protocol=args.classifier_protocol, seed=args.seed, directed=bool(args.directed),
        checkpoint=checkpoint, verbose=not args.quiet,
    )  # fmt: skip
    result.save(args.output)
    if os.path.exists(checkpoint):
        os.remove(checkpoint)
    best = result.best
    op = f" operator={best['operator']}" if "operator" in best else ""
    _write(f"best: p={best['p']:g} q={best['q']:g}{op} ({result.protocol['metric']} {best['score']:.4f})")
    _write(f"protocol: {result.protocol['selection']}")
    _write(f"{result.protocol['metric']} by p (rows) and q (columns):")
    _write(result.heatmap().to_string(float_format=lambda v: f"{v:.4f}"))
    _write(f"wrote {args.output}")
    return EXIT_OK


# ---------------------------------------------------------------------- main
def _one_line(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, KeyError) else str(exc.args[0] if exc.args else exc)
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``graphemb`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 2 usage or input error, 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.WARNING, format="graphemb: %(levelname)s: %(message)s")
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        _write("graphemb: interrupted (no output written)", sys.stderr)
        return EXIT_INTERRUPTED
    except (CLIError, ValueError, KeyError, OSError, MemoryError) as exc:
        _write(f"graphemb {args.command}: error: {_one_line(exc)}", sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
