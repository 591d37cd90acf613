"""Run the exported step graph (`onnx_graph.py`) with ONNX Runtime: a Stepper and a served model.

Execution providers are picked from what this onnxruntime build offers: TensorRT (FP16, or
INT8 with a calibration table) and CUDA on a GPU machine, the CPU provider everywhere. The KV
cache lives in numpy arrays that grow by one position per step (batch 1 per session call; the
served model loops over the running sequences, each with its own arrays). Sessions use torch's
intra-op thread count unless told otherwise (`threads.py`), so --threads governs both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from torchworks import hf
from torchworks.errors import ConfigError, DataError, require
from torchworks.llm.detokenize import GrowingListDecoder
from torchworks.llm.threads import session_threads

ONNX_FILE = "model.onnx"
CALIBRATION_TABLE = "calibration.flatbuffers"


def providers_for(runtime: str, precision: str, folder: Path) -> list[Any]:
    """ORT providers, best first, for a variant's runtime ("onnxruntime" or "tensorrt")."""
    ort = require("onnxruntime", "export")
    available = ort.get_available_providers()
    chosen: list[Any] = []
    if runtime == "tensorrt":
        if "TensorrtExecutionProvider" not in available:
            raise ConfigError("this onnxruntime has no TensorRT execution provider",
                              fix="pip install onnxruntime-gpu with TensorRT, on a GPU machine")
        options: dict[str, Any] = {"trt_fp16_enable": True,
                                   "trt_engine_cache_enable": True,
                                   "trt_engine_cache_path": str(folder / "trt-cache")}
        if precision == "int8":
            options.update(trt_int8_enable=True,
                           trt_int8_calibration_table_name=CALIBRATION_TABLE)
        chosen.append(("TensorrtExecutionProvider", options))
    if "CUDAExecutionProvider" in available and runtime in ("onnxruntime", "tensorrt"):
        chosen.append("CUDAExecutionProvider")
    chosen.append("CPUExecutionProvider")
    return chosen


class OnnxLM:
    """One ONNX Runtime session over a version folder (model.onnx + config.json + tokenizer)."""

    def __init__(self, folder: Path, *, runtime: str = "onnxruntime",
                 precision: str = "fp32", threads: int | None = None) -> None:
        ort = require("onnxruntime", "export")
        self.folder = folder
        path = folder / ONNX_FILE
        if not path.is_file():
            raise DataError(f"{path} is missing", fix="rebuild with `torchworks export llm "
                            "--variants onnx`")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.kv_heads = config.get("num_key_value_heads") or heads
        self.head_dim = config.get("head_dim") or config["hidden_size"] // heads
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # ORT's own pool ignores torch's setting: without this it takes every core.
        self.threads = threads or session_threads()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.session = ort.InferenceSession(str(path), options,
                                            providers=providers_for(runtime, precision, folder))

    def empty_past(self) -> np.ndarray:
        return np.zeros((self.layers, 1, 0, self.kv_heads, self.head_dim), dtype=np.float32)

    def run(self, ids: Sequence[int], past_k: np.ndarray,
            past_v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """logits [T, vocab] and the grown caches."""
        logits, k, v = self.session.run(None, {
            "input_ids": np.asarray([list(ids)], dtype=np.int64),
            "past_k": past_k, "past_v": past_v})
        return logits[0], k, v


class OnnxStepper:
    """The Stepper over an OnnxLM (one sequence)."""

    def __init__(self, model: OnnxLM) -> None:
        self.model = model
        self._k = self._v = model.empty_past()

    def prefill(self, ids: Sequence[int]) -> torch.Tensor:
        logits, self._k, self._v = self.model.run(ids, *self._empty())
        return torch.from_numpy(logits[-1])

    def decode(self, token: int) -> torch.Tensor:
        logits, self._k, self._v = self.model.run([token], self._k, self._v)
        return torch.from_numpy(logits[-1])

    def score(self, ids: Sequence[int]) -> torch.Tensor:
        return torch.from_numpy(self.model.run(ids, *self._empty())[0])

    def clear(self) -> None:
        """Drop this sequence's cache arrays."""
        self._k = self._v = self.model.empty_past()

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        empty = self.model.empty_past()
        return empty, empty


class OnnxGenerationModel:
    """The serving `GenerationModel` over ONNX Runtime: one session call per running sequence
    per step (the graph is batch 1), so it batches requests in time, not in one matmul."""

    def __init__(self, folder: Path, *, runtime: str = "onnxruntime", precision: str = "fp32",
                 max_context: int = 1024) -> None:
        from torchworks.llm.generate import eos_ids

        transformers = hf.transformers()
        self.model = OnnxLM(folder, runtime=runtime, precision=precision)
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        generation = transformers.GenerationConfig.from_pretrained(folder) \
            if (folder / "generation_config.json").is_file() else None
        self.stop_token_ids = frozenset(eos_ids(self.tokenizer, generation))
        self._detokenize = GrowingListDecoder(self.tokenizer)
        self.max_context = max_context

    def encode(self, request: Any) -> list[int]:
        from torchworks.llm.generate import chat_prompt

        prompt = request.prompt
        if getattr(request, "chat", False):
            prompt = chat_prompt(self.tokenizer, prompt, system=getattr(request, "system", None))
        return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], torch.Tensor]:
        states, rows = [], []
        for ids in prompts:
            stepper = OnnxStepper(self.model)
            rows.append(stepper.prefill(ids))
            states.append(stepper)
        return states, torch.stack(rows)

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> torch.Tensor:
        return torch.stack([s.decode(t) for s, t in zip(states, tokens, strict=True)])

    def release(self, state: Any) -> None:
        state.clear()

    def detokenize(self, token_ids: Sequence[int]) -> str:
        return self._detokenize(token_ids)

    def warmup_request(self) -> Any:
        from torchworks.llm.service import LLMRequest

        return LLMRequest(prompt="A method comprising", max_new_tokens=2, stream=False)

    def close(self) -> None:
        self.model.session = None
