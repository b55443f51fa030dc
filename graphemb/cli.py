"""Command line: ``graphemb embed | evaluate | demo`` (also ``python -m graphemb``).

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
    _add_partition_flags(embed)
    embed.set_defaults(handler=_cmd_embed)

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

    demo = sub.add_parser(
        "demo",
        help="node2vec on Zachary's karate club (no download)",
        description="Embed Zachary's karate club with node2vec, score club prediction, show neighbours.",
    )
    demo.add_argument("--output", default="karate.emb", help="embedding file to write (default ./karate.emb)")
    demo.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def _add_partition_flags(parser: argparse.ArgumentParser) -> None:
    """``--partitions``, ``--scheduler``, ``--workdir``: partitioned training (docs/partitioned.md)."""
    group = parser.add_argument_group("partitioned training")
    group.add_argument(
        "--partitions", type=_positive_int, default=1, help="train with P node partitions (default 1: no partitions)"
    )
    group.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to train partitions on (needs --workdir)"
    )
    group.add_argument(
        "--workdir",
        default=None,
        metavar="DIR",
        help="keep the run's files in DIR (walk shards; with --partitions, partitions out of core in DIR/partitions, "
        "checkpointed: rerun to resume); must be shared by every worker with --scheduler",
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
        **_partition_kwargs(args),
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
        embedding, labels, train_ratios=tuple(args.train_ratios), repeats=args.repeats, seed=args.seed, verbose=False
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
