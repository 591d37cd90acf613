"""The two CNNs: the classic SimpleCNN and a stronger small CNN with batch norm.

Both take float [N, 1, 28, 28] pixel intensities in [0, 1] and return logits [N, classes];
the MNIST mean/std normalisation is the first layer, so exported models need no preprocessing
beyond scaling pixels to [0, 1]. `build_model` is the factory named in checkpoints, which is how
`torchworks export` rebuilds a model without knowing this recipe.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
ModelName = Literal["simple", "strong"]


class Normalize(nn.Module):
    def __init__(self, mean: float, std: float) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean), persistent=False)
        self.register_buffer("std", torch.tensor(std), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class SimpleCNN(nn.Module):
    """conv 3x3 (32) -> ReLU -> maxpool 2 -> linear: about 54k parameters, ~97-98% on MNIST."""

    def __init__(self, num_classes: int = 10, image_size: int = 28) -> None:
        super().__init__()
        side = (image_size - 2) // 2
        self.net = nn.Sequential(
            Normalize(MNIST_MEAN, MNIST_STD),
            nn.Conv2d(1, 32, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * side * side, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _conv_bn(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True)]


class StrongCNN(nn.Module):
    """Three conv blocks with batch norm (w, 2w, 4w channels), global average pool, dropout.

    28x28 -> [2x conv w, pool] 14x14 -> [2x conv 2w, pool] 7x7 -> [conv 4w] -> GAP -> linear.
    With w=32 about 0.2M parameters; reaches ~99.5% on full MNIST with augmentation.
    """

    def __init__(self, num_classes: int = 10, width: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            Normalize(MNIST_MEAN, MNIST_STD),
            *_conv_bn(1, w), *_conv_bn(w, w), nn.MaxPool2d(2),
            *_conv_bn(w, 2 * w), *_conv_bn(2 * w, 2 * w), nn.MaxPool2d(2),
            *_conv_bn(2 * w, 4 * w),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * w, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def build_model(name: ModelName, num_classes: int = 10, width: int = 32) -> nn.Module:
    """The factory checkpoints name (`torchworks.recipes.vision.models:build_model`)."""
    if name == "simple":
        return SimpleCNN(num_classes)
    if name == "strong":
        return StrongCNN(num_classes, width=width)
    raise ValueError(f"unknown model '{name}' (use simple or strong)")
