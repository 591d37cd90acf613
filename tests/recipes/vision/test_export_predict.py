"""A trained MNIST checkpoint through `torchworks export` and `torchworks predict mnist`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from torchworks import cli
from torchworks.export.from_checkpoint import load_model_from_checkpoint
from torchworks.recipes.vision.data import load_offline_subset


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four real test digits as PNGs; the last one inverted (dark ink on white) and enlarged."""
    data = load_offline_subset()
    root = tmp_path_factory.mktemp("pngs")
    paths = []
    for i in (0, 250, 600, 999):
        pixels = (data.test_x[i, 0] * 255).round().byte().numpy()
        path = root / f"digit{i}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    Image.fromarray(255 - pixels).resize((56, 56)).save(root / "inverted999.png")
    return [*paths, root / "inverted999.png"]


@pytest.mark.parametrize("target, flags", [("torchscript", []),
                                           ("onnx", ["--exporter", "torchscript"])])
def test_export_then_predict_agrees_with_the_checkpoint(
        target: str, flags: list[str], straight_run: Path, digit_pngs: list[Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint = straight_run / "checkpoints" / "step-00000016.pt"
    model_file = tmp_path / ("model.pt" if target == "torchscript" else "model.onnx")
    assert cli.main(["export", target, "--checkpoint", str(checkpoint), "--out", str(model_file),
                     *flags]) == 0
    report = capsys.readouterr().out
    assert "max abs diff" in report and report.rstrip().endswith("ok")

    assert cli.main(["predict", "mnist", "--model", str(model_file), "--json",
                     *map(str, digit_pngs)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    eager = load_model_from_checkpoint(checkpoint).module
    data = load_offline_subset()
    with torch.no_grad():
        expected = eager(data.test_x[[0, 250, 600, 999]]).argmax(1).tolist()
    assert [row["label"] for row in rows[:4]] == [str(k) for k in expected]
    assert rows[4]["label"] == rows[3]["label"]  # inverted + resized reads as the same digit
    assert all(abs(sum(row["probabilities"]) - 1) < 1e-4 for row in rows)


def test_export_of_a_missing_checkpoint_is_one_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["export", "onnx", "--checkpoint", str(tmp_path / "none.pt"),
                     "--out", str(tmp_path / "m.onnx")])
    assert code == 2 and "does not exist" in capsys.readouterr().err
