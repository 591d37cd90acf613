"""`POST /v1/patents/check` and the streaming `POST /v1/patents/draft` on the platform server.

- patents-check: a request/response service (batched by the server) around the deterministic
  checker; no model, so the "embedded default" is the checker itself.
- patents-draft: a generation service on the serving layer's continuous batching. The request
  carries a `disclosure`; `encode` builds the structured claim-1 prompt (subject and key terms
  from the disclosure, the model's chat template) and opens the answer with the preamble
  "1. A <subject> comprising:". The preamble is prefilled with the prompt and then emitted as
  the first generated tokens (see `DraftModel`), so the stream and the final text are the whole
  claim, ready for /v1/patents/check. The full pipeline (dependents, repair, check, revision)
  is `torchworks patents draft`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from torchworks.serving.generation import GenerationRequest, GenerationSpec
from torchworks.serving.service import ServiceSpec

if TYPE_CHECKING:  # keeps torch out of this module's import
    import torch

MAX_CHARS = 2_000_000


class CheckRequest(BaseModel):
    claims: str = Field(min_length=1, max_length=MAX_CHARS,
                        description="the claim set as text, one numbered claim after another")
    description: str | None = Field(None, max_length=MAX_CHARS,
                                    description="the description: unsupported terms reported")
    abstract: str | None = Field(None, max_length=20_000, description="the abstract to check")


class FindingOut(BaseModel):
    claim: int | None
    rule: str
    severity: str
    words: str
    message: str
    fix: str
    start: int | None = None


class ClaimOut(BaseModel):
    number: int
    kind: str  # "independent" | "dependent"
    parents: list[int]  # the claims it depends on, as the checker parsed them


class CheckResponse(BaseModel):
    claims: list[ClaimOut]  # the claim tree, in claim-set order
    errors: int
    warnings: int
    findings: list[FindingOut]
    report: str  # the human report: the claim tree with each claim's findings


class CheckPredictor:
    def predict(self, batch: Sequence[CheckRequest]) -> list[CheckResponse | Exception]:
        from torchworks.recipes.patents.claims.check import check_text
        from torchworks.recipes.patents.claims.render import to_json, to_text

        answers: list[CheckResponse | Exception] = []
        for request in batch:
            report = check_text(request.claims, description=request.description,
                                abstract=request.abstract)
            structure = to_json(report)  # the models keep the fields they declare
            answers.append(CheckResponse(
                claims=[ClaimOut.model_validate(c) for c in structure["claims"]],
                findings=[FindingOut.model_validate(f) for f in structure["findings"]],
                errors=report.errors, warnings=report.warnings, report=to_text(report)))
        return answers

    def warmup_request(self) -> CheckRequest:
        return CheckRequest(claims="1. A lamp comprising a base.")

    def close(self) -> None:
        return None


def check_service() -> ServiceSpec:
    return ServiceSpec(name="patents-check", route="patents/check", request_type=CheckRequest,
                       response_type=CheckResponse, load=lambda _version: CheckPredictor(),
                       max_batch_size=16, max_queue_delay_ms=2.0, timeout_s=30.0,
                       description="check a claim set: numbering, dependencies, antecedent "
                                   "basis, wording; every finding with its fix")


class DraftRequest(GenerationRequest):
    prompt: str = Field("", max_length=0, description="unused: the prompt is built from "
                                                      "the disclosure")
    disclosure: str = Field(min_length=20, max_length=MAX_CHARS,
                            description="the invention disclosure to claim")
    max_new_tokens: int = Field(160, ge=1, le=2048,
                                description="tokens for claim 1, its preamble included")


@dataclass
class _DraftState:
    """One sequence: the engine's state, the preamble ids still to emit, and the model's own
    logits after the whole prompt (returned once the preamble is out)."""

    inner: Any
    forced: list[int]
    logits: torch.Tensor | None


class DraftModel:
    """The LLM's `GenerationModel` with a claim-drafting `encode` that also streams the preamble.

    The generation contract has no per-request prefix (`detokenize` sees only generated ids), so
    the preamble travels as generated tokens: `prefill` runs the whole prompt, preamble included,
    in one pass, then answers one-hot logits for each preamble id in turn (every sampler picks
    it) without running the engine for them; after the last one it hands out the logits the
    prefill computed. The preamble is found in the prompt ids as the last `1.` (`encode` always
    ends the prompt with it), so it needs no side channel from `encode` to `prefill`.
    """

    def __init__(self, inner: Any) -> None:  # llm.service.EngineGenerationModel
        self.inner = inner
        self.stop_token_ids = inner.stop_token_ids
        self.max_context = inner.max_context
        self._lead = inner.lm.tokenizer("1.", add_special_tokens=False)["input_ids"]

    def encode(self, request: GenerationRequest) -> list[int]:
        from torchworks.llm.generate import chat_prompt
        from torchworks.recipes.patents.draft.pipeline import (
            DraftConfig,
            independent_prompt,
            key_terms,
            system_message,
        )

        disclosure = getattr(request, "disclosure", "") or request.prompt
        subject, terms = key_terms(disclosure)
        context = " ".join(disclosure.split()[: DraftConfig().max_disclosure_words])
        messages = [system_message(), independent_prompt(context, subject, terms)]
        tokenizer = self.inner.lm.tokenizer
        ids = [*tokenizer(chat_prompt(tokenizer, messages), add_special_tokens=False)["input_ids"],
               *self._lead,
               *tokenizer(f" A {subject} comprising:", add_special_tokens=False)["input_ids"]]
        if len(ids) >= self.max_context:
            raise ValueError(f"disclosure: the prompt is {len(ids)} tokens, the context holds "
                             f"{self.max_context}; send a shorter disclosure")
        return ids

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], torch.Tensor]:
        import torch

        states, logits = self.inner.prefill(prompts)
        drafts = [_DraftState(state, self._preamble(prompt), row)
                  for state, prompt, row in zip(states, prompts, logits, strict=True)]
        return drafts, torch.stack([self._next(d) for d in drafts])

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> torch.Tensor:
        import torch

        rows: dict[int, torch.Tensor] = {}
        live = [i for i, state in enumerate(states) if not state.forced]
        for i, state in enumerate(states):
            if state.forced:  # tokens[i] is that preamble id: the cache holds it since prefill
                state.forced.pop(0)
                rows[i] = self._next(state)
        if live:
            logits = self.inner.decode([states[i].inner for i in live], [tokens[i] for i in live])
            rows.update(zip(live, logits, strict=True))
        return torch.stack([rows[i] for i in range(len(states))])

    def release(self, state: Any) -> None:
        self.inner.release(state.inner)

    def _preamble(self, prompt: Sequence[int]) -> list[int]:
        """The ids from the last `1.` on: the preamble `encode` put at the prompt's end."""
        n = len(self._lead)
        at = next(i for i in range(len(prompt) - n, -1, -1) if list(prompt[i:i + n]) == self._lead)
        return list(prompt[at:])

    def _next(self, state: _DraftState) -> torch.Tensor:
        """Logits for the next token: one-hot on the next preamble id, else the model's own."""
        import torch

        assert state.logits is not None
        if not state.forced:
            logits, state.logits = state.logits, None
            return logits
        row = torch.full_like(state.logits, float("-inf"))
        row[state.forced[0]] = 0.0
        return row

    def detokenize(self, token_ids: Sequence[int]) -> str:
        return self.inner.detokenize(token_ids)

    def warmup_request(self) -> GenerationRequest:
        return DraftRequest(disclosure="A lamp has a base and a shade on the base.",
                            max_new_tokens=2, stream=False)

    def close(self) -> None:
        self.inner.close()


def _load_draft(version_dir: Path | None, *, model_path: Path | None, slots: int,
                max_context: int) -> DraftModel:
    from torchworks.llm.service import load_version

    return DraftModel(load_version(version_dir, model_path=model_path, slots=slots,
                                   max_context=max_context))


def draft_service(*, model_path: Path | None = None, max_running: int = 8,
                  max_context: int = 2048) -> GenerationSpec:
    """Claim 1 streamed from the embedded SmolLM2 (or `model_path`, or registry versions)."""
    return GenerationSpec(
        name="patents-draft", route="patents/draft",
        load=functools.partial(_load_draft, model_path=model_path, slots=max_running,
                               max_context=max_context),
        request_type=DraftRequest, max_running=max_running,
        description="stream claim 1 drafted from an invention disclosure")
