"""The optimized variants of one model, as runnable engines: precision, quantization, compile.

A variant is a recipe applied to the fp32 weights at load time (quantization is deterministic,
so the same weights always give the same int8 model); `torchworks export llm` records which
recipe a registry version holds in its manifest, and `engine_for` rebuilds it from there.
ONNX Runtime and TensorRT variants run outside torch and live in `onnx_runtime.py`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from types import ModuleType

import torch
from torch import nn

from torchworks.env import cpu as cpu_env
from torchworks.errors import ConfigError, DependencyError, require
from torchworks.llm.engine import DecodeEngine
from torchworks.llm.kernels import native, step
from torchworks.llm.kernels.linears import kernel_linears
from torchworks.llm.llama import FastLlama
from torchworks.llm.load import LoadedLM
from torchworks.llm.packed import missing_kernel, pack_linears, transpose_linears


@dataclass(frozen=True)
class VariantSpec:
    name: str
    precision: str  # registry manifest precision: fp32, bf16, fp16, int8-weight-only, ...
    runtime: str  # "torch" | "onnxruntime" | "tensorrt"
    compile: bool
    gpu_only: bool
    summary: str


VARIANTS: dict[str, VariantSpec] = {v.name: v for v in (
    VariantSpec("eager-fp32", "fp32", "torch", False, False,
                "reference: fp32 weights (input-major), static KV cache, eager PyTorch"),
    VariantSpec("fp32-kernel", "fp32", "torch", False, False,
                "fp32 weights; decode matmuls in torchworks' native gemv (compiled from C on "
                "first use, about 2 s), prefill in torch"),
    VariantSpec("q8_0", "int8-q8_0", "torch", False, False,
                "GGUF Q8_0's scheme: int8 weights in blocks of 32 with fp32 scales, activations "
                "quantized per 32-block per step, int8 dot products (VNNI / AVX2) in "
                "torchworks' native kernel"),
    VariantSpec("bf16", "bf16", "torch", False, False,
                "bf16 weights and KV cache (CPUs with AVX512-BF16/AMX-BF16, Ampere+ GPUs)"),
    VariantSpec("fp16", "fp16", "torch", False, True, "fp16 weights and KV cache (GPU)"),
    VariantSpec("compile-static", "fp32", "torch", True, False,
                "fp32, decode step torch.compile'd once for the static cache shape"),
    VariantSpec("compile-bf16", "bf16", "torch", True, False,
                "bf16 weights and cache, decode step torch.compile'd"),
    VariantSpec("int8-weight", "int8-weight-only", "torch", True, False,
                "torchao int8 weight-only linears, decode step torch.compile'd"),
    VariantSpec("int8-packed", "int8-weight-only", "torch", False, False,
                "int8 weights per output channel in torch's packed CPU kernel, bf16 "
                "activations, eager; builds in seconds"),
    VariantSpec("int4-g32", "int4-weight-only", "torch", False, False,
                "4-bit weights in groups of 32 with scale and zero (GGUF Q4_1's scheme: the "
                "embedded model's own quantization), int8 output head, bf16 activations"),
    VariantSpec("int8-dynamic", "int8-dynamic", "torch", False, False,
                "torch.ao dynamic int8 linears (per-channel int8 weights, activations "
                "quantized per step)"),
    VariantSpec("onnx", "fp32", "onnxruntime", False, False,
                "ONNX graph with KV cache inputs/outputs, run by ONNX Runtime"),
    VariantSpec("tensorrt-fp16", "fp16", "tensorrt", False, True,
                "ONNX graph through ONNX Runtime's TensorRT execution provider, FP16"),
    VariantSpec("tensorrt-int8", "int8", "tensorrt", False, True,
                "TensorRT execution provider, INT8 with calibration"),
)}

PACKED = {"int8-packed": "int8", "int4-g32": "int4"}  # variant -> weight kind of its body
NATIVE = {"fp32-kernel": "fp32", "q8_0": "q8"}  # variant -> kernel linear kind


def variant(name: str) -> VariantSpec:
    if name not in VARIANTS:
        raise ConfigError(f"unknown LLM variant '{name}'",
                          fix=f"choose from: {', '.join(VARIANTS)}")
    return VARIANTS[name]


def unavailable_reason(spec: VariantSpec, device: torch.device) -> str | None:
    """Why `spec` cannot run on `device` here, or None if it can."""
    if spec.gpu_only and device.type != "cuda":
        return "needs a CUDA GPU"
    if device.type == "cpu":
        reason = _cpu_reason(spec, cpu_env.cpu_features())
        if reason:
            return reason
    if spec.precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return "this GPU has no bf16"
    if spec.name in PACKED and device.type != "cpu":
        return "the packed int8/int4 kernels used here are torch's CPU ones"
    if spec.name in PACKED and (missing := missing_kernel(PACKED[spec.name])):
        return missing
    if spec.name in NATIVE and device.type != "cpu":
        return "torchworks' native decode kernels are CPU ones"
    if spec.name in NATIVE and (why := native.unavailable_reason()):
        return why
    if spec.precision == "int8-dynamic" and device.type != "cpu":
        return "torch.ao dynamic int8 runs on CPU only"
    if spec.runtime == "tensorrt":
        ort = _optional("onnxruntime")
        if ort is None or "TensorrtExecutionProvider" not in ort.get_available_providers():
            return "ONNX Runtime has no TensorRT execution provider here"
    if spec.runtime == "onnxruntime" and _optional("onnxruntime") is None:
        return "onnxruntime is not installed"
    if spec.name == "int8-weight" and importlib.util.find_spec("torchao") is None:
        return ("torchao is not installed (pip install 'torchworks[torchao]'; the int8-packed "
                "variant gives int8 weights with torch alone)")
    return None


def _cpu_reason(spec: VariantSpec, cpu: cpu_env.CpuFeatures) -> str | None:
    """bf16 only where it is native (oneDNN's emulation on plain AVX-512 is no faster than
    fp32, so serving it would only lose accuracy); torch's int8 kernels need AVX2."""
    if spec.precision == "bf16" and not cpu.fast_bf16:
        instead = "eager-fp32 or int8-dynamic" if cpu.int8_kernels else "eager-fp32"
        return (f"this CPU has no fast bf16 (needs AVX512-BF16 or AMX-BF16; it has {cpu.isa}); "
                f"{instead} run here")
    if spec.precision == "int8-dynamic" and not cpu.int8_kernels:
        return f"torch's int8 CPU kernels (fbgemm) need AVX2; this CPU has {cpu.isa}"
    return None


def engine_for(lm: LoadedLM, name: str, *, slots: int = 1, max_seq: int = 1024) -> DecodeEngine:
    """A DecodeEngine running `lm` as variant `name` (torch runtimes only)."""
    spec = variant(name)
    if spec.runtime != "torch":
        raise ConfigError(f"variant '{name}' runs on {spec.runtime}, not in a torch engine",
                          fix="load it with torchworks.llm.onnx_runtime")
    reason = unavailable_reason(spec, lm.device)
    if reason:
        raise ConfigError(f"variant '{name}' is not available: {reason}",
                          fix="choose another variant (see `torchworks export llm --help`)")
    model = FastLlama.from_hf(lm.model)
    cache_dtype = None
    if spec.name == "eager-fp32":
        model = transpose_linears(model)
    elif spec.precision in ("bf16", "fp16"):
        dtype = torch.bfloat16 if spec.precision == "bf16" else torch.float16
        model = model.to(dtype)
        model.inv_freq = model.inv_freq.float()
        cache_dtype = dtype
    elif spec.name in NATIVE:
        model = kernel_linears(model, NATIVE[spec.name])
        for module in model.modules():  # attention and RMSNorm: one native call each
            if hasattr(module, "decode_kernel"):
                module.decode_kernel = native.load()
        if step.unsupported(model) is None:  # batch-1 decode: the whole step in one call
            model.decode_step = step.NativeDecodeStep(model, native.load())
    elif spec.name in PACKED:  # before torchao's: the same manifest precision
        model = pack_linears(model, body=PACKED[spec.name])
    elif spec.precision == "int8-weight-only":
        torchao = require("torchao.quantization", "torchao")
        torchao.quantize_(model, torchao.Int8WeightOnlyConfig())
    elif spec.precision == "int8-dynamic":
        model = _quantize_dynamic(model)
    return DecodeEngine(model, slots=slots, max_seq=max_seq, cache_dtype=cache_dtype,
                        compile_decode=spec.compile)


def _quantize_dynamic(model: FastLlama) -> FastLlama:
    """int8 per-output-channel weights (per-tensor scales cost SmolLM2 4x perplexity; per
    channel still ~3x: activations quantized per tensor at run time lose its outliers, and
    the gate rejects it)."""
    try:
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
    except ImportError as exc:  # removed from a future torch
        raise DependencyError("this torch has no torch.ao.quantization.quantize_dynamic",
                              fix="use the int8-packed variant") from exc
    return quantize_dynamic(model, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


def _optional(module: str) -> ModuleType | None:
    try:
        return require(module, "export")
    except DependencyError:
        return None
