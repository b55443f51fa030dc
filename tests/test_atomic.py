"""graphemb._atomic: a failed write leaves neither a final file nor a temporary one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphemb._atomic import atomic_save_npy, atomic_write, atomic_write_json, atomic_write_text


def test_failure_inside_the_write_leaves_nothing(tmp_path):
    path = tmp_path / "out.bin"

    def write(fh):
        fh.write(b"half")
        raise KeyboardInterrupt  # a killed run

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, write)
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write_text(path, "old")
    with pytest.raises(RuntimeError):
        atomic_write(path, lambda fh: (_ for _ in ()).throw(RuntimeError("disk full")))
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_success_replaces_and_leaves_no_temporary(tmp_path):
    atomic_write_text(tmp_path / "a.txt", "one")
    atomic_write_text(tmp_path / "a.txt", "two", sync_dir=True)
    atomic_write_json(tmp_path / "b.json", {"x": 1}, indent=1)
    atomic_save_npy(tmp_path / "c.npy", np.arange(5, dtype=np.int32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.json", "c.npy"]
    assert (tmp_path / "a.txt").read_text() == "two"
    assert json.loads((tmp_path / "b.json").read_text()) == {"x": 1}
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy", allow_pickle=False), np.arange(5))


def test_object_arrays_are_refused_and_leave_nothing(tmp_path):
    with pytest.raises(ValueError):
        atomic_save_npy(tmp_path / "evil.npy", np.array([object()], dtype=object))
    assert list(tmp_path.iterdir()) == []
