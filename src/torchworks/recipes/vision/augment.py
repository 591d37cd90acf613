"""Data augmentation on tensors (no torchvision): a random affine warp per image.

Runs on whatever device the batch lives on and draws from the global torch RNG, whose state
the checkpoint carries, so a resumed run draws the same warps as an uninterrupted one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AffineAugment:
    """Ranges: rotation and shear in degrees, shift as a fraction of the side, scale factor."""

    degrees: float = 10.0
    shift: float = 0.1
    scale: tuple[float, float] = (0.9, 1.1)
    shear: float = 8.0

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """images [N, C, H, W] -> same shape, each warped by its own random affine transform."""
        n = images.shape[0]
        device, dtype = images.device, images.dtype
        draw = torch.rand(n, 5, device=device, dtype=torch.float32) * 2 - 1  # uniform in [-1, 1]
        angle = draw[:, 0] * math.radians(self.degrees)
        shear = draw[:, 1] * math.radians(self.shear)
        low, high = self.scale
        scale = low + (draw[:, 2] + 1) / 2 * (high - low)
        # theta maps output coords to input coords in [-1, 1] units: inverse scale, rotate, shear
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.zeros(n, 2, 3, device=device, dtype=torch.float32)
        theta[:, 0, 0] = cos / scale
        theta[:, 0, 1] = (-sin + torch.tan(shear) * cos) / scale
        theta[:, 1, 0] = sin / scale
        theta[:, 1, 1] = (cos + torch.tan(shear) * sin) / scale
        theta[:, 0, 2] = draw[:, 3] * self.shift * 2
        theta[:, 1, 2] = draw[:, 4] * self.shift * 2
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)
        warped = F.grid_sample(images.float(), grid, align_corners=False, padding_mode="zeros")
        return warped.to(dtype)
