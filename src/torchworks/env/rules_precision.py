"""Rules about numeric precision: which fast formats the GPUs have, and whether they are on."""

from __future__ import annotations

from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity
from torchworks.env.rules_gpu import gpu_list

ENABLE_TF32 = ('torch.set_float32_matmul_precision("high")  # or '
               "torch.backends.cuda.matmul.allow_tf32 = True; "
               "cuDNN: torch.backends.cudnn.allow_tf32 = True")


def _gpus(facts: Facts) -> list[tuple[str, tuple[int, int]]]:
    return [(name, cc) for _, name, cc in gpu_list(facts)]


def _torch_uses_gpus(facts: Facts) -> bool:
    """GPU precision advice only means something for a CUDA torch that imports; otherwise
    torch.* findings say why, and the CPU finding gives the CPU's precision."""
    return facts.torch.status == "ok" and facts.torch.cuda is not None


def precision(facts: Facts) -> list[Finding]:
    """bf16 where every GPU has it, else fp16 + GradScaler; FP8 noted on Ada/Hopper+."""
    gpus = _gpus(facts) if _torch_uses_gpus(facts) else []
    if not gpus:
        return [] if facts.system.cpu_flags is not None else [Finding(
            "precision.recommendation", Severity.OK, "no GPU torch uses: CPU training",
            "fp32 is the safe default on CPU; bf16 autocast helps only on CPUs with AMX",
            "keep fp32 (the default) on CPU")]
    no_bf16 = [f"{name} (cc {m}.{n})" for name, (m, n) in gpus if (m, n) < (8, 0)]
    if no_bf16:
        return [Finding("precision.no_bf16", Severity.WARN, f"no bf16 on {', '.join(no_bf16)}",
                        "bf16 autocast is unsupported or emulated (slow) before Ampere (cc 8.0); "
                        "fp16 has a narrow exponent range and needs loss scaling",
                        'use fp16 autocast with a scaler: torch.autocast("cuda", '
                        'dtype=torch.float16) + torch.amp.GradScaler("cuda")')]
    fp8 = all(cc >= (8, 9) for _, cc in gpus)
    extra = "; FP8 (torchao float8 training, TensorRT FP8) is available too" if fp8 else ""
    return [Finding("precision.recommendation", Severity.OK,
                    f"bf16 on every GPU ({', '.join(sorted({n for n, _ in gpus}))}){extra}",
                    "bf16 autocast keeps fp32's range, so no GradScaler is needed",
                    'torch.autocast("cuda", dtype=torch.bfloat16)')]


def tf32(facts: Facts) -> list[Finding]:
    """TF32 is off by default in torch: fp32 matmuls then skip the tensor cores on Ampere+.

    Off-by-default is reported as ok with the enabling line (it is a choice, and a healthy
    machine must exit 0); NVIDIA_TF32_OVERRIDE=0 is a warning because it silently overrides
    code that asks for TF32.
    """
    ampere = [name for name, cc in _gpus(facts) if cc >= (8, 0)] if _torch_uses_gpus(facts) \
        else []
    if not ampere:
        return []
    if facts.env.get("NVIDIA_TF32_OVERRIDE") == "0":
        return [Finding("precision.tf32_forced_off", Severity.WARN,
                        "NVIDIA_TF32_OVERRIDE=0 is set", "it disables TF32 in cuBLAS/cuDNN even "
                        "when code enables it: fp32 matmuls run several times slower",
                        "unset NVIDIA_TF32_OVERRIDE")]
    if facts.torch.float32_matmul_precision in ("high", "medium"):
        return [Finding("precision.tf32_on", Severity.OK,
                        f"float32 matmul precision is '{facts.torch.float32_matmul_precision}'",
                        "fp32 matmuls use TF32 tensor cores")]
    return [Finding("precision.tf32_off", Severity.OK,
                    f"TF32 is off for fp32 matmuls (torch's default) on {ampere[0]}",
                    "on Ampere+ TF32 runs fp32 matmuls on tensor cores several times faster "
                    "with a 10-bit mantissa (fine for training)", ENABLE_TF32)]
