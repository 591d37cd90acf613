"""Atomic writes: a failed write leaves the old file whole and no temp files behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks import atomic


def test_write_json_replaces_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.json"
    atomic.write_json(target, {"step": 1})
    atomic.write_json(target, {"step": 2})
    assert json.loads(target.read_text()) == {"step": 2}
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_failed_write_keeps_previous_content(tmp_path: Path) -> None:
    target = tmp_path / "model.bin"
    atomic.write_bytes(target, b"good")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half-writ")
        raise RuntimeError("crash mid-write")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]
