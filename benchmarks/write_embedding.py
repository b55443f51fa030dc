"""Benchmark: ``Embedding.save_word2vec_format`` text writer, the numba ``"%.9g"`` kernels vs the old Python one.

Each writer runs in a fresh subprocess on the same random float32 vectors
(``N(0, 0.3)``, seeded, ids ``0 .. n-1``), so peak memory (``VmHWM``; ``ru_maxrss``
would start from this process's peak) is that writer's alone; we report the peak-RSS
increase over the state just before the write (vectors and ids already built).  The old
writer is ``tests/naive.py``'s ``word2vec_text`` in 4096-row blocks, as it was, put in
place of the kernels inside ``save_word2vec_format`` (same id checks, header and atomic writer).
"format alone" times the same writers into ``/dev/null`` (no disk, no
fsync).  Both files are compared byte for byte when ``--check`` is given.

    PYTHONPATH=. .venv/bin/python benchmarks/write_embedding.py --nodes 200000 [--dim 128] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _rss import peak_rss_bytes  # benchmarks/_rss.py (this folder is sys.path[0])

REPO = Path(__file__).resolve().parents[1]


def child(method: str, nodes: int, dim: int, path: str) -> None:
    """Write one file with ``method`` and print a JSON line (seconds, peak-RSS increase, sha256)."""
    import numpy as np

    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    import naive

    from graphemb import Embedding, embedding

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((nodes, dim), dtype=np.float32)
    vectors *= np.float32(0.3)  # in place: no second copy raises the peak before the write
    emb = Embedding(range(nodes), vectors)

    def old_rows(fh, names, vectors):
        """The text rows as save_word2vec_format wrote them before the kernels: Python "%.9g", 4096 rows a block."""
        block = 4096
        for start in range(0, len(names), block):
            stop = min(len(names), start + block)
            fh.write(naive.word2vec_text(names[start:stop], vectors[start:stop]).split(b"\n", 1)[1])

    if method == "old":
        embedding._write_text_rows = old_rows  # same validation, header and atomic writer around it
    else:  # compile / load the kernels outside the timing
        Embedding(["a"], vectors[:1]).save_word2vec_format(path)
    base = peak_rss_bytes()
    t0 = time.perf_counter()
    emb.save_word2vec_format(path)
    seconds = time.perf_counter() - t0
    rss = peak_rss_bytes() - base
    # the rows alone, without the disk (no fsync): into /dev/null
    names = [str(v) for v in emb.nodes]
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as fh:
        embedding._write_text_rows(fh, names, emb.vectors)
    format_seconds = time.perf_counter() - t0
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    result = {"method": method, "seconds": seconds, "format_seconds": format_seconds, "rss_increase": rss}
    print(json.dumps({**result, "sha256": digest}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--methods", default="old,new")
    ap.add_argument("--check", action="store_true", help="assert the files are byte-identical")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.nodes, args.dim, args.path)
        return
    import numba

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for method in args.methods.split(","):
            path = str(Path(tmp) / f"{method}.txt")
            cmd = [sys.executable, __file__, "--child", method, "--nodes", str(args.nodes), "--dim", str(args.dim)]
            out = subprocess.run([*cmd, "--path", path], check=True, capture_output=True, text=True).stdout
            results[method] = json.loads(out.strip().splitlines()[-1])
            size = Path(path).stat().st_size
            r = results[method]
            print(
                f"{method:>4}: {r['seconds']:8.2f} s (format alone {r['format_seconds']:6.2f} s)  "
                f"peak RSS +{r['rss_increase'] / 2**20:7.1f} MiB  "
                f"{size / 2**20:8.1f} MiB file  sha256 {r['sha256'][:12]}"
            )
            Path(path).unlink()
    print(f"{args.nodes} x {args.dim}, numba threads {numba.config.NUMBA_NUM_THREADS}")
    if "old" in results and "new" in results:
        old, new = results["old"], results["new"]
        print(
            f"speed-up old/new: {old['seconds'] / new['seconds']:.1f}x (save_word2vec_format, fsync included), "
            f"{old['format_seconds'] / new['format_seconds']:.1f}x (format alone, to /dev/null)"
        )
        if args.check:
            assert results["old"]["sha256"] == results["new"]["sha256"], "the files differ"
            print("files byte-identical (sha256)")


if __name__ == "__main__":
    main()
