"""TorchScript export by tracing: any tensor-in, tensor-out module, metadata in an extra file.

Usage::

    export_torchscript(loaded.module, loaded.example_input(2), Path("model.pt"), loaded.metadata())
    runner = load_torchscript(Path("model.pt"))      # ExportedModel: .run(x), .metadata
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch

from torchworks.atomic import atomic_path
from torchworks.errors import DataError
from torchworks.export.runtime import ExportedModel

METADATA_FILE = "torchworks.json"


def export_torchscript(module: torch.nn.Module, example: torch.Tensor, out: Path,
                       metadata: dict[str, Any]) -> Path:
    """Trace `module` on `example` and save it (atomically) with `metadata` inside."""
    module.eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit is in maintenance mode
        traced = torch.jit.trace(module, example)
    with atomic_path(out) as tmp:
        torch.jit.save(traced, str(tmp), _extra_files={METADATA_FILE: json.dumps(metadata)})
    return out


def load_torchscript(path: Path) -> ExportedModel:
    extra = {METADATA_FILE: ""}
    try:
        module = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    except (RuntimeError, ValueError) as exc:
        raise DataError(f"{path} is not a TorchScript file ({exc})",
                        fix="export one with `torchworks export torchscript`") from exc
    module.eval()
    metadata = json.loads(extra[METADATA_FILE]) if extra[METADATA_FILE] else {}

    def run(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return module(x.float())

    return ExportedModel(run=run, metadata=metadata, path=path, kind="torchscript")
