"""Command line: ``graphemb embed | walk | train | update | evaluate | tune | plot | demo``.

Also ``python -m graphemb``.

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

from ._memory import peak_rss
from ._params import PARAMETERS, Param

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


# argparse types of the CLI's own counts and scales ("must be an int >= 1. Got '0' instead.")
_positive_int = Param("value", "int", 1, "A count.", minimum=1).parse
_positive_float = Param("value", "float", 1.0, "A scale.", minimum=0.0).parse


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


# Flags declared in graphemb._params (dest = the parameter's name); embed has them all.
WALK_FLAGS = ("walk_length", "num_walks", "p", "q")
TRAIN_FLAGS = ("dimensions", "window", "negative", "epochs", "alpha", "min_alpha", "sample", "ns_exponent")
RUN_FLAGS = ("workers", "seed")


def _add_param_flags(parser: Any, names: Sequence[str]) -> None:
    """The flags of ``names``, with the types, defaults and help of their declarations."""
    for name in names:
        PARAMETERS[name].add_flag(parser)


def _param_values(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The parsed values of ``names`` (flags absent from this sub-command are left out)."""
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


# Sub-commands: name -> (one-line help, description); the usage line lists them in this order.
_COMMANDS: dict[str, tuple[str, str]] = {
    "embed": (
        "learn node2vec embeddings from an edge list, adjacency list or .mat file",
        "Learn node2vec (DeepWalk when p = q = 1) embeddings from an edge-list file.",
    ),
    "walk": (
        "generate random walks into a walk directory (or a text file)",
        "Generate node2vec walks (DeepWalk when p = q = 1) once and keep them: a walk directory of "
        "memory-mapped shards (docs/shards.md) or a text file of one walk per line. 'graphemb train' turns them "
        "into embeddings; with the same --seed and one worker, walk + train equals embed bit for bit.",
    ),
    "train": (
        "learn embeddings from a walk directory or a text file of walks",
        "Train skip-gram (SGNS) vectors on walks made by 'graphemb walk' (or any text file of one "
        "walk per line of node ids). Without --seed, a walk directory's own run seed is used.",
    ),
    "update": (
        "embed the new nodes of a grown graph into a saved model (old vectors unchanged)",
        "Embed the nodes a graph gained since 'graphemb embed --format npz' wrote MODEL, without retraining: "
        "old vectors stay as they were (docs/incremental.md).",
    ),
    "evaluate": (
        "node classification or link prediction scores",
        "Multi-label node classification (DeepWalk/node2vec protocol) of an embedding file, or link "
        "prediction (node2vec protocol) with node2vec trained on the residual graph (--task link-prediction).",
    ),
    "tune": (
        "choose node2vec's p and q by the paper's protocol",
        "Grid search of p and q (and the edge operator for link prediction) with the node2vec paper's "
        "selection protocol: 10-fold cross-validation on 10%% of the labelled nodes, or a validation split of the "
        "training graph. Writes the chosen parameters, every grid point's score and the protocol to --output.",
    ),
    "plot": (
        "2-D picture of an embedding coloured by label",
        "Project an embedding to 2-D (PCA, t-SNE or UMAP) and draw it coloured by label. "
        'Needs matplotlib: pip install "graphemb[plot]".',
    ),
    "demo": (
        "node2vec on Zachary's karate club (no download)",
        "Embed Zachary's karate club with node2vec, score club prediction, show neighbours.",
    ),
}


def _add_command(sub: Any, name: str) -> argparse.ArgumentParser:
    """The parser of sub-command ``name``, with its help and description from :data:`_COMMANDS`."""
    help_, description = _COMMANDS[name]
    return sub.add_parser(name, help=help_, description=description)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``graphemb`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        With the sub-commands of :data:`_COMMANDS`.
    """
    from . import __version__

    parser = _Parser(
        prog="graphemb",
        description="Node embeddings (DeepWalk, node2vec) with numba random walks and skip-gram.",
    )
    parser.add_argument("--version", action="version", version=f"graphemb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(_COMMANDS) + "}")

    embed = _add_command(sub, "embed")
    embed.add_argument("--input", required=True, help="edge list: 'source target [weight]' per line")
    embed.add_argument("--output", required=True, help="embedding file to write")
    _add_param_flags(embed, WALK_FLAGS + TRAIN_FLAGS + RUN_FLAGS)
    embed.add_argument("--weighted", action="store_true", help="read a third column as edge weights")
    embed.add_argument("--directed", action="store_true", help="treat each line as an arc source -> target")
    embed.add_argument(
        "--delimiter",
        type=_delimiter,
        default=None,
        help="field separator: one character or tab/comma/space (default: any whitespace)",
    )
    _add_embed_file_flags(embed)
    embed.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_scale_flags(embed)
    _add_checkpoint_flags(embed)
    _add_partition_flags(embed)
    embed.set_defaults(handler=_cmd_embed)
    _add_preset_option(embed)

    evaluate = _add_command(sub, "evaluate")
    evaluate.add_argument("--embedding", default=None, help="embedding file (word2vec text/binary or .npz)")
    evaluate.add_argument("--labels", default=None, help="labels file: 'node<TAB>label' per line, or .mat")
    evaluate.add_argument("--train-ratios", type=_ratio, nargs="+", default=[0.1, 0.5, 0.9], help="training fractions")
    evaluate.add_argument("--repeats", type=_positive_int, default=10, help="random splits per ratio (default 10)")
    PARAMETERS["seed"].add_flag(evaluate, default=0, help="seed of the splits and of the fit (default 0)")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=_cmd_evaluate)
    _add_evaluate_flags(evaluate)
    _add_evaluation_options(evaluate)

    demo = _add_command(sub, "demo")
    demo.add_argument("--output", default="karate.emb", help="embedding file to write (default ./karate.emb)")
    PARAMETERS["seed"].add_flag(demo, default=0, help="random seed (default 0)")
    demo.set_defaults(handler=_cmd_demo)
    _add_staged_commands(sub, embed)
    _add_update_parser(sub)
    _add_tune_parser(sub)
    _add_plot_command(sub)
    _add_logging_flags(sub)
    return parser


def _every(text: str) -> int | str:
    from .sgns.checkpoint import parse_every

    try:
        tokens, _ = parse_every(text if not text.isdigit() else int(text), "--checkpoint-every")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number of tokens (e.g. 20000000 or 20M) or a period (e.g. 90s, 10m, 1h). Got {text!r} instead."
        ) from None
    return tokens if tokens is not None else text


def _add_checkpoint_flags(parser: argparse.ArgumentParser) -> None:
    """``--checkpoint DIR``, ``--checkpoint-every``, ``--resume`` (training checkpoints, docs/training.md)."""
    group = parser.add_argument_group("checkpoints")
    group.add_argument(
        "--checkpoint", metavar="DIR", default=None, help="save the training state in DIR (atomically) as it trains"
    )
    group.add_argument(
        "--checkpoint-every",
        type=_every,
        default=None,
        metavar="N|PERIOD",
        help="checkpoint every N tokens (e.g. 20M) or every PERIOD (e.g. 90s, 10m; default 5m)",
    )
    group.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint in --checkpoint DIR (if it holds one)"
    )


def _checkpoint_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The checkpoint flags as keyword arguments of ``fit``; refuses ``--resume`` without ``--checkpoint``."""
    if args.checkpoint is None:
        if args.resume or args.checkpoint_every is not None:
            flag = "--resume" if args.resume else "--checkpoint-every"
            raise CLIError(f"{flag} needs --checkpoint DIR (the folder of the training state).")
        return {}
    if os.path.exists(args.checkpoint) and not os.path.isdir(args.checkpoint):
        raise CLIError(f"--checkpoint {args.checkpoint} is a file; give a folder.")
    return {"checkpoint": args.checkpoint, "checkpoint_every": args.checkpoint_every, "resume": bool(args.resume)}


def _add_partition_flags(parser: argparse.ArgumentParser) -> None:
    """``--partitions``, ``--scheduler``: partitioned training (docs/partitioned.md); ``--workdir`` is a scale flag."""
    group = parser.add_argument_group("partitioned training")
    PARAMETERS["partitions"].add_flag(group, help="train with P node partitions (default 1: no partitions)")
    group.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to train partitions on (needs --workdir)"
    )


def _partition_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Model keyword arguments of the partition flags (checked: --scheduler needs --workdir and --partitions)."""
    if args.scheduler is not None and args.workdir is None:
        raise CLIError("--scheduler needs --workdir DIR, a folder every Dask worker sees at the same path.")
    if args.scheduler is not None and args.partitions < 2:
        raise CLIError("--scheduler trains partitions on Dask: give --partitions 2 or more.")
    kwargs: dict[str, Any] = {"partitions": args.partitions}
    if args.workdir is not None:
        kwargs["workdir"] = args.workdir
    options: dict[str, Any] = {}
    if args.partitions > 1 and args.workdir is not None:
        options["workdir"] = os.path.join(args.workdir, "partitions")
    if args.scheduler is not None:
        options["scheduler"] = args.scheduler
    if options:
        kwargs["partition_options"] = options
    return kwargs


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
    t0 = time.perf_counter()
    if fmt == "npz":
        embedding.save(path)  # a model's save writes the embedding plus what an update needs
    else:
        embedding.save_word2vec_format(path)
    logger.info("phase write: %s in %.2f s", path, time.perf_counter() - t0)


def _cmd_embed(args: argparse.Namespace) -> int:
    from .models import Node2Vec

    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    _check_output(args.output)
    _resolve_embed_formats(args)
    fit_kw = _checkpoint_kwargs(args)
    model = Node2Vec(**_param_values(args, WALK_FLAGS + TRAIN_FLAGS + RUN_FLAGS), verbose=not args.quiet)
    model.set_params(**{**_scale_params(args), **_partition_kwargs(args)})
    model.validate()  # bad parameters fail before the file is read
    t0 = time.perf_counter()
    graph = _read_graph(args)
    logger.info("read %s: %r in %.2f s", args.input, graph, time.perf_counter() - t0)
    if args.format == "word2vec":
        bad = next((v for v in map(str, graph.nodes) if any(ch.isspace() for ch in v)), None)
        if bad is not None:
            raise CLIError(f"node id {bad!r} holds whitespace; word2vec format cannot hold it. Use --format npz.")
    model.fit(graph, **fit_kw)
    _save(model if args.format == "npz" else model.embedding_, args.output, args.format)
    if not args.quiet:
        _write(
            f"graphemb: wrote {len(model.embedding_)} vectors of {args.dimensions} dimensions to {args.output} "
            f"(seed {model.seed_}, {time.perf_counter() - t0:.1f} s, peak RSS {peak_rss()})",
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
    from .evaluation import node_classification

    if args.task == "link-prediction":
        return _evaluate_link_prediction(args)
    if args.embedding is None or args.labels is None:
        raise CLIError("--task node-classification needs --embedding FILE and --labels FILE.")
    embedding = _load_embedding(args.embedding)
    labels = _read_label_file(args.labels, args)
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
    _emit_results(df, args, "node-classification", df.attrs.get("protocol", ""))
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


# ------------------------------------------------- scale: memory plan, staged runs
# Flags of ``embed`` that describe the walks; the others (but input/output) describe training.
# (reading the graph belongs to the walks: --input-format and --adj-matrix-name too)
WALK_DESTS = (
    "walk_length", "num_walks", "p", "q", "weighted", "directed", "delimiter", "input_format", "adj_matrix_name",
)  # fmt: skip
SHARED_DESTS = ("workers", "seed", "quiet", "memory_limit", "verbose")


def _add_scale_flags(parser: argparse.ArgumentParser) -> None:
    """``--memory-limit``, ``--workdir`` and ``--verbose`` (embed, walk, train)."""
    PARAMETERS["memory_limit"].add_flag(
        parser,
        help="memory the run may use for its data, e.g. 4G or 512M (default: 70%% of the memory available); "
        "decides whether the walks stay in memory or spill to disk; a plan that cannot fit is refused",
    )
    PARAMETERS["workdir"].add_flag(
        parser,
        help="folder for spilled walks (kept in WORKDIR/walks and reused by a rerun; default: a temporary folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log the memory plan, phases and tokens/s")


def _scale_params(args: argparse.Namespace) -> dict:
    return {"memory_limit": getattr(args, "memory_limit", None), "workdir": getattr(args, "workdir", None)}


def _copy_flags(source: argparse.ArgumentParser, target: argparse.ArgumentParser, keep: Any) -> None:
    """Give ``target`` the very flags of ``source`` whose destination passes ``keep``."""
    for action in source._actions:
        if action.option_strings and action.dest != "help" and keep(action.dest):
            target._add_action(action)


def _add_staged_commands(sub: Any, embed: argparse.ArgumentParser) -> None:
    """``graphemb walk`` (every walk flag of embed) and ``graphemb train`` (every training flag of embed)."""
    walk = _add_command(sub, "walk")
    walk.add_argument("--input", required=True, help="edge list: 'source target [weight]' per line")
    walk.add_argument("--output", required=True, help="walk directory (shards) or text file to write")
    walk.add_argument(
        "--format",
        dest="walk_format",
        choices=("shards", "text"),
        default="shards",
        help="shards: a walk directory of .npy shards + manifest (default); text: one walk per line of node ids",
    )
    walk.add_argument("--overwrite", action="store_true", help="replace an existing walk directory or file")
    _copy_flags(embed, walk, lambda dest: dest in WALK_DESTS or dest in SHARED_DESTS)
    _add_scheduler_flag(walk)
    walk.set_defaults(handler=_cmd_walk)

    train = _add_command(sub, "train")
    train.add_argument("--walks", required=True, help="walk directory (from 'graphemb walk') or text file of walks")
    train.add_argument("--output", required=True, help="embedding file to write")
    # (the checkpoint flags come with the training flags)
    _copy_flags(embed, train, lambda dest: dest not in WALK_DESTS and dest not in ("input", "output"))
    train.set_defaults(handler=_cmd_train)


def _cmd_walk(args: argparse.Namespace) -> int:
    from .models import Node2Vec
    from .shards import write_text_walks, write_walks

    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    out = os.path.abspath(args.output)
    if args.scheduler is not None:
        _check_scheduler_args(args)
    elif not os.path.isdir(os.path.dirname(out)):
        raise CLIError(f"--output {args.output}: the folder {os.path.dirname(out)} does not exist; create it first.")
    if args.walk_format == "text":
        _check_output(args.output)
        if os.path.exists(args.output) and not args.overwrite:
            raise CLIError(f"--output {args.output} exists; pass --overwrite to replace it.")
    elif os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CLIError(f"--output {args.output} is a file; give a folder for --format shards.")
    model = Node2Vec(
        **_param_values(args, WALK_FLAGS + RUN_FLAGS), verbose=not args.quiet, memory_limit=args.memory_limit
    )
    model.validate()
    t0 = time.perf_counter()
    args.input_format = _input_format(args.input, args.input_format)
    graph = _read_graph(args)
    logger.info("read %s: %r in %.2f s", args.input, graph, time.perf_counter() - t0)
    plan = model.memory_plan(graph)
    logger.info("walk: %s", plan.summary())
    logger.debug("%s", plan.describe())
    stream = model.walk_stream(graph, chunk_size=plan.chunk_walks)
    t1 = time.perf_counter()
    if args.walk_format == "text":
        count = write_text_walks(stream, args.output)
        what = f"{count} walks (text)"
    elif args.scheduler is not None:
        manifest = _walk_on_cluster(args, stream, metadata={"run_seed": model.seed_, "command": "walk"})
        what = f"{manifest['num_walks_total']} walks, {manifest['num_tokens']} tokens, {len(manifest['shards'])} shards"
    else:
        manifest = write_walks(
            stream, args.output, overwrite=args.overwrite, metadata={"run_seed": model.seed_, "command": "walk"}
        )
        what = f"{manifest['num_walks_total']} walks, {manifest['num_tokens']} tokens, {len(manifest['shards'])} shards"
    logger.info("phase walk: %s in %.2f s", what, time.perf_counter() - t1)
    if not args.quiet:
        _write(
            f"graphemb: wrote {what} to {args.output} (seed {model.seed_}, {time.perf_counter() - t0:.1f} s)",
            sys.stderr,
        )
    return EXIT_OK


# -------------------------------------------------------------------- update
def _add_update_parser(sub: Any) -> None:
    """The ``update`` sub-command: embed the new nodes of a grown graph into a saved model."""
    update = _add_command(sub, "update")
    update.add_argument("--model", required=True, help="model file written by 'graphemb embed --format npz'")
    update.add_argument("--input", required=True, help="the grown graph's edge list (same id format as the fit)")
    update.add_argument("--output", required=True, help="updated model file to write (.npz)")
    update.add_argument(
        "--refresh",
        choices=("none", "affected"),
        default="none",
        help="none: old vectors frozen (default); affected: also move the nodes whose edges changed, a little",
    )
    update.add_argument(
        "--refresh-scale", type=_positive_float, default=0.1, help="learning-rate scale of refreshed nodes"
    )
    PARAMETERS["num_walks"].add_flag(update, default=None, help="walks per new node (default: 16 x the model's)")
    PARAMETERS["workers"].add_flag(update, help="threads (default: the model's)")
    update.add_argument("--delimiter", type=_delimiter, default=None, help="field separator (default: any whitespace)")
    update.add_argument("--quiet", action="store_true", help="no progress bars, no report")
    update.set_defaults(handler=_cmd_update)


def _cmd_update(args: argparse.Namespace) -> int:
    from .graph.io import read_edgelist
    from .models import load_model

    if not os.path.isfile(args.model):
        raise CLIError(f"--model {args.model}: no such file.")
    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    _check_output(args.output)
    try:
        model = load_model(args.model)
    except ValueError as exc:
        raise CLIError(f"--model {_one_line(exc)}") from None
    model.set_params(verbose=not args.quiet)
    if args.workers is not None:
        model.set_params(workers=args.workers)
    g = model.graph_
    t0 = time.perf_counter()
    node_type = int if all(isinstance(v, int) for v in g.nodes[:1000]) else str
    graph = read_edgelist(
        args.input, weighted=g.weighted, directed=g.directed, sep=args.delimiter, node_type=node_type
    )  # fmt: skip
    report = model.update(graph, refresh=args.refresh, num_walks=args.num_walks, refresh_scale=args.refresh_scale)
    model.save(args.output)
    if not args.quiet:
        _write(f"graphemb update: {report.summary()}", sys.stderr)
        _write(
            f"graphemb update: wrote {len(model.embedding_)} vectors to {args.output} "
            f"({time.perf_counter() - t0:.1f} s)",
            sys.stderr,
        )
    return EXIT_OK


def _add_scheduler_flag(parser: argparse.ArgumentParser) -> None:
    """``--scheduler ADDRESS`` (graphemb walk): walk on a Dask cluster (docs/distributed.md)."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="walk on the Dask cluster of this scheduler (e.g. tcp://10.0.0.1:8786; needs graphemb[distributed]); "
        "--output must then be a folder every worker shares, or an fsspec URL. Same walks as without it",
    )


def _check_scheduler_args(args: argparse.Namespace) -> None:
    if args.walk_format != "shards":
        raise CLIError("--scheduler writes a walk directory; it does not combine with --format text.")
    if "://" not in args.output and os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CLIError(f"--output {args.output} is a file; give a folder for the walk directory.")


def _walk_on_cluster(args: argparse.Namespace, stream: Any, metadata: dict) -> dict:
    """Run ``stream``'s walks on the cluster of ``--scheduler`` into ``--output``; the manifest."""
    try:
        from .distributed import random_walks as cluster_walks
    except ImportError as exc:
        raise CLIError(f"--scheduler: {exc}") from None
    try:
        return cluster_walks(
            stream.graph, args.scheduler, args.output, walk_length=stream.walk_length, num_walks=stream.num_walks,
            p=stream.p, q=stream.q, weighted=stream.weighted, seed=stream.seed_, chunk_size=stream.chunk_size,
            overwrite=args.overwrite, metadata=metadata, verbose=not args.quiet,
        )  # fmt: skip
    except RuntimeError as exc:  # workers without graphemb, another version, a task failed for good
        raise CLIError(f"--scheduler {args.scheduler}: {exc}") from None


def _cmd_train(args: argparse.Namespace) -> int:
    from .models import Node2Vec
    from .shards import read_text_walks, read_walks

    _check_output(args.output)
    fit_kw = _checkpoint_kwargs(args)
    model = Node2Vec(
        **_param_values(args, TRAIN_FLAGS + RUN_FLAGS),
        verbose=not args.quiet,
        **{**_scale_params(args), **_partition_kwargs(args)},
    )
    model.validate()
    t0 = time.perf_counter()
    if os.path.isdir(args.walks):
        walks: Any = read_walks(args.walks)
        if args.seed is None:
            run_seed = (walks.manifest.get("metadata") or {}).get("run_seed")
            if isinstance(run_seed, int) and run_seed >= 0:
                model.set_params(seed=run_seed)
    elif os.path.isfile(args.walks):
        walks = read_text_walks(args.walks)
    else:
        raise CLIError(f"--walks {args.walks}: no such walk directory or file.")
    logger.info("train: %r", walks)
    if args.format in _INPUT_FORMATS:
        raise CLIError(f"--format {args.format} is an input format; train writes word2vec or npz (--output-format).")
    args.format = args.output_format or args.format or "word2vec"
    model.fit_walks(walks, **fit_kw)
    _save(model.embedding_, args.output, args.format)
    if not args.quiet:
        _write(
            f"graphemb: wrote {len(model.embedding_)} vectors of {model.dimensions} dimensions to {args.output} "
            f"(seed {model.seed_}, {time.perf_counter() - t0:.1f} s)",
            sys.stderr,
        )
    return EXIT_OK


# ------------------------------------------- files, tasks, pictures, logging
# (issue 18: DeepWalk's file formats, both evaluation tasks, `graphemb plot`, terminal-aware logs)
_INPUT_FORMATS = ("edgelist", "adjlist", "mat")
_OUTPUT_FORMATS = ("word2vec", "npz")
_TASKS = ("node-classification", "link-prediction")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _add_embed_file_flags(embed: argparse.ArgumentParser) -> None:
    """``--format`` (DeepWalk's input formats; word2vec/npz still pick the output), ``--input-format``, ..."""
    embed.add_argument(
        "--format",
        choices=_INPUT_FORMATS + _OUTPUT_FORMATS,
        default=None,
        help="input format edgelist|adjlist|mat as in DeepWalk (default: mat for *.mat, else edgelist); "
        "word2vec|npz select the output format instead (same as --output-format)",
    )
    embed.add_argument("--input-format", choices=_INPUT_FORMATS, default=None, help="input format (see --format)")
    embed.add_argument(
        "--output-format", choices=_OUTPUT_FORMATS, default=None, help="output format (default word2vec text)"
    )
    _add_mat_flags(embed, labels=False)


def _add_mat_flags(parser: argparse.ArgumentParser, labels: bool) -> None:
    parser.add_argument(
        "--adj-matrix-name", default="network", help=".mat variable of the adjacency matrix (default network)"
    )
    if labels:
        parser.add_argument(
            "--label-matrix-name", default="group", help=".mat variable of the label matrix (default group)"
        )


def _input_format(path: str, explicit: str | None) -> str:
    if explicit is not None:
        return explicit
    return "mat" if path.lower().endswith(".mat") else "edgelist"


def _resolve_embed_formats(args: argparse.Namespace) -> None:
    """Split ``--format`` into input and output formats; ``args.format`` becomes the output format."""
    fmt, in_fmt, out_fmt = args.format, args.input_format, args.output_format
    if fmt in _INPUT_FORMATS:
        if in_fmt is not None and in_fmt != fmt:
            raise CLIError(f"--format {fmt} contradicts --input-format {in_fmt}; give one of them.")
        in_fmt = fmt
    elif fmt in _OUTPUT_FORMATS:
        if out_fmt is not None and out_fmt != fmt:
            raise CLIError(f"--format {fmt} contradicts --output-format {out_fmt}; give one of them.")
        out_fmt = fmt
    args.input_format = _input_format(args.input, in_fmt)
    args.output_format = out_fmt or "word2vec"
    args.format = args.output_format


def _read_graph(args: argparse.Namespace) -> Any:
    """Read ``args.input`` in ``args.input_format`` (edge list, DeepWalk adjacency list or .mat)."""
    from .graph.io import read_adjlist, read_edgelist, read_mat

    fmt = args.input_format
    if fmt != "edgelist" and args.weighted:
        raise CLIError(
            f"--weighted applies to edge lists only; a {fmt} file "
            + ("has no weights." if fmt == "adjlist" else "keeps its matrix values as weights.")
        )
    if fmt != "edgelist" and args.delimiter is not None:
        raise CLIError(f"--delimiter applies to edge lists only; a {fmt} file is read as {fmt}.")
    if fmt == "mat":
        graph, _ = read_mat(args.input, args.adj_matrix_name, None, directed=True if args.directed else None)
        return graph
    if fmt == "adjlist":
        return read_adjlist(args.input, directed=bool(args.directed))
    return read_edgelist(args.input, weighted=bool(args.weighted), directed=bool(args.directed), sep=args.delimiter)


def _read_label_file(path: str, args: argparse.Namespace) -> dict:
    from .graph.io import read_labels, read_mat

    if not os.path.isfile(path):
        raise CLIError(f"--labels {path}: no such file.")
    if path.lower().endswith(".mat"):
        _, labels = read_mat(path, None, args.label_matrix_name)
        return labels
    return read_labels(path)


def _add_evaluate_flags(evaluate: argparse.ArgumentParser) -> None:
    from .evaluation import OPERATORS

    evaluate.add_argument(
        "--task", choices=_TASKS, default="node-classification", help="what to score (default node-classification)"
    )
    evaluate.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="results on stdout (default table)"
    )
    _add_mat_flags(evaluate, labels=True)
    lp = evaluate.add_argument_group(
        "link prediction",
        "node2vec's protocol (paper, Table 4): remove --test-fraction of the edges keeping the graph connected, "
        "train node2vec on the residual graph with the flags below, score edge features on the held-out pairs",
    )
    lp.add_argument("--input", default=None, help="the full graph: edge list, DeepWalk adjlist or .mat")
    lp.add_argument("--input-format", choices=_INPUT_FORMATS, default=None, help="default: mat for *.mat, edgelist")
    lp.add_argument("--weighted", action="store_true", help="edge list: read a third column as weights")
    lp.add_argument("--directed", action="store_true", help="treat each line as an arc")
    lp.add_argument("--delimiter", type=_delimiter, default=None, help="edge-list field separator")
    lp.add_argument("--test-fraction", type=_ratio, default=0.5, help="fraction of edges held out (default 0.5)")
    lp.add_argument(
        "--operators", nargs="+", choices=OPERATORS, default=["hadamard", "average", "l1", "l2"],
        help="edge features (default: the paper's four)",
    )  # fmt: skip
    lp.add_argument("--predictions", default=None, help="also write the held-out pairs and their scores to this CSV")
    _add_param_flags(lp, WALK_FLAGS + TRAIN_FLAGS + ("workers",))


def _evaluate_link_prediction(args: argparse.Namespace) -> int:
    from .evaluation import link_prediction
    from .models import Node2Vec

    if args.embedding is not None:
        raise CLIError(
            "--embedding is not used with --task link-prediction: an embedding of the full graph has seen the "
            "held-out edges. Give --input GRAPH; the command trains on the residual graph itself (--p, --q, ...)."
        )
    if args.input is None:
        raise CLIError("--task link-prediction needs --input GRAPH (the full graph).")
    if not os.path.isfile(args.input):
        raise CLIError(f"--input {args.input}: no such file.")
    if args.predictions is not None:
        _check_output(args.predictions)
    args.input_format = _input_format(args.input, args.input_format)
    model = Node2Vec(**_param_values(args, WALK_FLAGS + TRAIN_FLAGS + RUN_FLAGS), verbose=not args.quiet)
    model.validate()
    t0 = time.perf_counter()
    graph = _read_graph(args)
    logger.info("read %s: %r in %.2f s, peak RSS %s", args.input, graph, time.perf_counter() - t0, peak_rss())
    df, predictions = link_prediction(
        graph, model, test_fraction=args.test_fraction, seed=args.seed, operators=tuple(args.operators),
        return_predictions=True,
    )  # fmt: skip
    protocol = (
        f"node2vec protocol: {args.test_fraction:g} of {graph.num_edges} edges held out (graph kept connected), "
        f"Node2Vec(p={args.p:g}, q={args.q:g}, d={args.dimensions}, r={args.num_walks}, l={args.walk_length}, "
        f"k={args.window}) trained on the residual graph, logistic regression on edge features, seed {args.seed}"
    )
    _emit_results(df, args, "link-prediction", protocol)
    if args.predictions is not None:
        from ._atomic import atomic_write

        atomic_write(args.predictions, lambda fh: fh.write(predictions.to_csv(index=False).encode("utf-8")))
        logger.info("wrote %d scored pairs to %s", len(predictions), args.predictions)
    logger.info("link prediction done in %.1f s, peak RSS %s", time.perf_counter() - t0, peak_rss())
    return EXIT_OK


def _emit_results(df: Any, args: argparse.Namespace, task: str, protocol: str) -> None:
    """Print a results DataFrame as a table (with the protocol line), CSV or JSON."""
    import json

    from .evaluation import format_table

    if args.format == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif args.format == "json":
        records = json.loads(df.to_json(orient="records"))
        _write(json.dumps({"task": task, "protocol": protocol, "results": records}, indent=1))
    else:
        _write(f"{task.replace('-', ' ')}: {protocol}")
        _write(format_table(df))


def _add_plot_command(sub: Any) -> None:
    from .plotting import METHODS

    plot = _add_command(sub, "plot")
    plot.add_argument("embedding", help="embedding file (word2vec text/binary or .npz)")
    plot.add_argument("--labels", default=None, help="labels file ('node<TAB>label' per line) or .mat")
    _add_mat_flags(plot, labels=True)
    plot.add_argument("--output", required=True, help="picture to write (.png, .pdf, .svg)")
    plot.add_argument("--method", choices=METHODS, default="pca", help="projection (default pca)")
    PARAMETERS["seed"].add_flag(plot, default=0, help="random state of t-SNE / UMAP (default 0)")
    plot.add_argument("--title", default=None, help="figure title")
    plot.set_defaults(handler=_cmd_plot)


def _cmd_plot(args: argparse.Namespace) -> int:
    from .plotting import require_matplotlib, save_figure

    try:
        require_matplotlib("graphemb plot")
    except ImportError as err:
        raise CLIError(str(err)) from None
    _check_output(args.output)
    embedding = _load_embedding(args.embedding)
    labels = None
    if args.labels is not None:
        labels = _read_label_file(args.labels, args)
        if not any(v in embedding for v in labels):
            raise CLIError(
                f"no labelled node of {args.labels} is in {args.embedding} (first label key: {next(iter(labels))!r}); "
                "are the files from the same graph?"
            )
    try:
        fig = embedding.plot(labels=labels, method=args.method, seed=args.seed, title=args.title)
    except ImportError as err:  # umap-learn missing
        raise CLIError(str(err)) from None
    save_figure(fig, args.output)
    logger.info("wrote %s (%s of %d nodes)", args.output, args.method, len(embedding))
    return EXIT_OK


def _add_logging_flags(sub: Any) -> None:
    """``--quiet`` and ``--log-level`` on every sub-command (those added by others included)."""
    for parser in sub.choices.values():
        if "--quiet" not in parser._option_string_actions:
            parser.add_argument("--quiet", action="store_true", help="no progress bars and no log lines")
        if "--log-level" not in parser._option_string_actions:
            parser.add_argument(
                "--log-level",
                type=str.upper,
                choices=_LOG_LEVELS,
                default=None,
                help="log level (default: INFO, one line per stage, when stderr is not a terminal; WARNING on a "
                "terminal, where progress bars show; ERROR with --quiet)",
            )


def _configure_logging(args: argparse.Namespace) -> None:
    """Log lines go to stderr; progress bars (tqdm, ``disable=None``) show only on a terminal."""
    level_name = getattr(args, "log_level", None)
    if level_name:
        level = getattr(logging, level_name)
    elif getattr(args, "verbose", False):  # -v asks for the stage lines even with --quiet (no bars, logs)
        level = logging.INFO
    elif getattr(args, "quiet", False):
        level = logging.ERROR
    else:
        level = logging.WARNING if sys.stderr.isatty() else logging.INFO
    logging.basicConfig(level=logging.WARNING, format="graphemb: %(levelname)s: %(message)s")
    logging.getLogger("graphemb").setLevel(level)


# --------------------------------------------------------- presets and tune
class _Default(int):
    """An int default that remembers it was not given on the command line (presets may replace it)."""


# The Node2Vec parameters (= flag destinations) a preset may set.
_PRESET_FLAGS = ("dimensions", "walk_length", "num_walks", "window", "negative", "epochs")


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
    for name in _PRESET_FLAGS:
        if isinstance(getattr(args, name, None), _Default) and name in params:
            setattr(args, name, int(params[name]))


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
    tune = _add_command(sub, "tune")
    tune.add_argument("--input", required=True, help="edge list: 'source target [weight]' per line")
    tune.add_argument("--labels", default=None, help="labels file 'node<TAB>label' (node classification)")
    tune.add_argument("--output", required=True, help="JSON file to write (best.json)")
    tune.add_argument("--task", choices=TASKS, default="node-classification", help="(default node-classification)")
    tune.add_argument("--p-grid", type=_positive_float, nargs="+", default=list(DEFAULT_GRID), help=f"({grid})")
    tune.add_argument("--q-grid", type=_positive_float, nargs="+", default=list(DEFAULT_GRID), help=f"({grid})")
    tune.add_argument("--grid", type=_pair, nargs="+", default=None, help="explicit 'p,q' points (replaces the grids)")
    tune.add_argument("--preset", choices=tuple(PRESETS), default="paper", help="training preset (default paper)")
    for name in ("epochs", "dimensions"):
        PARAMETERS[name].add_flag(tune, default=None, help=f"override the preset's {name}")
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
    PARAMETERS["workers"].add_flag(tune)
    PARAMETERS["seed"].add_flag(tune, default=0, help="seed of the selection and of every fit (default 0)")
    tune.add_argument(
        "--repeats", type=_positive_int, default=1,
        help="fits per grid point, run seeds SEED..SEED+REPEATS-1; a point scores their mean (default 1, the paper)",
    )  # fmt: skip
    tune.add_argument("--checkpoint", default=None, help="partial results, resumed from (default: OUTPUT.partial.json)")
    tune.add_argument("--quiet", action="store_true", help="no progress")
    tune.set_defaults(handler=_cmd_tune)


def _read_id_list(path: str) -> list:
    from .graph.io import parse_ids

    if not os.path.isfile(path):
        raise CLIError(f"--exclude {path}: no such file.")
    with open(path, encoding="utf-8") as fh:
        tokens = [line.split()[0] for line in fh if line.strip() and not line.lstrip().startswith("#")]
    return parse_ids(tokens)


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
        classifier_protocol=args.classifier_protocol, seed=args.seed, repeats=args.repeats,
        directed=bool(args.directed), checkpoint=checkpoint, verbose=not args.quiet,
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
    _configure_logging(args)
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
