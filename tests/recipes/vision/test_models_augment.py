"""The two CNNs and the tensor augmentation."""

from __future__ import annotations

import pytest
import torch

from torchworks.recipes.vision.augment import AffineAugment
from torchworks.recipes.vision.models import SimpleCNN, StrongCNN, build_model


@pytest.mark.parametrize("name", ["simple", "strong"])
def test_models_map_pixels_to_logits(name: str) -> None:
    model = build_model(name, num_classes=10, width=8)
    out = model(torch.rand(3, 1, 28, 28))
    assert out.shape == (3, 10) and torch.isfinite(out).all()


def test_simple_cnn_is_the_classic_layout() -> None:
    layers = [type(m).__name__ for m in SimpleCNN().net]
    assert layers == ["Normalize", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert sum(p.numel() for p in StrongCNN().parameters()) > sum(
        p.numel() for p in SimpleCNN().parameters())


def test_unknown_model_name() -> None:
    with pytest.raises(ValueError, match="simple or strong"):
        build_model("resnet")  # type: ignore[arg-type]


def test_augment_keeps_shape_and_mass_and_is_seeded() -> None:
    images = torch.zeros(4, 1, 28, 28)
    images[:, :, 10:18, 12:16] = 1.0
    torch.manual_seed(0)
    first = AffineAugment()(images)
    torch.manual_seed(0)
    second = AffineAugment()(images)
    assert first.shape == images.shape and torch.equal(first, second)
    assert not torch.equal(first, images)
    ratio = first.sum(dim=(1, 2, 3)) / images.sum(dim=(1, 2, 3))
    assert bool(((ratio > 0.7) & (ratio < 1.4)).all())  # warped, not erased or smeared


def test_identity_ranges_leave_images_unchanged() -> None:
    images = torch.rand(2, 1, 28, 28)
    same = AffineAugment(degrees=0, shift=0, scale=(1.0, 1.0), shear=0)(images)
    torch.testing.assert_close(same, images, atol=1e-5, rtol=0)
