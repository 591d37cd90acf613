"""Rebuild a trained model from a torchworks checkpoint, knowing no recipe.

A recipe that wants its checkpoints exportable records, under the checkpoint's
`extra["model"]`:

    factory      "torchworks.recipes.<domain>.<module>:<function>"  (called with kwargs)
    kwargs       {...}                  input_shape  [1, C, H, W] or any example shape
    input_range  [low, high]            classes      ["0", "1", ...] (optional)

Only factories inside the `torchworks` package are imported: a checkpoint is data, and data
must not choose arbitrary code to run.

Usage::

    loaded = load_model_from_checkpoint(Path("runs/mnist/checkpoints/best.pt"))
    logits = loaded.module(loaded.example_input(batch=4))
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from torchworks.engine.checkpoint import load_checkpoint, restore_state
from torchworks.errors import DataError


@dataclass(frozen=True)
class LoadedModel:
    """An eval-mode CPU module plus what exporters and predictors need to know about its input."""

    module: torch.nn.Module
    input_shape: tuple[int, ...]
    input_range: tuple[float, float] = (0.0, 1.0)
    classes: list[str] = field(default_factory=list)
    source: str = ""

    def example_input(self, batch: int = 1, seed: int = 0) -> torch.Tensor:
        """Uniform random input in `input_range` with a leading batch dimension of `batch`."""
        generator = torch.Generator().manual_seed(seed)
        low, high = self.input_range
        return low + (high - low) * torch.rand((batch, *self.input_shape[1:]), generator=generator)

    def metadata(self) -> dict[str, Any]:
        """What exported files carry so a predictor can prepare inputs and name outputs."""
        return {"input_shape": list(self.input_shape), "input_range": list(self.input_range),
                "classes": list(self.classes), "source": self.source}


def load_model_from_checkpoint(path: Path) -> LoadedModel:
    state = load_checkpoint(path)
    spec = state.get("extra", {}).get("model")
    if not isinstance(spec, dict) or "factory" not in spec:
        raise DataError(f"{path} does not say how to rebuild its model (no extra['model'])",
                        fix="export a checkpoint written by a torchworks recipe")
    module_name, _, function = str(spec["factory"]).partition(":")
    if not module_name.startswith("torchworks.") or not function:
        raise DataError(f"{path} names model factory '{spec['factory']}', which is not a "
                        "torchworks module:function", fix="use a checkpoint written by torchworks")
    factory = getattr(importlib.import_module(module_name), function)
    module = factory(**spec.get("kwargs", {}))
    restore_state(state, module, restore_rng_state=False)
    module.eval()
    return LoadedModel(module=module, input_shape=tuple(spec["input_shape"]),
                       input_range=tuple(spec.get("input_range", (0.0, 1.0))),
                       classes=list(spec.get("classes", [])), source=str(path))
