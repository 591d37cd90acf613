"""Warm start on a grown vocabulary: copy learned rows, keep fresh init for the new ids.

Vocabularies only append (see `vocab.py`), so row i of an old embedding table means the same
user or item as row i of the new, larger one. Every other tensor must match in shape.
"""

from __future__ import annotations

import torch

from torchworks.errors import ConfigError


def load_grown(model: torch.nn.Module, old_state: dict[str, torch.Tensor]) -> dict[str, int]:
    """Load `old_state` into `model`, growing tables along dim 0; return rows added per tensor."""
    new_state = model.state_dict()
    grown: dict[str, int] = {}
    problems = []
    for name, new in new_state.items():
        if name not in old_state:
            problems.append(f"{name} missing from the checkpoint")
            continue
        old = old_state[name]
        if old.shape == new.shape:
            new.copy_(old)
        elif (
            old.dim() == new.dim()
            and old.shape[1:] == new.shape[1:]
            and old.shape[0] <= new.shape[0]
        ):
            new[: old.shape[0]].copy_(old)
            grown[name] = new.shape[0] - old.shape[0]
        else:
            problems.append(f"{name}: checkpoint {tuple(old.shape)} vs model {tuple(new.shape)}")
    if problems:
        raise ConfigError(
            "the --init-from checkpoint does not fit this model:\n  - " + "\n  - ".join(problems),
            fix="use the same model settings (dim, layers) as the checkpoint's run",
        )
    return grown
