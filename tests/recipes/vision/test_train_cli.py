"""`torchworks train mnist` end to end through the real CLI, on tiny subsets.

Covers the outputs a user gets, exact resume after an interruption, 2-process DDP with gloo
matching one process, --eval-only, and one-line errors for bad settings and bad data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from torchworks import cli
from torchworks.config import load_yaml
from torchworks.engine.metrics import read_metrics
from torchworks.recipes import vision
from torchworks.recipes.vision.config import MnistConfig
from torchworks.serving.local import free_port

REPO = Path(__file__).resolve().parents[3]
CONFIGS = Path(vision.__file__).parent / "configs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process (deterministic mode is process-wide)."""
    return subprocess.run([sys.executable, "-m", "torchworks", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, cwd=REPO)


def _weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["model"]


@pytest.fixture
def keep_determinism_setting() -> Iterator[None]:
    """--deterministic flips a process-wide torch switch; put it back for the other tests."""
    before = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(before)


def test_train_writes_metrics_checkpoints_and_plots(straight_run: Path) -> None:
    metrics = json.loads((straight_run / "metrics.json").read_text())
    for key in ("test_accuracy", "test_loss", "epochs", "steps", "train_seconds",
                "samples_per_second", "device", "precision", "compiled"):
        assert key in metrics
    assert metrics["steps"] == 16 and metrics["epochs"] == 2 and metrics["device"] == "cpu"
    assert metrics["precision"] == "fp32" and metrics["compiled"] is False
    assert 0.0 <= metrics["test_accuracy"] <= 1.0 and metrics["test_samples"] == 100
    # keep-last 3 of the steps 3, 6, 8 (epoch end), 9, 12, 15, 16 (epoch end), plus best
    assert [p.name for p in sorted((straight_run / "checkpoints").iterdir())] == [
        "best.pt", "step-00000012.pt", "step-00000015.pt", "step-00000016.pt"]
    for png in ("curves.png", "confusion_matrix.png"):
        assert (straight_run / png).read_bytes()[:8] == PNG_SIGNATURE
    assert (straight_run / "metrics.csv").read_text().startswith("step,epoch,name,value")


def test_resume_after_interruption_ends_bitwise_identical(
        straight_run: Path, tmp_path: Path, keep_determinism_setting: None,
        resume_args: list[str]) -> None:
    """Stopped after step 5 (mid-epoch: 8 steps per epoch), resumed in a fresh process."""
    out = tmp_path / "resumed"
    assert cli.main(["train", "mnist", "--out", str(out), *resume_args,
                     "--stop-after-steps", "5"]) == 0
    assert not (out / "metrics.json").exists()
    second = _cli("train", "mnist", "--out", str(out), *resume_args, "--resume")
    assert second.returncode == 0, second.stderr

    final_a = _weights(straight_run / "checkpoints" / "step-00000016.pt")
    final_b = _weights(out / "checkpoints" / "step-00000016.pt")
    assert final_a.keys() == final_b.keys()
    for name in final_a:
        assert torch.equal(final_a[name], final_b[name]), f"{name} differs after resume"
    def history(run: Path) -> list[tuple[int, int, str, float]]:  # wall-clock rows differ
        return [row for row in read_metrics(run / "metrics.csv") if not row[2].startswith("time/")]

    assert history(straight_run) == history(out)
    a = json.loads((straight_run / "metrics.json").read_text())
    b = json.loads((out / "metrics.json").read_text())
    assert (a["test_accuracy"], a["test_loss"], a["steps"]) == (
        b["test_accuracy"], b["test_loss"], b["steps"])


def test_two_process_ddp_matches_one_process_with_same_global_batch(tmp_path: Path,
                                                                     tiny: list[str]) -> None:
    # global batch 32 = one process x 32, or 2 ranks x 2 accumulated micro-batches x 8 (which
    # exercises DDP's no_sync too). SimpleCNN and no augmentation: no batch-norm statistics or
    # per-rank random draws, so only the order of floating-point gradient sums differs
    args = ["train", "mnist", *tiny, "--model", "simple", "--no-augment", "--lr", "0.01"]
    assert cli.main([*args, "--out", str(tmp_path / "single")]) == 0
    ddp = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
         "--master-addr", "127.0.0.1", "--master-port", str(free_port()),
         "-m", "torchworks", *args, "--grad-accum", "2", "--out", str(tmp_path / "ddp")],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert ddp.returncode == 0, ddp.stderr
    assert ddp.stdout.count("test accuracy") == 1  # rank 0 alone reports

    one = json.loads((tmp_path / "single" / "metrics.json").read_text())
    two = json.loads((tmp_path / "ddp" / "metrics.json").read_text())
    assert two["world_size"] == 2 and one["world_size"] == 1
    assert two["steps"] == one["steps"] == 16
    assert two["test_samples"] == one["test_samples"] == 100  # eval shards not double-counted
    assert two["test_accuracy"] == pytest.approx(one["test_accuracy"], abs=0.011)
    assert two["test_loss"] == pytest.approx(one["test_loss"], abs=1e-4)
    w1 = _weights(tmp_path / "single" / "checkpoints" / "step-00000016.pt")
    w2 = _weights(tmp_path / "ddp" / "checkpoints" / "step-00000016.pt")
    for name in w1:
        torch.testing.assert_close(w2[name], w1[name], atol=1e-5, rtol=1e-4)


def test_eval_only_scores_a_checkpoint_on_idx_files(
        straight_run: Path, tmp_path: Path, mnist_idx_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The IDX fixture holds the offline images, so the score must match the training run's."""
    trained = json.loads((straight_run / "metrics.json").read_text())
    final = straight_run / "checkpoints" / "step-00000016.pt"
    assert cli.main(["train", "mnist", "--eval-only", "--checkpoint", str(final),
                     "--data-dir", str(mnist_idx_dir), "--test-limit", "100",
                     "--out", str(tmp_path / "eval")]) == 0
    assert "test accuracy" in capsys.readouterr().out
    scored = json.loads((tmp_path / "eval" / "eval.json").read_text())
    assert scored["test_accuracy"] == pytest.approx(trained["test_accuracy"])
    assert scored["test_loss"] == pytest.approx(trained["test_loss"], rel=1e-5)
    assert scored["data_source"].startswith("idx:")
    assert (tmp_path / "eval" / "confusion_matrix.png").is_file()


@pytest.mark.parametrize("args, expected", [
    (["--epochs", "0"], "epochs must be at least 1"),
    (["--batch-size", "30", "--grad-accum", "4"], "not divisible by grad_accum"),
    (["--eval-only"], "--eval-only needs --checkpoint"),
    (["--amp", "fp8"], "invalid choice"),
    (["epochs=two"], "epochs: 'two' is not an integer"),
    (["--data-dir", "/nonexistent/mnist"], "data directory /nonexistent/mnist does not exist"),
    (["--resume"], "--resume: no checkpoint"),
])
def test_bad_settings_fail_with_one_clear_line(tmp_path: Path, args: list[str], expected: str,
                                               capsys: pytest.CaptureFixture[str],
                                               tiny: list[str]) -> None:
    try:
        code = cli.main(["train", "mnist", "--out", str(tmp_path / "o"), *tiny, *args])
    except SystemExit as exc:  # argparse rejects bad choices itself
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err and "Traceback" not in err


def test_corrupt_idx_file_fails_with_file_name(tmp_path: Path, mnist_idx_dir: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              tiny: list[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(mnist_idx_dir, data)
    (data / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x03\xe8\x07")
    code = cli.main(["train", "mnist", "--data-dir", str(data), "--out", str(tmp_path / "o"),
                     *tiny])
    err = capsys.readouterr().err
    assert code == 2
    assert "t10k-labels-idx1-ubyte is truncated" in err and "1008 bytes" in err


def test_every_shipped_yaml_loads_and_names_its_command() -> None:
    files = sorted(CONFIGS.glob("*.yaml"))
    assert files
    for path in files:
        assert path.read_text().startswith("# torchworks train mnist"), path.name
        assert isinstance(load_yaml(MnistConfig, path), MnistConfig)
