"""Fixtures for the vision recipe: real MNIST images staged as IDX files in a tmp dir."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from torchworks import cli
from torchworks.recipes.vision.data import load_offline_subset

# a tiny strong CNN on 288 images (259 train + 29 validation): 8 steps per epoch, 2 epochs,
# seconds on a CPU
TINY = ["--width", "4", "--train-limit", "288", "--test-limit", "100", "--batch-size", "32",
        "--epochs", "2", "--threads", "1", "--no-progress", "--log-every", "2",
        "--eval-batch-size", "100", "--warmup-steps", "2"]


def write_idx(path: Path, array: np.ndarray) -> None:
    """uint8 `array` as an IDX file (magic 0x08nn, dims), gzipped when the name ends in .gz."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


@pytest.fixture(scope="session")
def mnist_idx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline subset as MNIST-layout IDX files: train gzipped, test raw (both forms read)."""
    data = load_offline_subset()
    root = tmp_path_factory.mktemp("mnist_idx")
    as_bytes = {name: (tensor * 255).round().byte().squeeze(1).numpy()
                for name, tensor in (("train", data.train_x), ("t10k", data.test_x))}
    write_idx(root / "train-images-idx3-ubyte.gz", as_bytes["train"])
    write_idx(root / "train-labels-idx1-ubyte.gz", data.train_y.numpy().astype(np.uint8))
    write_idx(root / "t10k-images-idx3-ubyte", as_bytes["t10k"])
    write_idx(root / "t10k-labels-idx1-ubyte", data.test_y.numpy().astype(np.uint8))
    return root


RESUME_ARGS = [*TINY, "--deterministic", "--checkpoint-every", "3"]


@pytest.fixture
def tiny() -> list[str]:
    """CLI flags for a tiny, fast run (see TINY)."""
    return list(TINY)


@pytest.fixture
def resume_args() -> list[str]:
    """TINY plus --deterministic and a checkpoint every 3 steps: the resume-test settings."""
    return list(RESUME_ARGS)


@pytest.fixture(scope="session")
def straight_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One uninterrupted tiny run (in-process), shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("straight")
    before = torch.are_deterministic_algorithms_enabled()
    try:
        assert cli.main(["train", "mnist", "--out", str(out), *RESUME_ARGS]) == 0
    finally:
        torch.use_deterministic_algorithms(before)
    yield out
