"""Loading: local folders, clear errors, and the embedded SmolLM2 default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from torchworks.errors import DataError
from torchworks.llm.generate import generate
from torchworks.llm.load import EMBEDDED_NAME, embedded_gguf_path, load_causal_lm
from torchworks.llm.sampling import SamplingParams
from torchworks.serving.registry import ModelStore


def test_local_folder_loads_and_generates(tiny_lm_dir: Path) -> None:
    lm = load_causal_lm(tiny_lm_dir)
    result = generate(lm, "A solar panel comprising", SamplingParams(max_new_tokens=5))
    assert len(result.token_ids) == 5 and result.finish_reason == "length"


def test_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist") as err:
        load_causal_lm(tmp_path / "nope")
    assert err.value.fix and "embedded" in err.value.fix


def test_folder_without_weights_names_what_is_missing(tiny_lm_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_lm_dir, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(DataError, match=r"missing weights"):
        load_causal_lm(broken)


def test_embedded_gguf_is_found_without_importing_the_package() -> None:
    path = embedded_gguf_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000


@pytest.mark.slow
def test_embedded_default_converts_once_into_the_registry(tmp_path: Path) -> None:
    lm = load_causal_lm(models_dir=tmp_path)
    info = ModelStore(tmp_path).resolve(EMBEDDED_NAME)
    assert info.version == "1" and info.manifest.status == "approved"
    assert info.manifest.extra["variant"] == "eager-fp32"
    result = generate(lm, "The capital of France is", SamplingParams(max_new_tokens=8))
    assert "Paris" in result.text
    again = load_causal_lm(models_dir=tmp_path)  # second load reads the safetensors folder
    assert again.path == info.path
