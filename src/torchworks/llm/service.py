"""The LLM as a served generation model: the serving scheduler's `GenerationModel` contract.

Each running sequence holds one slot of a `DecodeEngine` (a row of the static KV cache), so the
scheduler's iteration-level batching maps one to one onto engine calls: `prefill` allocates
slots and writes prompts, `decode` advances whatever slots are running this step in one batched
forward, `release` frees a slot. A registry version's manifest names its variant
(`extra["variant"]`), so the same spec serves fp32, bf16, int8 or ONNX versions.

    torchworks serve --services llm            # embedded SmolLM2-135M, POST /v1/llm/generate
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from pydantic import Field

from torchworks.errors import ConfigError
from torchworks.llm.detokenize import GrowingListDecoder
from torchworks.llm.generate import chat_prompt, eos_ids
from torchworks.llm.load import EMBEDDED_NAME, LoadedLM
from torchworks.llm.pool import POOL, WeightLease
from torchworks.llm.variants import variant
from torchworks.serving.generation import GenerationRequest, GenerationSpec
from torchworks.serving.registry import MANIFEST, Manifest


class LLMRequest(GenerationRequest):
    chat: bool = Field(False, description="wrap the prompt as a user turn in the model's chat "
                                          "template (instruct models)")
    system: str | None = Field(None, max_length=20_000,
                               description="system message when chat is true")


@dataclass(frozen=True)
class SlotState:
    """The scheduler's opaque per-sequence state: the cache row the sequence lives in."""

    slot: int


class EngineGenerationModel:
    """A `GenerationModel` over one DecodeEngine; called from one scheduler thread only."""

    def __init__(self, lease: WeightLease, variant_name: str, *, slots: int,
                 max_context: int) -> None:
        """`lease`: weights shared through the pool (`llm.pool`); this model gets its own
        engine and KV cache over them, and `close` gives the lease back."""
        self.lease = lease
        self.lm: LoadedLM = lease.lm
        self.engine = lease.engine(slots=slots, max_seq=max_context)
        self.variant = variant_name
        self.max_context = self.engine.max_seq
        self.stop_token_ids = frozenset(
            eos_ids(self.lm.tokenizer, getattr(self.lm.model, "generation_config", None)))
        self._detokenize = GrowingListDecoder(self.lm.tokenizer, capacity=4 * slots + 16)

    def encode(self, request: GenerationRequest) -> list[int]:
        prompt = request.prompt
        if isinstance(request, LLMRequest) and request.chat:
            prompt = chat_prompt(self.lm.tokenizer, prompt, system=request.system)
        ids = self.lm.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if len(ids) >= self.max_context:
            raise ValueError(f"prompt: {len(ids)} tokens, the context holds {self.max_context}")
        return ids

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], torch.Tensor]:
        states: list[Any] = []
        rows = []
        if self.engine.free_slots < len(prompts):  # the server runs more than it was sized for
            needed = self.engine.slots + len(prompts) - self.engine.free_slots
            self.engine.grow(max(needed, 2 * self.engine.slots))
        try:
            for ids in prompts:
                slot = self.engine.allocate()
                states.append(SlotState(slot))
                rows.append(self.engine.prefill(slot, ids))
        except BaseException:
            for state in states:
                self.engine.release(state.slot)
            raise
        return states, torch.stack(rows)

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> torch.Tensor:
        return self.engine.decode([s.slot for s in states], tokens)

    def release(self, state: Any) -> None:
        self.engine.release(state.slot)

    def detokenize(self, token_ids: Sequence[int]) -> str:
        """Called with each running sequence's growing id list every step: incremental."""
        return self._detokenize(token_ids)

    def warmup_request(self) -> GenerationRequest:
        return LLMRequest(prompt="A method comprising", max_new_tokens=2, stream=False)

    def close(self) -> None:
        self.engine.model.setup_cache(0, 1)
        self.lease.release()


def load_version(version_dir: Path | None, *, model_path: Path | None = None,
                 default_variant: str = "eager-fp32", slots: int = 16,
                 max_context: int = 1024) -> EngineGenerationModel:
    """Load a registry version (its manifest names the variant) or, for None, `model_path` /
    the embedded default as `default_variant`."""
    name = default_variant
    folder = model_path
    if version_dir is not None:
        folder = version_dir
        if (version_dir / MANIFEST).is_file():
            name = str(Manifest.read(version_dir).extra.get("variant", "eager-fp32"))
    spec = variant(name)
    if spec.runtime != "torch":
        from torchworks.llm.onnx_runtime import OnnxGenerationModel

        if version_dir is None:
            raise ConfigError(f"variant '{name}' needs a registry version built by "
                              "`torchworks export llm`", fix="serve a registry version")
        return OnnxGenerationModel(version_dir, runtime=spec.runtime,
                                   precision=spec.precision, max_context=max_context)
    # Weights come from the process's pool: services serving the same folder and variant
    # (llm and patents-draft on the embedded SmolLM2) hold one copy between them.
    lease = POOL.acquire(folder, name)
    try:
        return EngineGenerationModel(lease, name, slots=slots, max_context=max_context)
    except BaseException:
        lease.release()
        raise


def llm_spec(*, name: str = EMBEDDED_NAME, route: str = "llm/generate",
             model_path: Path | None = None, variant_name: str = "eager-fp32",
             max_running: int = 16, max_context: int = 1024) -> GenerationSpec:
    """The generation endpoint for one model; registry versions under `name` override."""
    return GenerationSpec(
        name=name,
        route=route,
        load=functools.partial(load_version, model_path=model_path,
                               default_variant=variant_name, slots=max_running,
                               max_context=max_context),
        request_type=LLMRequest,
        max_running=max_running,
        description="text generation with continuous batching and SSE streaming",
    )
