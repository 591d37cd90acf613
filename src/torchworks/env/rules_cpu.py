"""Rules about the CPU: its vector ISA, its bf16 and int8 fast paths, the precision it suits.

The judgement is env/cpu.py's (the same CpuFeatures the LLM variants and `--amp auto` ask),
rebuilt from the recorded flags, so a user's facts file gives the user's answer.
"""

from __future__ import annotations

from torchworks.env.cpu import CpuFeatures, onednn_allows
from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity

# ATen's dispatch levels (ATEN_CPU_CAPABILITY / torch.backends.cpu.get_cpu_capability()).
_ATEN_LEVELS = {"DEFAULT": 0, "NO AVX": 0, "AVX2": 1, "AVX512": 2}


def recorded_cpu(facts: Facts) -> CpuFeatures | None:
    """The CPU as env/cpu.py sees it, from recorded facts; None in a version-1 file."""
    s = facts.system
    if s.cpu_flags is None:
        return None
    cap = facts.env.get("ONEDNN_MAX_CPU_ISA") or facts.env.get("DNNL_MAX_CPU_ISA")
    return CpuFeatures.from_flags(s.cpu_flags, s.cpu_architecture or "x86_64", s.cpu_model,
                                  onednn_cap=cap)


def cpu(facts: Facts) -> list[Finding]:
    found = recorded_cpu(facts)
    if found is None:
        return []
    kernels = f"; torch kernels: {facts.torch.cpu_capability}" if facts.torch.cpu_capability \
        else ""
    train_flag = "--amp bf16 (AMX)" if found.train_precision == "bf16" else "--amp auto (fp32)"
    findings = [Finding(
        "cpu.features", Severity.OK, found.describe() + kernels,
        f"bf16 {'is' if found.fast_bf16 else 'is not'} native (bf16 variants "
        f"{'run' if found.fast_bf16 else 'are refused'} on CPU), int8 "
        f"{'has' if found.fast_int8 else 'has no'} dot-product instructions; recommended CPU "
        f"precision: training {found.train_precision}, inference {found.inference_precision}",
        f"train with {train_flag}; serve the weight-only int4-g32 or int8-packed variant "
        f"(torch's packed CPU kernels; the gate keeps their tokens)"
        f"{', or bf16' if found.fast_bf16 else ''} (torchworks export llm --variants "
        f"int4-g32,int8-packed{',bf16' if found.fast_bf16 else ''})")]
    if found.x86 and "avx2" not in found.flags:
        findings.append(Finding("cpu.no_avx2", Severity.WARN, f"{found.describe()}: no AVX2",
                                "torch's vectorized kernels and its int8 kernels (fbgemm) need "
                                "AVX2; everything runs several times slower and int8 variants "
                                "are refused", "run on an x86-64 CPU with AVX2 (any since 2015)"))
    findings += _capped(facts, found)
    return findings


def _capped(facts: Facts, found: CpuFeatures) -> list[Finding]:
    """ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA set below what the hardware has."""
    findings = []
    aten = facts.env.get("ATEN_CPU_CAPABILITY")
    hardware = 2 if "avx512f" in found.flags else 1 if "avx2" in found.flags else 0
    if aten and _ATEN_LEVELS.get(aten.strip().upper(), hardware) < hardware:
        findings.append(Finding("cpu.aten_capped", Severity.WARN,
                                f"ATEN_CPU_CAPABILITY={aten} on a CPU with {found.isa}",
                                "torch's own vectorized kernels run below what the CPU has",
                                "unset ATEN_CPU_CAPABILITY"))
    cap = found.onednn_cap
    lost = [name for flag, needs, name in (("amx_bf16", "AVX512_CORE_AMX", "AMX"),
                                           ("avx512_bf16", "AVX512_CORE_BF16", "AVX512-BF16"))
            if flag in found.flags and not onednn_allows(cap, needs)]
    if cap and lost:
        variable = "ONEDNN_MAX_CPU_ISA" if facts.env.get("ONEDNN_MAX_CPU_ISA") \
            else "DNNL_MAX_CPU_ISA"
        findings.append(Finding("cpu.onednn_capped", Severity.WARN,
                                f"{variable}={cap} hides {', '.join(lost)} from oneDNN",
                                "oneDNN runs torch's CPU matmuls and convolutions: bf16 then "
                                "loses its native path", f"unset {variable}"))
    return findings
