"""Metric logs and pictures: a resumed CSV reads as one run, PNGs are real images."""

from __future__ import annotations

from pathlib import Path

import torch

from torchworks.engine.metrics import MetricsLogger, confusion_matrix, read_metrics
from torchworks.engine.plots import plot_confusion_matrix, plot_curves

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_resume_drops_rows_after_the_checkpoint_step(tmp_path: Path) -> None:
    csv_path = tmp_path / "metrics.csv"
    with MetricsLogger(csv_path) as log:
        for step in (1, 2, 3):
            log.log(step, 0, {"train/loss": 1.0 / step})
    with MetricsLogger(csv_path, resume_from_step=2) as log:
        log.log(3, 0, {"train/loss": 0.25})
    assert [(s, v) for s, _, _, v in read_metrics(csv_path)] == [(1, 1.0), (2, 0.5), (3, 0.25)]


def test_tensorboard_events_written_when_installed(tmp_path: Path) -> None:
    with MetricsLogger(tmp_path / "m.csv", tensorboard_dir=tmp_path / "tb") as log:
        log.log(1, 0, {"train/loss": 0.3})
        assert log.tensorboard_enabled
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))


def test_disabled_logger_writes_nothing(tmp_path: Path) -> None:
    with MetricsLogger(tmp_path / "m.csv", enabled=False) as log:
        log.log(1, 0, {"train/loss": 0.3})
    assert not (tmp_path / "m.csv").exists()


def test_confusion_matrix_rows_are_true_classes() -> None:
    counts = confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]


def test_plots_are_png_files(tmp_path: Path) -> None:
    with MetricsLogger(tmp_path / "m.csv") as log:
        for step in range(1, 6):
            log.log(step, 0, {"train/loss": 1 / step, "train/accuracy": step / 6})
        log.log(5, 0, {"test/loss": 0.3, "test/accuracy": 0.9})
    curves = plot_curves(tmp_path / "m.csv", tmp_path / "curves.png")
    matrix = plot_confusion_matrix(torch.eye(3, dtype=torch.int64) * 5, ["a", "b", "c"],
                                   tmp_path / "cm.png")
    for png in (curves, matrix):
        assert png.read_bytes()[:8] == PNG_SIGNATURE and png.stat().st_size > 5000
