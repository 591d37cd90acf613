"""Runs you can trust and reuse, through the real CLI: the validation split picks best.pt and
the test split is scored once; run folders know their run; --eval-only takes a test set alone;
bad labels and shapes are refused naming the file; resume falls back past torn checkpoints."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from torchworks import cli
from torchworks.engine.metrics import read_metrics
from torchworks.recipes.vision.data import load_offline_subset

from .conftest import write_idx


def _train(out: Path, args: list[str], capsys: pytest.CaptureFixture[str],
           *extra: str) -> tuple[int, str]:
    code = cli.main(["train", "mnist", "--out", str(out), *args, *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# ---- 1. validation split: best.pt chosen on it, test scored only for the final report

def test_best_checkpoint_is_chosen_on_validation_and_test_is_scored_once(
        straight_run: Path) -> None:
    metrics = json.loads((straight_run / "metrics.json").read_text())
    assert (metrics["train_samples"], metrics["val_samples"], metrics["test_samples"]) == (
        259, 29, 100)
    best = torch.load(straight_run / "checkpoints" / "best.pt", weights_only=True)
    assert set(best["metrics"]) == {"val_accuracy", "val_loss"}
    assert metrics["best_step"] == best["position"]["step"]
    assert metrics["best_val_accuracy"] == best["metrics"]["val_accuracy"]
    assert 0.0 <= metrics["best_test_accuracy"] <= 1.0
    rows = read_metrics(straight_run / "metrics.csv")
    epoch_ends = [step for step, _, name, _ in rows if name == "val/accuracy"]
    assert epoch_ends == [8, 16]
    test_rows = [(step, name) for step, _, name, _ in rows if name.startswith("test/")]
    assert test_rows == [(16, "test/loss"), (16, "test/accuracy")]  # the final report alone


def test_validation_images_are_training_images_never_test_images() -> None:
    from torchworks.recipes.vision.data import load_data

    data = load_data(None, val_fraction=0.1, seed=0)
    assert data.val_x is not None and data.val_y is not None
    assert (len(data.train_y), len(data.val_y), len(data.test_y)) == (3600, 400, 1000)
    assert torch.bincount(data.val_y).tolist() == [40] * 10
    def keys(x: torch.Tensor) -> set[bytes]:
        return {row.numpy().tobytes() for row in (x * 255).round().byte().flatten(1)}
    assert not keys(data.val_x) & keys(data.test_x)
    assert not keys(data.val_x) & keys(data.train_x)


def test_help_documents_the_split(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["train", "mnist", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--val-fraction" in text and "validation split that picks best.pt" in text
    assert "test split is scored only at the end" in text


# ---- 2. run folder identity

def test_fresh_run_into_a_finished_runs_folder_refuses_then_overwrites(
        straight_run: Path, tmp_path: Path, tiny: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    shutil.copytree(straight_run, out)
    before = sorted(p.name for p in (out / "checkpoints").iterdir())
    code, text = _train(out, tiny, capsys, "--stop-after-steps", "2")
    assert code == 2 and "already holds run" in text and "--overwrite" in text
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == before

    code, text = _train(out, tiny, capsys, "--overwrite", "--stop-after-steps", "2")
    assert code == 0, text
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["step-00000002.pt"]
    assert not (out / "metrics.json").exists()  # the old run's report is gone with it
    code, text = _train(out, tiny, capsys, "--resume")
    assert code == 0, text
    assert "resuming from step 2 (epoch 0)" in text
    assert json.loads((out / "metrics.json").read_text())["steps"] == 16


def test_resume_refuses_a_config_that_matters(straight_run: Path, tmp_path: Path,
                                              resume_args: list[str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    shutil.copytree(straight_run, out)
    code, text = _train(out, resume_args, capsys, "--resume", "--lr", "0.05", "--width", "8")
    assert code == 2
    assert "lr: was 0.003, now 0.05" in text and "width: was 4, now 8" in text
    assert "threads" not in text


# ---- 3. --eval-only on a test set alone

def _test_files(root: Path, gz: bool) -> Path:
    data = load_offline_subset()
    root.mkdir(parents=True)
    suffix = ".gz" if gz else ""
    write_idx(root / f"t10k-images-idx3-ubyte{suffix}",
              (data.test_x * 255).round().byte().squeeze(1).numpy())
    write_idx(root / f"t10k-labels-idx1-ubyte{suffix}", data.test_y.numpy().astype(np.uint8))
    return root


@pytest.mark.parametrize("layout, gz", [("flat", True), ("flat", False),
                                        ("FashionMNIST/raw", True)])
def test_eval_only_accepts_a_test_set_alone(straight_run: Path, tmp_path: Path, layout: str,
                                            gz: bool, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "test-only"
    _test_files(root if layout == "flat" else root / layout, gz)
    final = straight_run / "checkpoints" / "step-00000016.pt"
    code = cli.main(["train", "mnist", "--eval-only", "--checkpoint", str(final),
                     "--test-dir", str(root), "--test-limit", "100",
                     "--out", str(tmp_path / "eval")])
    assert code == 0, capsys.readouterr().err
    scored = json.loads((tmp_path / "eval" / "eval.json").read_text())
    trained = json.loads((straight_run / "metrics.json").read_text())
    assert scored["test_samples"] == 100
    assert scored["test_accuracy"] == pytest.approx(trained["test_accuracy"])


# ---- 4. input validation

def _idx_copy(mnist_idx_dir: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(mnist_idx_dir, data)
    return data


def test_out_of_range_label_is_refused_naming_the_file(mnist_idx_dir: Path, tmp_path: Path,
                                                      tiny: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = _idx_copy(mnist_idx_dir, tmp_path)
    labels_file = data / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels_file.read_bytes()))
    raw[8 + 17] = 200
    labels_file.write_bytes(gzip.compress(bytes(raw)))
    code, text = _train(tmp_path / "o", tiny, capsys, "--data-dir", str(data))
    assert code == 2 and "Traceback" not in text
    assert "train-labels-idx1-ubyte.gz: label 200 at index 17 is outside 0..9" in text
    assert not (tmp_path / "o" / "checkpoints").exists()


def test_counts_and_image_sizes_must_agree(mnist_idx_dir: Path, tmp_path: Path,
                                           tiny: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _idx_copy(mnist_idx_dir, tmp_path)
    write_idx(data / "t10k-labels-idx1-ubyte", np.zeros(999, dtype=np.uint8))
    code, text = _train(tmp_path / "o", tiny, capsys, "--data-dir", str(data))
    assert code == 2
    assert "t10k-images-idx3-ubyte has 1000 images but t10k-labels-idx1-ubyte has 999" in text

    write_idx(data / "t10k-labels-idx1-ubyte", np.zeros(1000, dtype=np.uint8))
    write_idx(data / "t10k-images-idx3-ubyte", np.zeros((1000, 32, 32), dtype=np.uint8))
    code, text = _train(tmp_path / "o", tiny, capsys, "--data-dir", str(data))
    assert code == 2 and "training images are 28 x 28 but test images are 32 x 32" in text


# ---- 5. resume: fallback, --resume-from, orphan temp files, the step it resumed from

def test_resume_falls_back_past_a_torn_checkpoint_and_says_where_it_resumed(
        tmp_path: Path, resume_args: list[str], capsys: pytest.CaptureFixture[str],
        keep_determinism: None) -> None:
    out = tmp_path / "run"
    code, text = _train(out, resume_args, capsys, "--stop-after-steps", "7")
    assert code == 0, text
    ckpts = out / "checkpoints"
    assert sorted(p.name for p in ckpts.glob("step-*")) == [
        "step-00000003.pt", "step-00000006.pt", "step-00000007.pt"]
    (ckpts / "step-00000007.pt").write_bytes(b"")  # torn
    orphan = ckpts / ".step-00000008.pt.k2j4h5g6.tmp"  # what a SIGKILL mid-write leaves
    orphan.write_bytes(b"partial")
    code, text = _train(out, resume_args, capsys, "--resume", "--stop-after-steps", "9")
    assert code == 0, text
    assert "skipping checkpoint" in text and "step-00000007.pt" in text and "empty" in text
    assert "resuming from step 6 (epoch 0)" in text
    assert "weights_only" not in text
    assert not orphan.exists()
    steps = sorted(p.name for p in ckpts.glob("step-*.pt"))
    assert steps == ["step-00000006.pt", "step-00000008.pt", "step-00000009.pt"]
    assert (ckpts / "step-00000007.pt.unreadable").exists()  # set aside, not deleted

    code, text = _train(out, resume_args, capsys, "--resume-from",
                        str(ckpts / "step-00000006.pt"), "--stop-after-steps", "7")
    assert code == 0, text
    assert "resuming from step 6 (epoch 0)" in text
    assert sorted(p.name for p in ckpts.glob("step-*.pt")) == [
        "step-00000006.pt", "step-00000007.pt"]


@pytest.fixture
def keep_determinism() -> object:
    before = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(before)
