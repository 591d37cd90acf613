"""Generate text for one prompt: greedy or sampled, with a KV cache, as a whole or streamed.

    lm = load_causal_lm()                                  # embedded SmolLM2-135M-Instruct
    prompt = chat_prompt(lm.tokenizer, "Draft claim 1 for: a foldable solar panel ...")
    result = generate(lm, prompt, SamplingParams(max_new_tokens=200, stop=("\\n\\n",)))
    for piece in stream(lm, prompt, SamplingParams(temperature=0.7, top_p=0.9, seed=0)):
        print(piece, end="", flush=True)

Every optimized variant plugs in through `stepper=` (see `stepper.py`); the default runs the
Hugging Face model itself with its own KV cache.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from torchworks.errors import ConfigError
from torchworks.llm.load import LoadedLM
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.sequence import SequenceState
from torchworks.llm.stepper import HFStepper, Stepper

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class GenerationResult:
    """What one generate() call produced. Times are wall-clock seconds."""

    text: str
    token_ids: list[int]  # generated ids, EOS excluded
    prompt_tokens: int
    finish_reason: str  # "stop" (EOS or stop string) | "length"
    ttft_s: float  # prompt in -> first token chosen
    elapsed_s: float

    @property
    def tokens_per_s(self) -> float:
        """Decode speed after the first token (the prefill is excluded)."""
        decode_time = self.elapsed_s - self.ttft_s
        return (len(self.token_ids) - 1) / decode_time if decode_time > 0 else 0.0


def chat_prompt(
    tokenizer: Any, messages: str | Sequence[Message], *, system: str | None = None
) -> str:
    """Render a chat as the prompt text the model was tuned on, ending where the reply begins.

    A plain string is one user message. Tokenizers without a chat template get a simple
    "role: content" transcript, which base models continue reasonably.
    """
    chat: list[Message] = [{"role": "user", "content": messages}] if isinstance(messages, str) \
        else list(messages)
    if system is not None:
        chat = [{"role": "system", "content": system}, *chat]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    lines = [f"{m['role']}: {m['content']}" for m in chat]
    return "\n".join([*lines, "assistant:"])


def encode_prompt(tokenizer: Any, prompt: str | Sequence[int]) -> list[int]:
    """Token ids for a prompt; rendered chat text already holds its special tokens."""
    if isinstance(prompt, str):
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    else:
        ids = [int(i) for i in prompt]
    if not ids:
        raise ConfigError("the prompt is empty", fix="pass some text to generate from")
    return ids


def eos_ids(tokenizer: Any, generation_config: Any = None) -> list[int]:
    """Every id that ends generation: the tokenizer's EOS and the generation config's."""
    ids = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    config_eos = getattr(generation_config, "eos_token_id", None)
    if isinstance(config_eos, int):
        ids.add(config_eos)
    elif config_eos:
        ids.update(int(i) for i in config_eos)
    return sorted(ids)


def stream(
    lm: LoadedLM,
    prompt: str | Sequence[int],
    params: SamplingParams | None = None,
    *,
    stepper: Stepper | None = None,
) -> Iterator[str]:
    """Yield text pieces as they are generated; stopping the iteration stops generation."""
    state = start(lm, prompt, params)
    for piece in steps(state, stepper or HFStepper(lm.model)):
        if piece:
            yield piece


def generate(
    lm: LoadedLM,
    prompt: str | Sequence[int],
    params: SamplingParams | None = None,
    *,
    stepper: Stepper | None = None,
) -> GenerationResult:
    """Generate a whole completion and report its timing."""
    state = start(lm, prompt, params)
    began = time.perf_counter()
    ttft = 0.0
    for _ in steps(state, stepper or HFStepper(lm.model)):
        if not ttft:
            ttft = time.perf_counter() - began
    return GenerationResult(
        text=state.text,
        token_ids=list(state.generated),
        prompt_tokens=len(state.prompt_ids),
        finish_reason=state.finish_reason or "length",
        ttft_s=ttft,
        elapsed_s=time.perf_counter() - began,
    )


def steps(state: SequenceState, stepper: Stepper) -> Iterator[str]:
    """Drive `stepper` until `state` finishes, yielding once per chosen token (piece may be "")."""
    logits = stepper.prefill(state.prompt_ids)
    while True:
        token = state.choose(logits)
        yield state.append(token)
        if state.finished:
            return
        logits = stepper.decode(token)


def start(
    lm: LoadedLM, prompt: str | Sequence[int], params: SamplingParams | None
) -> SequenceState:
    """A fresh SequenceState for `prompt` with the model's EOS ids."""
    return SequenceState(lm.tokenizer, encode_prompt(lm.tokenizer, prompt),
                         params or SamplingParams(),
                         eos_ids(lm.tokenizer, getattr(lm.model, "generation_config", None)))
