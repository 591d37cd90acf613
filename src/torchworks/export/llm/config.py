"""Settings of `torchworks export llm`; light, so the CLI builds its parser without torch."""

from __future__ import annotations

from dataclasses import dataclass

from torchworks.config import field

# Must match torchworks.llm.variants.VARIANTS (a test checks it).
KNOWN_VARIANTS = ("eager-fp32", "fp32-kernel", "q8_0", "bf16", "fp16", "compile-static",
                  "compile-bf16", "int8-weight", "int8-packed", "int4-g32", "int8-dynamic",
                  "onnx", "tensorrt-fp16", "tensorrt-int8")
DEFAULT_VARIANTS = ("q8_0,fp32-kernel,int8-packed,int4-g32,bf16,compile-static,int8-weight,"
                    "int8-dynamic,onnx,fp16,tensorrt-fp16")


@dataclass
class ExportLLMConfig:
    model: str = field("", "local HF model folder; empty: the embedded SmolLM2-135M-Instruct")
    name: str = field("", "registry model name (default: smollm2-135m-instruct or the folder)")
    variants: str = field(DEFAULT_VARIANTS,
                          "comma list or 'all'; known: " + ",".join(KNOWN_VARIANTS))
    models_dir: str = field("models", "model registry root: <dir>/<name>/<version>/")
    patents_dir: str = field("../shared/data/patents", "patent sample for the gate's prompts")
    prompts: int = field(6, "gate prompts (alternating disclosure / claims)")
    new_tokens: int = field(32, "greedy tokens per gate prompt")
    held_tokens: int = field(256, "tokens of held text per perplexity sample")
    min_token_agreement: float = field(0.90, "gate: teacher-forced top-1 agreement at least")
    max_ppl_increase_pct: float = field(5.0, "gate: perplexity may rise at most this percent")
    max_extra_findings: int = field(2, "gate: extra failed scorer findings allowed")
    claim_checker: bool = field(True, "score generated claims with the patent claim checker")
    speed_tokens: int = field(32, "tokens generated for the manifest's speed figure")
    max_seq: int = field(1024, "KV cache length of the built engines")
    threads: int = field(0, "torch and ONNX Runtime intra-op threads (0: free cores, at least 1)")


