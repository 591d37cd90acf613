"""MNIST data: IDX files gz or not, the offline split, and errors that name file and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from torchworks.errors import DataError
from torchworks.recipes.vision.data import load_data, load_idx_dir, load_offline_subset


def test_offline_split_is_fixed_balanced_and_disjoint() -> None:
    data = load_offline_subset()
    assert data.train_x.shape == (4000, 1, 28, 28) and data.test_x.shape == (1000, 1, 28, 28)
    assert torch.bincount(data.train_y).tolist() == [400] * 10
    assert torch.bincount(data.test_y).tolist() == [100] * 10
    assert float(data.train_x.min()) >= 0.0 and float(data.train_x.max()) <= 1.0
    train_rows = {tuple(row) for row in data.train_x.flatten(1)[:, 200:400].tolist()}
    assert not any(tuple(row) in train_rows for row in data.test_x.flatten(1)[:, 200:400].tolist())
    again = load_offline_subset()
    assert torch.equal(again.test_x, data.test_x)


def test_idx_dir_reads_gzipped_and_raw_files(mnist_idx_dir: Path) -> None:
    data = load_idx_dir(mnist_idx_dir)
    offline = load_offline_subset()
    assert torch.equal(data.train_y, offline.train_y) and torch.equal(data.test_y, offline.test_y)
    assert torch.allclose(data.train_x, offline.train_x)
    assert data.source.startswith("idx:")


def test_limits_take_seeded_subsets() -> None:
    a = load_data(None, train_limit=100, test_limit=50, seed=1)
    b = load_data(None, train_limit=100, test_limit=50, seed=1)
    assert len(a.train_x) == 100 and len(a.test_x) == 50
    assert torch.equal(a.train_y, b.train_y)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_truncated_file_names_file_and_expected_size(mnist_idx_dir: Path, tmp_path: Path) -> None:
    root = _copy(mnist_idx_dir, tmp_path / "d")
    images = root / "t10k-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:5000])
    with pytest.raises(DataError) as info:
        load_idx_dir(root)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and "truncated" in message
    assert "1000 x 28 x 28" in message and str(16 + 1000 * 784) in message


def test_wrong_magic_names_expected_magic(mnist_idx_dir: Path, tmp_path: Path) -> None:
    root = _copy(mnist_idx_dir, tmp_path / "d")
    shutil.copy(root / "t10k-labels-idx1-ubyte", root / "t10k-images-idx3-ubyte")
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte: magic number 2049 .* 2051"):
        load_idx_dir(root)


def test_corrupt_gzip_is_a_data_error(mnist_idx_dir: Path, tmp_path: Path) -> None:
    root = _copy(mnist_idx_dir, tmp_path / "d")
    gz = root / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:40])
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz"):
        load_idx_dir(root)


def test_missing_files_and_dirs_say_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_idx_dir(tmp_path / "nope")
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(DataError, match=r"no train-images-idx3-ubyte\[.gz\].*readme.txt"):
        load_idx_dir(tmp_path)
