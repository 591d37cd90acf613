"""Resume: fall back past torn checkpoints, our own reasons (never torch's unsafe advice),
orphan temp files removed, pruning that keeps the current run's checkpoints."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import torch

from torchworks.atomic import atomic_path
from torchworks.engine.checkpoint import CheckpointDir, build_state, load_checkpoint
from torchworks.engine.resume import describe_resume, remove_orphan_temps, resume_checkpoint
from torchworks.errors import DataError


def _state(step: int, **metrics: float) -> dict:
    torch.manual_seed(step)
    model = torch.nn.Linear(3, 2)
    return build_state(model, None, step=step, epoch=0, metrics=metrics)


def _names(ckpts: CheckpointDir) -> list[str]:
    return [p.name for p in ckpts.steps()]


def test_pruning_keeps_the_current_runs_checkpoints(tmp_path: Path) -> None:
    """An older run's step-124 outranked a new run's steps and got them pruned at once."""
    ckpts = CheckpointDir(tmp_path, keep_last=2)
    ckpts.save(_state(124))
    for step in (3, 6, 9):
        ckpts.save(_state(step))
    assert _names(ckpts) == ["step-00000006.pt", "step-00000009.pt"]
    assert ckpts.latest() == tmp_path / "step-00000009.pt"


def test_resume_falls_back_to_the_newest_intact_checkpoint(tmp_path: Path) -> None:
    ckpts = CheckpointDir(tmp_path, keep_last=5)
    for step in (1, 2, 3):
        ckpts.save(_state(step))
    (tmp_path / "step-00000003.pt").write_bytes(b"")  # torn by a full disk, say
    warnings: list[str] = []
    resumed = resume_checkpoint(ckpts, log=warnings.append)
    assert resumed is not None and resumed.step == 2
    assert resumed.path == tmp_path / "step-00000002.pt"
    assert len(warnings) == 1 and "step-00000003.pt" in warnings[0] and "empty" in warnings[0]
    assert (tmp_path / "step-00000003.pt.unreadable").exists() and ckpts.latest() == resumed.path
    assert "resuming from step 2 (epoch 0)" in describe_resume(resumed)
    assert "skipped 1" in describe_resume(resumed)


def test_resume_from_picks_the_given_file(tmp_path: Path) -> None:
    ckpts = CheckpointDir(tmp_path, keep_last=5)
    for step in (1, 2, 3):
        ckpts.save(_state(step))
    resumed = resume_checkpoint(ckpts, chosen=tmp_path / "step-00000001.pt")
    assert resumed is not None and resumed.step == 1
    # saving the continued run's next step drops the abandoned later ones
    ckpts.save(_state(2))
    assert _names(ckpts) == ["step-00000001.pt", "step-00000002.pt"]


def test_no_intact_checkpoint_lists_every_reason(tmp_path: Path) -> None:
    ckpts = CheckpointDir(tmp_path)
    (tmp_path / "step-00000001.pt").write_bytes(b"")
    (tmp_path / "step-00000002.pt").write_bytes(b"garbage" * 20)
    with pytest.raises(DataError) as caught:
        resume_checkpoint(ckpts, log=lambda _: None)
    text = str(caught.value)
    assert "step-00000001.pt" in text and "step-00000002.pt" in text and "--resume-from" in text
    assert resume_checkpoint(CheckpointDir(tmp_path / "none")) is None


def test_unreadable_files_get_a_real_reason_and_no_unsafe_advice(tmp_path: Path) -> None:
    good = tmp_path / "good.pt"
    torch.save(_state(1), good)
    cases = {
        "empty.pt": (b"", "empty (0 bytes)"),
        "torn.pt": (good.read_bytes()[:300], "torn (300 bytes"),
        "garbage.pt": (b"not a checkpoint" * 8, "not a torch.save archive"),
    }
    for name, (payload, _) in cases.items():
        (tmp_path / name).write_bytes(payload)
    torch.save({"when": datetime.datetime(2020, 1, 1)}, tmp_path / "pickled.pt")
    cases["pickled.pt"] = (None, "a Python object (datetime.datetime) that a safe load refuses")
    for name, (_, reason) in cases.items():
        with pytest.raises(DataError) as caught:
            load_checkpoint(tmp_path / name)
        text = str(caught.value)
        assert reason in text, text
        assert "weights_only" not in text, text


def test_orphan_temp_files_of_killed_writes_are_removed(tmp_path: Path) -> None:
    ckpts = CheckpointDir(tmp_path)
    ckpts.save(_state(1))
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "step-00000002.pt") as tmp:
        orphan = tmp.with_name(tmp.name.replace("step-00000002", "step-00000003"))
        orphan.write_bytes(b"half a checkpoint")  # what a SIGKILL mid-write leaves
        raise KeyboardInterrupt
    keep = tmp_path / "notes.tmp"  # not ours: no leading dot / random part
    keep.write_text("x")
    assert orphan.exists()
    resumed = resume_checkpoint(ckpts)
    assert resumed is not None and resumed.step == 1
    assert not orphan.exists() and keep.exists()
    assert remove_orphan_temps(tmp_path) == []
