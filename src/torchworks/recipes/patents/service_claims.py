"""`POST /v1/patents/check` and the streaming `POST /v1/patents/draft` on the platform server.

- patents-check: a request/response service (batched by the server) around the deterministic
  checker; no model, so the "embedded default" is the checker itself.
- patents-draft: a generation service on the serving layer's continuous batching. The request
  carries a `disclosure`; `encode` builds the structured claim-1 prompt (subject and key terms
  from the disclosure, the model's chat template) and opens the answer with
  "1. A <subject> comprising:", so the streamed tokens are claim 1's body. The full pipeline
  (dependents, repair, check, revision) is `torchworks patents draft`; a client of the stream
  posts the finished text to /v1/patents/check for its findings.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from torchworks.serving.generation import GenerationRequest, GenerationSpec
from torchworks.serving.service import ServiceSpec

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


class CheckResponse(BaseModel):
    claims: int
    errors: int
    warnings: int
    findings: list[FindingOut]
    report: str  # the human report: the claim tree with each claim's findings


class CheckPredictor:
    def predict(self, batch: Sequence[CheckRequest]) -> list[CheckResponse | Exception]:
        from torchworks.recipes.patents.claims.check import check_text
        from torchworks.recipes.patents.claims.render import to_text

        answers: list[CheckResponse | Exception] = []
        for request in batch:
            report = check_text(request.claims, description=request.description,
                                abstract=request.abstract)
            answers.append(CheckResponse(
                claims=len(report.claim_set.claims), errors=report.errors,
                warnings=report.warnings, report=to_text(report),
                findings=[FindingOut(**{k: v for k, v in f.to_dict().items() if k != "index"})
                          for f in report.findings]))
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
    max_new_tokens: int = Field(160, ge=1, le=2048, description="tokens for claim 1's body")


class DraftModel:
    """The LLM's `GenerationModel` with a claim-drafting `encode`; the rest is the engine's."""

    def __init__(self, inner: Any) -> None:  # llm.service.EngineGenerationModel
        self.inner = inner
        self.stop_token_ids = inner.stop_token_ids
        self.max_context = inner.max_context

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
        prompt = chat_prompt(self.inner.lm.tokenizer, messages) + f"1. A {subject} comprising:"
        ids = self.inner.lm.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if len(ids) >= self.max_context:
            raise ValueError(f"disclosure: the prompt is {len(ids)} tokens, the context holds "
                             f"{self.max_context}; send a shorter disclosure")
        return ids

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], Any]:
        return self.inner.prefill(prompts)

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> Any:
        return self.inner.decode(states, tokens)

    def release(self, state: Any) -> None:
        self.inner.release(state)

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
