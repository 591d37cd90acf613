"""`torchworks export llm`: build optimized LLM variants, gate them against fp32, publish them.

Each variant becomes a registry version (models/<name>/<version>/manifest.json) marked
approved or rejected with the reason; `torchworks serve` refuses rejected versions. When the
patent claim-checking recipe is installed, generated claims are also judged claim by claim.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def register(subparsers: argparse._SubParsersAction) -> None:
    from torchworks.config import add_arguments
    from torchworks.export.llm.config import ExportLLMConfig

    help_text = "build LLM variants (bf16, compile, int8, ONNX, TensorRT), gate and publish them"
    parser = subparsers.add_parser("llm", help=help_text, description=help_text)
    add_arguments(parser, ExportLLMConfig)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.config import from_args
    from torchworks.export.llm.config import ExportLLMConfig
    from torchworks.export.llm.pipeline import export_llm

    config = from_args(ExportLLMConfig, args)
    scorers = [claim_checker_scorer()] if config.claim_checker else []
    outcomes = export_llm(config, [s for s in scorers if s is not None])
    print(f"{'variant':16s} {'status':9s} {'version':>7s} {'agree':>6s} {'ppl+%':>7s} "
          f"{'findings':>8s} {'tok/s':>7s}  reason")
    for o in outcomes:
        if o.report is None or o.version is None or o.speed is None:
            print(f"{o.name:16s} {'skipped':9s} {'-':>7s} {'':>6s} {'':>7s} {'':>8s} {'':>7s}  "
                  f"{o.skipped}")
            continue
        m = o.version.manifest
        print(f"{o.name:16s} {m.status:9s} {o.version.version:>7s} "
              f"{o.report.token_agreement:6.3f} {o.report.ppl_increase_pct:+7.2f} "
              f"{o.report.failed_findings:>8d} {o.speed.tokens_per_s:7.1f}  {m.status_reason}")
    return 0


def claim_checker_scorer() -> Callable[..., list] | None:
    """Per-claim findings of the patent claim checker on generated claims, if installed."""
    try:
        from torchworks.recipes.patents.claims.check import check_text
    except ImportError:
        return None
    from torchworks.export.llm.gate import GeneratedSample, ScoreFinding

    def score(sample: GeneratedSample) -> list[ScoreFinding]:
        if sample.prompt.kind != "claims":
            return []
        report = check_text(sample.text, description=sample.prompt.description)
        return [ScoreFinding("claim-checker", f"claim {f.claim}" if f.claim else "claim set",
                             f.severity != "error", f"{f.rule}: {f.words} ({f.message})")
                for f in report.findings]

    return score
