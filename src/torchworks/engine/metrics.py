"""Scalars to a CSV (always) and TensorBoard (when installed), plus classification counts.

The CSV is long-form, one row per value: `step,epoch,name,value` (names like "train/loss",
"eval/accuracy"), so new metrics never change its columns and `plots.plot_curves` reads it.
Rows are flushed as they are written: a killed run keeps its history.

Usage::

    with MetricsLogger(out / "metrics.csv", tensorboard_dir=out / "tb", enabled=is_main) as log:
        log.log(step, epoch, {"train/loss": loss, "train/lr": lr})
    counts = confusion_matrix(preds, targets, num_classes=10)   # rows = true class
"""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import torch

CSV_COLUMNS = ("step", "epoch", "name", "value")


class MetricsLogger:
    """Append-only metric log; with `enabled=False` (non-main ranks) every call is a no-op.

    On a resumed run the CSV is appended to and rows past the resume step are dropped first, so
    the history reads as one uninterrupted run.
    """

    def __init__(self, csv_path: str | os.PathLike[str], *,
                 tensorboard_dir: str | os.PathLike[str] | None = None,
                 enabled: bool = True, resume_from_step: int | None = None) -> None:
        self.csv_path = Path(csv_path)
        self.enabled = enabled
        self._writer: Any = None
        self._file: Any = None
        if not enabled:
            return
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        if resume_from_step is not None and self.csv_path.is_file():
            kept = [r for r in read_metrics(self.csv_path) if r[0] <= resume_from_step]
            with self.csv_path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows([CSV_COLUMNS, *kept])
        fresh = resume_from_step is None or not self.csv_path.is_file()
        self._file = self.csv_path.open("w" if fresh else "a", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file)
        if fresh:
            self._csv.writerow(CSV_COLUMNS)
        if tensorboard_dir is not None and importlib.util.find_spec("tensorboard") is not None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(tensorboard_dir))

    def log(self, step: int, epoch: int, values: dict[str, float]) -> None:
        if not self.enabled:
            return
        for name, value in values.items():
            self._csv.writerow((step, epoch, name, f"{float(value):.8g}"))
            if self._writer is not None:
                self._writer.add_scalar(name, float(value), step)
        self._file.flush()

    @property
    def tensorboard_enabled(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> MetricsLogger:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_metrics(csv_path: str | os.PathLike[str]) -> list[tuple[int, int, str, float]]:
    """Rows of a metrics CSV as (step, epoch, name, value)."""
    with Path(csv_path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [(int(s), int(e), n, float(v)) for s, e, n, v in rows[1:] if s]


def confusion_matrix(preds: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """int64 [num_classes, num_classes] counts; row = true class, column = predicted class."""
    flat = targets.long().view(-1) * num_classes + preds.long().view(-1)
    return torch.bincount(flat, minlength=num_classes * num_classes).view(num_classes, num_classes)
