"""Classify image files with an exported MNIST model (TorchScript or ONNX).

Images are read with Pillow, turned to grayscale, resized to the model's input size and scaled
to [0, 1]. MNIST digits are light on a dark background; a picture with a light background
(mean above 0.5, e.g. a scan of ink on paper) is inverted first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from torchworks.errors import DataError, require
from torchworks.export.runtime import ExportedModel, load_exported


@dataclass(frozen=True)
class Prediction:
    image: str
    label: str
    probability: float
    probabilities: list[float]


def load_image(path: Path, height: int = 28, width: int = 28) -> torch.Tensor:
    """float32 [1, height, width] in [0, 1], light digit on dark background."""
    image_module = require("PIL.Image", "train")
    try:
        with image_module.open(path) as image:
            gray = image.convert("L").resize((width, height), image_module.Resampling.BILINEAR)
            pixels = torch.tensor(list(gray.getdata()), dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read image {path} ({exc})", fix="pass a PNG or JPEG file") from exc
    pixels = pixels.view(1, height, width) / 255.0
    return 1.0 - pixels if float(pixels.mean()) > 0.5 else pixels


def predict_files(model: ExportedModel, images: list[Path]) -> list[Prediction]:
    """One batch through the model; labels from the model's metadata (else class indices)."""
    shape = model.metadata.get("input_shape", [1, 1, 28, 28])
    batch = torch.stack([load_image(path, shape[-2], shape[-1]) for path in images])
    probabilities = torch.softmax(model.run(batch).float(), dim=1)
    classes = model.metadata.get("classes") or [str(i) for i in range(probabilities.shape[1])]
    best = probabilities.argmax(dim=1)
    return [Prediction(str(path), classes[int(k)], float(p[k]), [round(float(v), 6) for v in p])
            for path, k, p in zip(images, best, probabilities, strict=True)]


def predict(model_path: Path, images: list[Path]) -> list[Prediction]:
    return predict_files(load_exported(model_path), images)
