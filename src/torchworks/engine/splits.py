"""A seeded validation split carved out of the training data, never out of the test data.

Why: choosing `best.pt` (or tuning anything) on the test split makes every reported test
figure optimistic. Recipes hold out `fraction` of their training examples for validation
(checkpoint selection, early looks), and touch the test split only for the final report.

The split depends only on (n, fraction, seed, labels), so a resumed run, an evaluation and a
re-run all see the same validation examples. With `labels` it is stratified: each class gives
the same fraction (rounded), so a small validation split still covers every class.

    train_idx, val_idx = holdout_split(len(examples), 0.1, seed=cfg.seed)
"""

from __future__ import annotations

import torch

from torchworks.errors import ConfigError


def holdout_split(n: int, fraction: float, *, seed: int = 0,
                  labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(train indices, validation indices), both sorted, disjoint, covering range(n).

    `fraction` 0 gives an empty validation split; otherwise at least one example is held out
    and at least one is kept for training.
    """
    if not 0 <= fraction < 1:
        raise ConfigError(f"validation fraction must be in [0, 1) (got {fraction})",
                          fix="use e.g. --val-fraction 0.1, or 0 for no validation split")
    if fraction == 0 or n == 0:
        return torch.arange(n), torch.empty(0, dtype=torch.long)
    if n < 2:
        raise ConfigError(f"{n} training example cannot be split into train and validation",
                          fix="add training data, or pass --val-fraction 0")
    generator = torch.Generator().manual_seed(seed)
    if labels is None:
        groups = [torch.arange(n)]
    else:
        groups = [torch.nonzero(labels == value).flatten() for value in torch.unique(labels)]
    held = []
    for members in groups:
        order = members[torch.randperm(len(members), generator=generator)]
        held.append(order[:round(len(members) * fraction)])
    val = torch.cat(held) if held else torch.empty(0, dtype=torch.long)
    if len(val) == 0:  # tiny data: still hold out one example
        val = torch.randperm(n, generator=generator)[:1]
    if len(val) == n:
        val = val[1:]
    mask = torch.ones(n, dtype=torch.bool)
    mask[val] = False
    return torch.nonzero(mask).flatten(), torch.sort(val).values
