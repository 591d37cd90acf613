"""The conversion cache: under the user's XDG cache, built once, rebuilt when its files change."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchworks import cache


def test_cache_root_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TORCHWORKS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "torchworks"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # ignored, as the XDG rule says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_root() == tmp_path / "home" / ".cache" / "torchworks"
    monkeypatch.setenv("TORCHWORKS_CACHE", str(tmp_path / "own"))
    assert cache.cache_root() == tmp_path / "own"


def test_built_once_then_verified_and_rebuilt_when_changed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TORCHWORKS_CACHE", str(tmp_path / "cache"))
    builds = []

    def build(folder: Path) -> dict[str, object]:
        builds.append(folder)
        (folder / "weights.bin").write_bytes(b"\x01" * 1000)
        return {"source": "test"}

    key = cache.input_key("model.gguf", 1000, "fp32")
    first = cache.cached_folder("toy", key, build)
    assert first == tmp_path / "cache" / "toy" / key and (first / "weights.bin").is_file()
    assert cache.cached_folder("toy", key, build) == first and len(builds) == 1
    (first / "weights.bin").write_bytes(b"\x02" * 10)  # truncated or edited by hand
    assert cache.cached_folder("toy", key, build) == first and len(builds) == 2
    assert (first / "weights.bin").read_bytes() == b"\x01" * 1000
    assert [p.name for p in first.parent.iterdir()] == [key]  # no staging left behind


def test_a_failed_build_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TORCHWORKS_CACHE", str(tmp_path / "cache"))

    def build(folder: Path) -> None:
        (folder / "half").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        cache.cached_folder("toy", "k", build)
    assert list((tmp_path / "cache" / "toy").iterdir()) == []
