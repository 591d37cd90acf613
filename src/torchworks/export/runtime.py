"""A loaded exported model of any kind behind one call: `run(tensor) -> tensor`.

Usage::

    model = load_exported(Path("model.onnx"))      # or model.pt (TorchScript)
    logits = model.run(torch.rand(4, 1, 28, 28))
    model.metadata["classes"]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from torchworks.errors import DataError


@dataclass(frozen=True)
class ExportedModel:
    run: Callable[[torch.Tensor], torch.Tensor]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    kind: str = ""


def load_exported(path: Path) -> ExportedModel:
    """Pick the runtime by suffix: .onnx -> ONNX Runtime, .pt/.ts/.torchscript -> TorchScript."""
    if not path.is_file():
        raise DataError(f"model file {path} does not exist",
                        fix="export one with `torchworks export torchscript|onnx`")
    if path.suffix == ".onnx":
        from torchworks.export.onnx import load_onnx

        return load_onnx(path)
    from torchworks.export.torchscript import load_torchscript

    return load_torchscript(path)
