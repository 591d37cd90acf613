"""`train rec` on the engine's run folders: a second fresh run into a finished run's folder
refuses, --overwrite replaces it, and --resume refuses a changed model setting."""

from __future__ import annotations

from pathlib import Path

from torchworks.cli import main

SETTINGS = ["epochs=1", "batch_size=512", "dim=16", "history_len=10", "threads=1", "amp=off",
            "eval_every=10", "eval_users=50"]


def test_run_folder_identity(tmp_path: Path, tiny_rec, capsys) -> None:
    common = ["train", "rec", "--model", "two-tower", "--data", str(tiny_rec.data),
              "--out", str(tmp_path / "run")]
    assert main([*common, *SETTINGS]) == 0
    capsys.readouterr()
    assert main([*common, *SETTINGS]) == 2
    assert "already holds run" in capsys.readouterr().err
    assert main([*common, "--resume", *SETTINGS, "dim=32"]) == 2
    assert "dim: was 16, now 32" in capsys.readouterr().err
    assert main([*common, "--overwrite", *SETTINGS]) == 0
