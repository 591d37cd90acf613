"""Run folders know their run: a fresh run refuses another run's folder, --overwrite replaces
only that run's outputs, and --resume refuses a config that differs where it matters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks.engine.rundir import claim_run_dir, config_differences
from torchworks.errors import ConfigError

OUTPUTS = ("metrics.csv", "metrics.json")


def _finished_run(out: Path, config: dict) -> str:
    run_id = claim_run_dir(out, config=config, resume=False, outputs=OUTPUTS)
    (out / "checkpoints").mkdir()
    (out / "checkpoints" / "step-00000124.pt").write_bytes(b"old")
    (out / "metrics.csv").write_text("step,epoch,name,value\n")
    return run_id


def test_fresh_run_into_another_runs_folder_refuses(tmp_path: Path) -> None:
    old = _finished_run(tmp_path, {"lr": 0.1})
    with pytest.raises(ConfigError) as caught:
        claim_run_dir(tmp_path, config={"lr": 0.1}, resume=False, outputs=OUTPUTS)
    text = str(caught.value)
    assert old in text and "checkpoints" in text and "metrics.csv" in text
    assert "--overwrite" in text and "--resume" in text and "--out" in text
    assert (tmp_path / "checkpoints" / "step-00000124.pt").exists()


def test_overwrite_replaces_only_the_runs_outputs(tmp_path: Path) -> None:
    old = _finished_run(tmp_path, {"lr": 0.1})
    (tmp_path / "my-notes.txt").write_text("keep me")
    new = claim_run_dir(tmp_path, config={"lr": 0.2}, resume=False, overwrite=True,
                        outputs=OUTPUTS)
    assert new != old
    assert not (tmp_path / "checkpoints").exists() and not (tmp_path / "metrics.csv").exists()
    assert (tmp_path / "my-notes.txt").read_text() == "keep me"
    recorded = json.loads((tmp_path / "run.json").read_text())
    assert recorded["run_id"] == new and recorded["config"] == {"lr": 0.2}


def test_a_folder_without_run_outputs_is_free(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("unrelated")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / ".step-00000001.pt.abc123xy.tmp").write_bytes(b"orphan")
    claim_run_dir(tmp_path, config={}, resume=False, outputs=OUTPUTS)
    assert list((tmp_path / "checkpoints").iterdir()) == []  # the orphan is cleaned
    claim_run_dir(tmp_path, config={}, resume=False, outputs=OUTPUTS)  # run.json alone: no run


def test_resume_refuses_a_config_that_matters_and_names_the_keys(tmp_path: Path) -> None:
    run_id = _finished_run(tmp_path, {"lr": 0.1, "model": "strong", "threads": 1})
    with pytest.raises(ConfigError) as caught:
        claim_run_dir(tmp_path, config={"lr": 0.3, "model": "simple", "threads": 4},
                      resume=True, harmless={"threads"}, outputs=OUTPUTS)
    text = str(caught.value)
    assert "lr: was 0.1, now 0.3" in text and "model: was 'strong', now 'simple'" in text
    assert "threads" not in text
    assert claim_run_dir(tmp_path, config={"lr": 0.1, "model": "strong", "threads": 4},
                         resume=True, harmless={"threads"}, outputs=OUTPUTS) == run_id


def test_config_differences_compare_as_stored() -> None:
    assert config_differences({"out": "a", "k": [1, 2]}, {"out": Path("a"), "k": (1, 2)}) == []
    assert config_differences({"a": 1}, {"b": 2}) == ["a: was 1, now '<unset>'",
                                                      "b: was '<unset>', now 2"]
