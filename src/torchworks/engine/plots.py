"""PNG pictures of a run: loss/accuracy curves and a confusion matrix (matplotlib, Agg backend).

Usage::

    plot_curves(out / "metrics.csv", out / "curves.png")
    plot_confusion_matrix(counts, [str(c) for c in range(10)], out / "confusion_matrix.png")
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import torch

from torchworks.atomic import atomic_path
from torchworks.engine.metrics import read_metrics
from torchworks.errors import require


def _pyplot():  # matplotlib.pyplot, imported late: it is slow and optional
    matplotlib = require("matplotlib", "train")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(metrics_csv: str | os.PathLike[str], out_png: str | os.PathLike[str]) -> Path:
    """One panel per quantity ("loss", "accuracy", ...), one line per split ("train", "eval")."""
    series: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for step, _epoch, name, value in read_metrics(metrics_csv):
        split, _, quantity = name.rpartition("/")
        if quantity in ("loss", "accuracy"):
            series[quantity][split or "train"].append((step, value))
    plt = _pyplot()
    quantities = sorted(series) or ["loss"]
    fig, axes = plt.subplots(1, len(quantities), figsize=(5.5 * len(quantities), 4), squeeze=False)
    for ax, quantity in zip(axes[0], quantities, strict=True):
        for split, points in sorted(series[quantity].items()):
            steps, values = zip(*points, strict=True)
            ax.plot(steps, values, marker="o" if len(points) < 30 else None, label=split)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel(quantity)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return _save(fig, plt, out_png)


def plot_confusion_matrix(counts: torch.Tensor, labels: list[str], out_png: str | os.PathLike[str],
                          title: str = "confusion matrix") -> Path:
    """Rows are true classes, columns predictions; each cell shows its count."""
    plt = _pyplot()
    matrix = counts.cpu().numpy()
    size = max(4.0, 0.5 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels=labels)
    ax.set_yticks(range(len(labels)), labels=labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, col), value in _cells(matrix):
        ax.text(col, row, str(value), ha="center", va="center", fontsize=8,
                color="white" if value > threshold else "black")
    fig.tight_layout()
    return _save(fig, plt, out_png)


def _cells(matrix):
    for row in range(matrix.shape[0]):
        for col in range(matrix.shape[1]):
            yield (row, col), int(matrix[row, col])


def _save(fig, plt, out_png: str | os.PathLike[str]) -> Path:
    target = Path(out_png)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return target
