"""Export a registered model to a Triton Inference Server model repository.

For users who outgrow one process: Triton's layout is `<repo>/<name>/config.pbtxt` plus
`<repo>/<name>/<version>/model.onnx` (platform onnxruntime_onnx) or `model.pt` (TorchScript,
platform pytorch_libtorch). Our registry already numbers versions the same way, so versions
keep their numbers; rejected versions are never exported, and every exported version is
checksum-verified first. Tensor inputs and outputs come from the ONNX graph itself, or from the
manifest's `inputs` / `outputs` (`[{"name", "dtype", "shape"}]`, shape without the batch
dimension) for TorchScript, which does not record them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from torchworks import atomic
from torchworks.errors import ConfigError, DataError
from torchworks.serving.registry import ModelStore, VersionInfo, validate_name

PLATFORMS = {"onnx": ("onnxruntime_onnx", "model.onnx", ".onnx"),
             "torchscript": ("pytorch_libtorch", "model.pt", ".pt")}
# ONNX TensorProto element type -> Triton data type
ONNX_TYPES = {1: "TYPE_FP32", 2: "TYPE_UINT8", 3: "TYPE_INT8", 5: "TYPE_INT16", 6: "TYPE_INT32",
              7: "TYPE_INT64", 9: "TYPE_BOOL", 10: "TYPE_FP16", 11: "TYPE_FP64", 16: "TYPE_BF16"}
TORCH_TYPES = {"float32": "TYPE_FP32", "float16": "TYPE_FP16", "bfloat16": "TYPE_BF16",
               "int64": "TYPE_INT64", "int32": "TYPE_INT32", "int8": "TYPE_INT8",
               "uint8": "TYPE_UINT8", "bool": "TYPE_BOOL", "float64": "TYPE_FP64"}


@dataclass(frozen=True)
class TensorSpec:
    name: str
    data_type: str  # Triton's TYPE_*
    dims: tuple[int, ...]  # without the batch dimension; -1 for a variable size


@dataclass(frozen=True)
class TritonExport:
    model_dir: Path
    versions: list[str]
    skipped: list[str]  # "3: rejected by its quality gate: ..."
    config: str


def export_to_triton(models_dir: Path, name: str, repository: Path, *,
                     max_batch_size: int = 8, max_queue_delay_ms: float = 5.0,
                     version_policy: Literal["latest", "all"] = "latest",
                     instance_count: int = 1) -> TritonExport:
    store = ModelStore(models_dir)
    available = store.versions(validate_name(name))
    if not available:
        raise ConfigError(f"model '{name}' has no versions under {models_dir}")
    exported, skipped = [], []
    for info in available:
        try:
            exported.append(store.resolve(name, info.version))
        except Exception as exc:  # rejected or corrupt: never handed to Triton
            skipped.append(f"{info.version}: {exc}")
    if not exported:
        raise DataError(f"no version of '{name}' can be exported:\n  " + "\n  ".join(skipped))
    formats = {v.manifest.format for v in exported}
    if len(formats) != 1 or next(iter(formats)) not in PLATFORMS:
        raise ConfigError(f"Triton export needs versions of one format among "
                          f"{', '.join(PLATFORMS)}; '{name}' has {', '.join(sorted(formats))}",
                          fix="export the model to ONNX or TorchScript first")
    fmt = formats.pop()
    platform, filename, suffix = PLATFORMS[fmt]
    inputs, outputs = _io_specs(exported[-1], fmt, suffix, max_batch_size)
    model_dir = Path(repository) / name
    for info in exported:
        source = _model_file(info, suffix)
        target = model_dir / info.version / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic.atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
    policy = ("latest { num_versions: 1 }" if version_policy == "latest" else "all { }")
    config = render_config(name, platform, max_batch_size, inputs, outputs,
                           max_queue_delay_us=int(max_queue_delay_ms * 1000),
                           version_policy=policy, instance_count=instance_count)
    atomic.write_text(model_dir / "config.pbtxt", config)
    return TritonExport(model_dir, [v.version for v in exported], skipped, config)


def render_config(name: str, platform: str, max_batch_size: int, inputs: list[TensorSpec],
                  outputs: list[TensorSpec], *, max_queue_delay_us: int, version_policy: str,
                  instance_count: int) -> str:
    preferred = [b for b in (4, 8, 16, 32, 64) if b <= max_batch_size] or [max_batch_size]

    def tensors(kind: str, specs: list[TensorSpec]) -> str:
        items = ",\n".join(f'  {{\n    name: "{s.name}"\n    data_type: {s.data_type}\n'
                           f"    dims: [ {', '.join(map(str, s.dims))} ]\n  }}" for s in specs)
        return f"{kind} [\n{items}\n]"

    return "\n".join([
        f'name: "{name}"', f'platform: "{platform}"', f"max_batch_size: {max_batch_size}",
        f"version_policy: {{ {version_policy} }}", tensors("input", inputs),
        tensors("output", outputs),
        "dynamic_batching {",
        f"  preferred_batch_size: [ {', '.join(map(str, preferred))} ]",
        f"  max_queue_delay_microseconds: {max_queue_delay_us}", "}",
        f"instance_group [ {{ count: {instance_count} kind: KIND_AUTO }} ]", ""])


def _model_file(info: VersionInfo, suffix: str) -> Path:
    files = sorted(info.path.glob(f"*{suffix}"))
    if len(files) != 1:
        raise DataError(f"{info.path} should hold exactly one *{suffix} file, found {len(files)}")
    return files[0]


def _io_specs(info: VersionInfo, fmt: str, suffix: str,
              max_batch_size: int) -> tuple[list[TensorSpec], list[TensorSpec]]:
    if info.manifest.inputs and info.manifest.outputs:
        return _from_manifest(info.manifest.inputs), _from_manifest(info.manifest.outputs)
    if fmt != "onnx":
        raise DataError(f"{info.path}/manifest.json lacks inputs/outputs, which TorchScript "
                        "export needs", fix='add [{"name", "dtype", "shape"}] lists to it')
    import onnx

    graph = onnx.load(str(_model_file(info, suffix)), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}

    def spec(value: object) -> TensorSpec:
        tensor = value.type.tensor_type  # type: ignore[attr-defined]
        dims = tuple(d.dim_value if d.dim_value > 0 else -1 for d in tensor.shape.dim)
        if max_batch_size > 0:
            dims = dims[1:]  # Triton adds the batch dimension itself
        data_type = ONNX_TYPES.get(tensor.elem_type, "TYPE_FP32")
        return TensorSpec(value.name, data_type, dims)  # type: ignore[attr-defined]

    return ([spec(v) for v in graph.input if v.name not in initializers],
            [spec(v) for v in graph.output])


def _from_manifest(items: list[dict[str, object]]) -> list[TensorSpec]:
    specs = []
    for item in items:
        dtype = str(item.get("dtype", "float32"))
        shape = item.get("shape", [])
        dims = tuple(int(d) for d in shape) if isinstance(shape, (list, tuple)) else ()
        specs.append(TensorSpec(str(item["name"]), TORCH_TYPES.get(dtype, dtype), dims))
    return specs
