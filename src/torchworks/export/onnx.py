"""ONNX export with a dynamic batch dimension and metadata, run with ONNX Runtime.

`exporter="dynamo"` is torch's default since 2.9 (torch.export based; several seconds);
`exporter="torchscript"` is the older tracer, fast and fine for plain CNN/MLP graphs.

Usage::

    export_onnx(loaded.module, loaded.example_input(2), Path("model.onnx"), loaded.metadata())
    runner = load_onnx(Path("model.onnx"))           # ExportedModel: .run(x), .metadata
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import torch

from torchworks.atomic import atomic_path
from torchworks.errors import DataError, require
from torchworks.export.runtime import ExportedModel

METADATA_KEY = "torchworks"
Exporter = Literal["dynamo", "torchscript"]


def export_onnx(module: torch.nn.Module, example: torch.Tensor, out: Path,
                metadata: dict[str, Any], *, exporter: Exporter = "dynamo",
                opset: int | None = None) -> Path:
    """Export `module` (input "input", output "output", batch dim dynamic) atomically to `out`."""
    onnx = require("onnx", "export")
    module.eval()
    kwargs: dict[str, Any] = {"input_names": ["input"], "output_names": ["output"]}
    if opset is not None:
        kwargs["opset_version"] = opset
    if exporter == "dynamo":
        require("onnxscript", "export")
        kwargs["dynamic_shapes"] = ({0: torch.export.Dim("batch")},)
    else:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    with atomic_path(out) as tmp:
        # the exporters print progress and deprecation notes; keep the CLI output to our lines
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                _quiet_logger("torch.onnx._internal.exporter._registration"):
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), str(tmp), dynamo=exporter == "dynamo", **kwargs)
        model = onnx.load(str(tmp))
        entry = model.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
        onnx.save(model, str(tmp))
    return out


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Silence one logger (the exporter warns that torchvision's ops are not registered)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_onnx(path: Path) -> ExportedModel:
    ort = require("onnxruntime", "export")
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types per failure
        raise DataError(f"{path} cannot be loaded by ONNX Runtime ({exc})",
                        fix="export it again with `torchworks export onnx`") from exc
    props = session.get_modelmeta().custom_metadata_map
    metadata = json.loads(props[METADATA_KEY]) if METADATA_KEY in props else {}
    input_name = session.get_inputs()[0].name

    def run(x: torch.Tensor) -> torch.Tensor:
        (output,) = session.run(None, {input_name: x.detach().float().cpu().numpy()})[:1]
        return torch.from_numpy(output)

    return ExportedModel(run=run, metadata=metadata, path=path, kind="onnx")
