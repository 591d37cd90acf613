"""Build one variant from the fp32 source: a runnable Stepper, its speed, its registry version.

Torch variants are published as the source's HF folder plus a manifest naming the recipe
(precision, quantization, compile), because quantization is deterministic and fast at load;
the ONNX variants are published as the exported graph (`model.onnx`) beside the config and
tokenizer. Either way the manifest carries format, precision, build settings, the source
checksum, and the gate's and the speed test's numbers.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from torchworks.export.llm.gate import GateReport
from torchworks.llm.engine import EngineStepper
from torchworks.llm.generate import generate
from torchworks.llm.llama import FastLlama
from torchworks.llm.load import LoadedLM, publish_folder
from torchworks.llm.onnx_graph import export_onnx
from torchworks.llm.onnx_runtime import ONNX_FILE, OnnxLM, OnnxStepper
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.stepper import Stepper
from torchworks.llm.variants import VariantSpec, engine_for
from torchworks.serving.registry import VersionInfo, compute_checksum

# Files of an HF folder an ONNX version needs besides the graph (config for the cache shape).
SIDE_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
              "special_tokens_map.json", "chat_template.jinja", "tokenizer.model", "vocab.json",
              "merges.txt")


@dataclass(frozen=True)
class SpeedReport:
    """Batch-1 decode on one prompt: build_s includes quantization and compile warm-up."""

    build_s: float
    ttft_ms: float
    tokens_per_s: float
    new_tokens: int


@dataclass
class BuiltVariant:
    spec: VariantSpec
    stepper: Stepper
    build_s: float
    folder: Path | None = None  # files to publish (ONNX); None means the source folder


def build_variant(lm: LoadedLM, spec: VariantSpec, workdir: Path, *,
                  max_seq: int = 1024) -> BuiltVariant:
    """A ready Stepper for `spec` (ONNX variants are exported into `workdir`)."""
    started = time.perf_counter()
    if spec.runtime == "torch":
        stepper: Stepper = EngineStepper(engine_for(lm, spec.name, max_seq=max_seq))
        return BuiltVariant(spec, stepper, time.perf_counter() - started)
    folder = workdir / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    export_onnx(FastLlama.from_hf(lm.model).float().cpu(), str(folder / ONNX_FILE))
    for name in SIDE_FILES:
        if (lm.path / name).is_file():
            shutil.copy2(lm.path / name, folder / name)
    stepper = OnnxStepper(OnnxLM(folder, runtime=spec.runtime, precision=spec.precision))
    return BuiltVariant(spec, stepper, time.perf_counter() - started, folder)


def measure_speed(lm: LoadedLM, built: BuiltVariant, prompt_ids: list[int],
                  new_tokens: int) -> SpeedReport:
    """One warm-up (compiles, allocates), then a fixed-length greedy run."""
    fixed = SamplingParams(max_new_tokens=new_tokens, ignore_eos=True)
    warm_started = time.perf_counter()
    generate(lm, prompt_ids, SamplingParams(max_new_tokens=4, ignore_eos=True),
             stepper=built.stepper)
    warm_s = time.perf_counter() - warm_started
    result = generate(lm, prompt_ids, fixed, stepper=built.stepper)
    return SpeedReport(built.build_s + warm_s, 1000 * result.ttft_s, result.tokens_per_s,
                       new_tokens)


def publish_variant(models_dir: Path, name: str, lm: LoadedLM, built: BuiltVariant,
                    report: GateReport, speed: SpeedReport) -> VersionInfo:
    """Write the variant as the next version of `name`, approved or rejected by `report`."""
    spec = built.spec
    source_checksum = compute_checksum(lm.path)
    metrics = {**report.metrics(), "tokens_per_s": round(speed.tokens_per_s, 2),
               "ttft_ms": round(speed.ttft_ms, 1)}
    extra: dict[str, object] = {
        "variant": spec.name,
        "runtime": spec.runtime,
        "source": str(lm.path),
        "source_checksum": source_checksum,
        "build": {"compile": spec.compile, "summary": spec.summary,
                  "build_s": round(speed.build_s, 2), "torch": torch.__version__,
                  "speed_new_tokens": speed.new_tokens},
        "gate": {"reasons": report.reasons,
                 "findings": [f.__dict__ for f in report.findings if not f.passed][:50]},
    }
    return publish_folder(
        models_dir, name, built.folder or lm.path,
        fmt="onnx" if spec.runtime != "torch" else "hf-folder",
        precision=spec.precision,
        status="approved" if report.passed else "rejected",
        reason="; ".join(report.reasons) if report.reasons else "passed the regression gate",
        metrics=metrics, extra=extra)
