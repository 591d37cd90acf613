"""Generic export: any tensor-in/tensor-out model to TorchScript and ONNX, checked for parity."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from torchworks.engine.checkpoint import build_state, save_checkpoint
from torchworks.errors import DataError
from torchworks.export.from_checkpoint import load_model_from_checkpoint
from torchworks.export.onnx import export_onnx
from torchworks.export.parity import ExportParityError, check_parity
from torchworks.export.runtime import load_exported
from torchworks.export.torchscript import export_torchscript

META = {"input_shape": [1, 6], "input_range": [0.0, 1.0], "classes": ["a", "b", "c"]}


def _mlp() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.GELU(), torch.nn.LayerNorm(16),
                               torch.nn.Linear(16, 3)).eval()


def test_torchscript_round_trip_matches_eager_with_metadata(tmp_path: Path) -> None:
    model = _mlp()
    path = export_torchscript(model, torch.rand(2, 6), tmp_path / "m.pt", META)
    exported = load_exported(path)
    report = check_parity(model, exported.run, torch.rand(7, 6))
    assert report.passed and report.max_abs_diff == 0.0 and report.batch == 7
    assert exported.metadata == META and exported.kind == "torchscript"


def test_onnx_has_dynamic_batch_parity_and_metadata(tmp_path: Path) -> None:
    model = _mlp()
    path = export_onnx(model, torch.rand(2, 6), tmp_path / "m.onnx", META,
                       exporter="torchscript")
    exported = load_exported(path)
    report = check_parity(model, exported.run, torch.rand(5, 6), tolerance=1e-5)
    assert report.passed, report
    assert exported.metadata["classes"] == ["a", "b", "c"] and exported.kind == "onnx"


@pytest.mark.slow
def test_onnx_dynamo_exporter(tmp_path: Path) -> None:
    model = _mlp()
    exported = load_exported(export_onnx(model, torch.rand(2, 6), tmp_path / "d.onnx", META))
    assert check_parity(model, exported.run, torch.rand(3, 6), tolerance=1e-5).passed


def test_parity_failure_names_diff_and_tolerance() -> None:
    model = _mlp()
    report = check_parity(model, lambda x: model(x) + 1e-3, torch.rand(4, 6), tolerance=1e-4)
    assert not report.passed and report.max_abs_diff == pytest.approx(1e-3, rel=1e-2)
    with pytest.raises(ExportParityError, match=r"max abs diff 0\.001 > tolerance 0\.0001"):
        report.raise_if_failed()


def test_checkpoint_must_name_a_torchworks_factory(tmp_path: Path) -> None:
    model = _mlp()
    plain = save_checkpoint(tmp_path / "plain.pt", build_state(model, None, step=1, epoch=0))
    with pytest.raises(DataError, match="does not say how to rebuild"):
        load_model_from_checkpoint(plain)
    foreign = save_checkpoint(tmp_path / "foreign.pt", build_state(
        model, None, step=1, epoch=0,
        extra={"model": {"factory": "os:system", "kwargs": {}, "input_shape": [1, 6]}}))
    with pytest.raises(DataError, match="not a torchworks module"):
        load_model_from_checkpoint(foreign)


def test_missing_or_foreign_model_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_exported(tmp_path / "none.onnx")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    with pytest.raises(DataError, match="not a TorchScript file"):
        load_exported(junk)
