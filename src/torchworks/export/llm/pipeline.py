"""`torchworks export llm` end to end: reference once, then build, judge, time, publish each."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from torchworks.errors import ConfigError
from torchworks.export.llm.build import SpeedReport, build_variant, measure_speed, publish_variant
from torchworks.export.llm.config import ExportLLMConfig
from torchworks.export.llm.gate import (
    GateConfig,
    GateReport,
    Scorer,
    build_reference,
    judge,
    render,
)
from torchworks.export.llm.prompts import gate_prompts, held_texts
from torchworks.llm.engine import EngineStepper
from torchworks.llm.load import EMBEDDED_NAME, load_causal_lm
from torchworks.llm.threads import configure_threads
from torchworks.llm.variants import VARIANTS, engine_for, unavailable_reason, variant
from torchworks.serving.registry import VersionInfo


@dataclass(frozen=True)
class VariantOutcome:
    name: str
    skipped: str | None  # why it was not built here, else None
    report: GateReport | None = None
    speed: SpeedReport | None = None
    version: VersionInfo | None = None


def selected_variants(text: str) -> list[str]:
    names = list(VARIANTS) if text.strip() == "all" else \
        [n.strip() for n in text.split(",") if n.strip()]
    return [variant(n).name for n in names]


def export_llm(config: ExportLLMConfig, scorers: Sequence[Scorer] = (),
               progress: Callable[[str], None] = print) -> list[VariantOutcome]:
    configure_threads(config.threads)
    models_dir = Path(config.models_dir)
    lm = load_causal_lm(config.model or None, models_dir=models_dir)
    name = config.name or (EMBEDDED_NAME if not config.model else Path(config.model).name.lower())
    gate = GateConfig(new_tokens=config.new_tokens, held_tokens=config.held_tokens,
                      min_token_agreement=config.min_token_agreement,
                      max_ppl_increase_pct=config.max_ppl_increase_pct,
                      max_extra_findings=config.max_extra_findings)
    patents = Path(config.patents_dir)
    prompts = gate_prompts(patents, config.prompts)
    longest = max(len(render(lm, p)) for p in prompts) + config.new_tokens
    if longest > config.max_seq:
        raise ConfigError(f"the gate needs {longest} positions (prompt + new tokens) but "
                          f"--max-seq is {config.max_seq}", fix=f"use --max-seq {longest} or more")
    progress(f"reference: eager fp32 on {len(prompts)} prompts x {config.new_tokens} tokens")
    reference_stepper = EngineStepper(engine_for(lm, "eager-fp32", max_seq=config.max_seq))
    reference = build_reference(lm, reference_stepper, prompts, held_texts(patents), gate,
                                scorers)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="torchworks-llm-") as workdir:
        for variant_name in selected_variants(config.variants):
            spec = VARIANTS[variant_name]
            reason = unavailable_reason(spec, lm.device)
            if reason:
                progress(f"{variant_name}: skipped ({reason})")
                outcomes.append(VariantOutcome(variant_name, reason))
                continue
            progress(f"{variant_name}: building and judging")
            built = build_variant(lm, spec, Path(workdir), max_seq=config.max_seq)
            speed = measure_speed(lm, built, reference.prompt_ids[0], config.speed_tokens)
            report = judge(lm, reference, built.stepper, gate, scorers)
            version = publish_variant(models_dir, name, lm, built, report, speed)
            outcomes.append(VariantOutcome(variant_name, None, report, speed, version))
    return outcomes
