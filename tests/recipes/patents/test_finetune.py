"""`torchworks train patent-summarizer` on the tiny BART: trains, resumes exactly, and its
output folder is usable by the abstractive summarizer."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from torchworks.cli import main
from torchworks.config import load_yaml
from torchworks.errors import ConfigError
from torchworks.recipes.patents.summarize.finetune import SummarizerTrainConfig, train

CONFIGS = Path(__file__).resolve().parents[3] / "src/torchworks/recipes/patents/summarize/configs"


def _config(model: Path, data: Path, out: Path, **overrides) -> SummarizerTrainConfig:
    values = dict(model=model, data=data, out=out, max_steps=4, batch_size=2,
                  max_source_tokens=64, max_target_tokens=32, save_every=2, lr=1e-3,
                  warmup_steps=0, progress=False, device="cpu")
    values.update(overrides)
    return SummarizerTrainConfig(**values)


def test_interrupted_and_resumed_run_ends_where_the_straight_run_ends(
        tiny_bart_dir: Path, sample_jsonl: Path, tmp_path: Path) -> None:
    straight = train(_config(tiny_bart_dir, sample_jsonl, tmp_path / "a"))
    assert straight.finished and straight.steps == 4 and straight.precision == "fp32"
    stopped = train(_config(tiny_bart_dir, sample_jsonl, tmp_path / "b", stop_after_steps=2))
    assert not stopped.finished and stopped.model_dir is None
    resumed = train(_config(tiny_bart_dir, sample_jsonl, tmp_path / "b", resume=True))
    assert resumed.finished and resumed.steps == 4
    a = load_file(tmp_path / "a/model/model.safetensors")
    b = load_file(tmp_path / "b/model/model.safetensors")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.final_loss == pytest.approx(straight.final_loss)


def test_cli_trains_and_the_model_folder_summarizes(tiny_bart_dir: Path, sample_jsonl: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "run"
    code = main(["train", "patent-summarizer", "--model", str(tiny_bart_dir), "--data",
                 str(sample_jsonl), "--out", str(out), "--max-steps", "2", "--batch-size", "2",
                 "--max-source-tokens", "64", "--max-target-tokens", "16", "--no-progress",
                 "--device", "cpu", "--no-gradient-checkpointing"])
    assert code == 0
    assert (out / "checkpoints/step-00000002.pt").is_file()
    assert (out / "metrics.csv").read_text().count("train/loss") == 2
    text = tmp_path / "doc.txt"
    text.write_text("The present invention relates to a holder for widgets. It has a clip.")
    assert main(["patents", "summarize", str(text), "--method", "abstractive", "--model",
                 str(out / "model"), "--words", "12", "--device", "cpu"]) == 0


def test_missing_model_or_data_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no config\.json.*not a file"):
        SummarizerTrainConfig(model=tmp_path, data=tmp_path / "none.jsonl")


def test_shipped_yaml_loads_against_the_schema(tiny_bart_dir: Path, sample_jsonl: Path) -> None:
    for path in CONFIGS.glob("*.yaml"):
        assert path.read_text().startswith("# torchworks train patent-summarizer")
        cfg = load_yaml(SummarizerTrainConfig, path, {"model": tiny_bart_dir,
                                                      "data": sample_jsonl})
        assert cfg.gradient_checkpointing
