"""The contract for token generation under iteration-level (continuous) batching.

A request/response `ServiceSpec` (service.py) batches whole requests. Generation cannot: one
request may need 5 tokens and its neighbour 500, so batching whole requests would hold the
short one hostage. Instead the server's scheduler (`serving/continuous.py`, vLLM / Orca style)
batches *steps*: between two decode steps, waiting requests are prefilled and join the running
batch, and sequences that finished (stop token, `max_new_tokens`, stop string, timeout, client
gone) leave it and free their state. The model only has to do two things well: prefill some new
prompts, and advance every running sequence by one token.

What a recipe (or the LLM layer) provides
-----------------------------------------
A `GenerationSpec` (name, route, request type, `load`), and from `load(version_dir | None)` an
object that satisfies `GenerationModel`:

``encode(request) -> list[int]``
    Prompt token ids for one request: apply the chat template / prompt building here. Called in
    the server's event loop thread before the request queues, so keep it cheap (a tokenizer
    call). Raise `ValueError` for a request that cannot be served (e.g. prompt longer than the
    context); the client gets 422 with that message.

``prefill(prompts: list[list[int]]) -> tuple[list[state], Tensor[len(prompts), vocab]]``
    Run new prompts (one or more, possibly of different lengths) and return one opaque state
    per prompt (the sequence's KV cache, cache slot index, position, ... whatever the model
    needs) plus the logits for each prompt's *next* token (the last position only), float.

``decode(states: list[state], tokens: list[int]) -> Tensor[len(states), vocab]``
    One step for the whole running batch: append `tokens[i]` to sequence `states[i]`, advance
    its state in place, and return the logits for the following token of every sequence, in
    the same order. The list differs from step to step (sequences join and leave, the order is
    not stable), so a state must carry everything needed to find its cache; batch the states
    however suits the model (pad + attention mask, a paged/static cache with slot indices).

``release(state) -> None``
    The sequence left the batch (finished, timed out or cancelled): free its cache slot. Called
    exactly once per state, from the scheduler thread.

``detokenize(token_ids: list[int]) -> str``
    Text of the generated ids so far (the scheduler streams the new suffix; it holds back text
    ending in U+FFFD, an incomplete multi-byte character, until the next token completes it).

``stop_token_ids: frozenset[int]``
    Ids that end a sequence (EOS, end-of-turn). The stop id itself is not emitted as text.

``max_context: int``
    Prompt plus generated tokens a sequence may hold; `max_new_tokens` is clipped to it.

``warmup_request() -> GenerationRequest`` and ``close() -> None``
    As for `Predictor`: a small request the server runs before a version takes traffic, and
    freeing memory when the version is unloaded or swapped out after draining.

Threading and ordering guarantees
---------------------------------
`prefill`, `decode` and `release` for one loaded version are always called from one and the
same worker thread, never concurrently, so the model needs no locks and may keep a
preallocated cache and CUDA graphs. Sampling (greedy, temperature, top-k, top-p, repetition
penalty over the prompt and generated ids, per-request seed) is done by the scheduler on the
returned logits, on the logits' device, so every model gets the same, tested sampling and a
seeded request gives the same tokens whether it ran alone or in a crowded batch (as long as
the model's batched logits match its unbatched ones).
The number of running sequences never exceeds `GenerationSpec.max_running`; a request that
waits more than its timeout is dropped before prefill.

Failures, versions, reference
-----------------------------
If `decode` raises, exactly the sequences in that step fail (their clients get an error event or
a 500) and their states are released; the scheduler keeps serving the rest and later requests.
If a batched `prefill` raises, its prompts are prefilled again one at a time, so only the
poisonous prompt fails; a sequence whose sampling raises (or whose seed the generator cannot
hold) fails alone, with a 422, and its batch mates get their tokens. Each loaded version gets
its own scheduler and thread: on a hot swap new requests go to the new version while running
sequences finish on the old one, then the old model is `close`d.
`torchworks.serving.toy.GRUGenerator` is a complete, tested implementation in ~60 lines
(per-sequence recurrent state, one batched GRU step per decode).

The HTTP side
-------------
`POST /v1/{route}` with the request JSON. With `"stream": true` (default) the answer is
`text/event-stream`: one `data: {"text": "...", "token_id": N}` event per token, then a final
`data: {"done": true, "finish_reason": "stop"|"length"|"timeout", "prompt_tokens": P,
"generated_tokens": G, "text": "<all>"}` and `data: [DONE]` (OpenAI's terminator). With
`"stream": false` the answer is that final object as JSON. A client that disconnects mid-stream
cancels its sequence at the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import BaseModel, Field, StringConstraints, field_validator

if TYPE_CHECKING:  # keeps torch out of this module's import
    import torch

# Bounds of the sampling fields (the request schema documents them; see GenerationRequest).
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.01, 5.0
MAX_TOP_K = 1 << 20  # above any vocabulary; 0 keeps all
MIN_TOP_P = 0.001  # a smaller nucleus is the top token alone anyway (as top_k=1)
MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY = 0.1, 10.0
MAX_SEED = (1 << 63) - 1  # torch.Generator.manual_seed takes a 64-bit integer
MAX_STOP_CHARS = 256


class GenerationRequest(BaseModel):
    """Prompt plus sampling parameters. Recipes may subclass it to add their own fields (then
    build the prompt in `encode`); the sampling fields below are read by the scheduler.

    Every sampling field is bounded (finite, documented ranges) so that no single request can
    make the sampler produce an invalid distribution or overflow the generator's seed: values
    outside are a 422 naming the field, before the request reaches a batch."""

    prompt: str = Field(min_length=1, max_length=200_000, description="text to continue")
    max_new_tokens: int = Field(64, ge=1, le=8192, description="tokens to generate at most")
    temperature: float = Field(
        0.0, ge=0.0, le=MAX_TEMPERATURE, allow_inf_nan=False,
        description=f"0 means greedy (then top_k, top_p and seed have no effect); otherwise "
                    f"{MIN_TEMPERATURE} to {MAX_TEMPERATURE}")
    top_k: int = Field(0, ge=0, le=MAX_TOP_K,
                       description="keep the k most likely tokens; 0 keeps all")
    top_p: float = Field(1.0, ge=MIN_TOP_P, le=1.0, allow_inf_nan=False,
                         description=f"nucleus sampling mass, {MIN_TOP_P} to 1 (1 keeps all)")
    repetition_penalty: float = Field(
        1.0, ge=MIN_REPETITION_PENALTY, le=MAX_REPETITION_PENALTY, allow_inf_nan=False,
        description="> 1 discourages tokens already in the prompt or output (CTRL); 1 is off; "
                    f"{MIN_REPETITION_PENALTY} to {MAX_REPETITION_PENALTY}")
    seed: int | None = Field(None, ge=0, le=MAX_SEED,
                             description="seed for sampling, 0 to 2^63-1; same seed, same tokens")
    stop: list[Annotated[str, StringConstraints(max_length=MAX_STOP_CHARS)]] = Field(
        default_factory=list, max_length=8,
        description=f"strings that end generation (not included), {MAX_STOP_CHARS} characters "
                    "each at most")
    stream: bool = Field(True, description="server-sent events per token (text/event-stream), "
                                           "else one JSON GenerationResult")

    @field_validator("temperature")
    @classmethod
    def _greedy_or_warm(cls, value: float) -> float:
        if 0 < value < MIN_TEMPERATURE:  # dividing logits by ~0 overflows them to inf
            raise ValueError(f"must be 0 (greedy) or at least {MIN_TEMPERATURE}")
        return value


class GenerationResult(BaseModel):
    """The final answer (the `stream=false` body, and the last SSE event)."""

    done: bool = True
    text: str
    finish_reason: str  # "stop" | "length" | "timeout"
    prompt_tokens: int
    generated_tokens: int


class GenerationModel(Protocol):
    """One loaded model version driven step by step by the scheduler (see module docstring)."""

    stop_token_ids: frozenset[int]
    max_context: int

    def encode(self, request: GenerationRequest) -> list[int]: ...

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], torch.Tensor]: ...

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> torch.Tensor: ...

    def release(self, state: Any) -> None: ...

    def detokenize(self, token_ids: Sequence[int]) -> str: ...

    def warmup_request(self) -> GenerationRequest: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class GenerationSpec:
    """What the server needs to host one generation endpoint at `POST /v1/{route}`."""

    name: str  # registry model name: models/<name>/<version>/
    route: str  # e.g. "patents/draft"
    load: Callable[[Path | None], GenerationModel]  # version dir, or None for embedded default
    request_type: type[GenerationRequest] = GenerationRequest
    max_running: int = 16  # sequences decoded together at most (vLLM's max_num_seqs)
    max_waiting: int = 256  # queued requests beyond this get 503 at once
    max_prefill_batch: int = 8  # new prompts prefilled together in one call at most
    timeout_s: float = 120.0  # whole request, queue included; the stream ends "timeout"
    description: str = ""
    extra: dict[str, Any] | None = None  # recipe-specific knobs the server passes through
