"""Fine-tuning on the engine's run folders and validation split: best.pt is picked on held-out
records, a fresh run refuses a finished run's folder, --resume refuses a changed setting."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.patents.summarize.finetune import SummarizerTrainConfig, train


def _config(model: Path, data: Path, out: Path, **overrides) -> SummarizerTrainConfig:
    values = dict(model=model, data=data, out=out, max_steps=2, batch_size=2,
                  max_source_tokens=64, max_target_tokens=32, save_every=1, lr=1e-3,
                  warmup_steps=0, progress=False, device="cpu", val_fraction=0.3)
    values.update(overrides)
    return SummarizerTrainConfig(**values)


def test_validation_picks_best_and_run_folder_is_guarded(tiny_bart_dir: Path,
                                                         sample_jsonl: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert train(_config(tiny_bart_dir, sample_jsonl, out)).finished
    best = torch.load(out / "checkpoints/best.pt", weights_only=True)
    assert "val_loss" in best["metrics"] and best["metrics"]["val_loss"] > 0
    with pytest.raises(ConfigError, match="already holds run"):
        train(_config(tiny_bart_dir, sample_jsonl, out))
    with pytest.raises(ConfigError, match=r"lr: was 0\.001, now 0\.01"):
        train(_config(tiny_bart_dir, sample_jsonl, out, resume=True, lr=1e-2))
    assert train(_config(tiny_bart_dir, sample_jsonl, out, overwrite=True)).finished
