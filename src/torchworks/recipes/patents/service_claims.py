"""`POST /v1/patents/check` and the streaming `POST /v1/patents/draft` on the platform server.

- patents-check: a request/response service (batched by the server) around the deterministic
  checker; no model, so the "embedded default" is the checker itself.
- patents-draft: a generation service on the serving layer's continuous batching. The request
  carries a `disclosure`; `encode` builds the structured claim-1 prompt (subject and key terms
  from the disclosure, the model's chat template) and opens the answer with the preamble
  "1. A <subject> comprising:". The preamble is prefilled with the prompt and then emitted as
  the first generated tokens; after claim 1's body each of the request's `dependents` claims
  gets its preamble "N. The <subject> of claim 1, wherein" forced the same way (see
  `DraftModel`), so the stream and the final text are the whole claim set, ready for
  /v1/patents/check. The full pipeline (repair, check, revision) is `torchworks patents draft`.
"""

from __future__ import annotations

import functools
import re
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
# Claims one check request may hold. Granted US sets run to a few hundred claims; a request
# with more is a flood (or many sets pasted together) and is refused with 422 before any rule
# runs. The checker itself is linear (50,000 claims in seconds): the cap keeps one request's
# work small next to the service's timeout, not the checker safe.
MAX_CLAIMS = 1_000


class CheckRequest(BaseModel):
    claims: str = Field(min_length=1, max_length=MAX_CHARS,
                        description="the claim set as text, one numbered claim after another "
                                    f"(at most {MAX_CLAIMS} claims)")
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
        from torchworks.recipes.patents.claims.check import check
        from torchworks.recipes.patents.claims.parse import parse_claims
        from torchworks.recipes.patents.claims.render import to_json, to_text

        answers: list[CheckResponse | Exception] = []
        for request in batch:
            claim_set = parse_claims(request.claims)
            if len(claim_set.claims) > MAX_CLAIMS:
                answers.append(ValueError(
                    f"claims: {len(claim_set.claims)} claims in one request; the limit is "
                    f"{MAX_CLAIMS}. Send the claim sets in separate requests of at most "
                    f"{MAX_CLAIMS} claims, or check a larger set locally with "
                    "`torchworks patents check`, which has no limit"))
                continue
            if request.abstract is not None:
                claim_set.abstract = " ".join(request.abstract.split())
            report = check(claim_set, request.description)
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
                                   f"basis, wording; every finding with its fix (at most "
                                   f"{MAX_CLAIMS} claims a request)")


CLAIM1_BODY_TOKENS = 96  # claim 1's body ends here if the model has not ended it
DEPENDENT_BODY_TOKENS = 40  # likewise for each dependent claim's body


class DraftRequest(GenerationRequest):
    prompt: str = Field("", max_length=0, description="unused: the prompt is built from "
                                                      "the disclosure")
    disclosure: str = Field(min_length=20, max_length=MAX_CHARS,
                            description="the invention disclosure to claim")
    dependents: int = Field(3, ge=0, le=9, description="dependent claims after claim 1, "
                                                       "each on claim 1")
    max_new_tokens: int = Field(
        768, ge=1, le=2048,
        description="every streamed token counts: preambles, claim bodies, line breaks; a body "
                    f"ends at {CLAIM1_BODY_TOKENS} tokens (claim 1) or {DEPENDENT_BODY_TOKENS} "
                    "(a dependent), so the default fits claim 1 and 9 dependents")


_PLAN = re.compile(r"followed by (\d) dependent claims")


@dataclass
class _DraftState:
    """One sequence: the engine's state, where the claim set stands, and the ids to force.

    `forced` are ids to emit next whatever the model says; the first `cached` of them are
    already in the engine's cache (claim 1's preamble, prefilled with the prompt), the rest are
    fed to the engine as they come back through `decode`. `logits` holds the model's own logits
    for the token after the cached ids until the forced ids are out.
    """

    inner: Any
    subject: str
    dependents: int  # dependent claims still to write
    forced: list[int]
    cached: int
    logits: torch.Tensor | None
    claim: int = 1  # the claim being written
    body: int = 0  # tokens of its body so far


class DraftModel:
    """The LLM's `GenerationModel` with a claim-drafting `encode` that streams a whole claim set.

    The generation contract has no per-request prefix or plan (`prefill` sees only prompt ids,
    `detokenize` only generated ids), so the preambles travel as generated tokens and the plan
    travels in the prompt: `encode` ends the prompt with "1. A <subject> comprising:" and asks
    for "claim 1 followed by N dependent claims"; `prefill` reads both back from the ids (the
    last `1.` and the last such request) and runs the prompt in one pass. One mechanism forces
    every preamble: while a sequence has forced ids, `decode` answers one-hot logits for the
    next one (every sampler picks it). Claim 1's preamble is already in the cache, so the engine
    is skipped for it and the prefill's logits are handed out after it; a dependent's preamble
    (a blank line, then "N. The <subject> of claim 1, wherein") goes through the engine token
    by token. A body ends when the model writes a line break (or EOS, whose probability goes to
    the line break so the scheduler never stops a set half-way) or at its token budget; after
    the last body the model forces EOS, and the scheduler finishes the sequence with "stop".
    """

    def __init__(self, inner: Any) -> None:  # llm.service.EngineGenerationModel
        self.inner = inner
        self.stop_token_ids = inner.stop_token_ids
        self.max_context = inner.max_context
        tokenizer = inner.lm.tokenizer
        self._lead = self._ids("1.")
        newline = self._ids("\n")
        self._newline = newline[0] if len(newline) == 1 else None
        eos = tokenizer.eos_token_id
        self._eos = eos if eos in self.stop_token_ids else min(self.stop_token_ids)

    def _ids(self, text: str) -> list[int]:
        return self.inner.lm.tokenizer(text, add_special_tokens=False)["input_ids"]

    def encode(self, request: GenerationRequest) -> list[int]:
        from torchworks.llm.generate import chat_prompt
        from torchworks.recipes.patents.draft.pipeline import (
            DraftConfig,
            independent_prompt,
            key_terms,
            system_message,
        )

        disclosure = getattr(request, "disclosure", "") or request.prompt
        dependents = getattr(request, "dependents", 0)
        subject, terms = key_terms(disclosure)
        context = " ".join(disclosure.split()[: DraftConfig().max_disclosure_words])
        ask = independent_prompt(context, subject, terms)
        ask["content"] += (f" Claim 1 is followed by {dependents} dependent claims, each "
                           f"'N. The {subject} of claim 1, wherein ...'.")
        tokenizer = self.inner.lm.tokenizer
        ids = [*self._ids(chat_prompt(tokenizer, [system_message(), ask])), *self._lead,
               *self._ids(f" A {subject} comprising:")]
        if len(ids) >= self.max_context:
            raise ValueError(f"disclosure: the prompt is {len(ids)} tokens, the context holds "
                             f"{self.max_context}; send a shorter disclosure")
        return ids

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[Any], torch.Tensor]:
        import torch

        states, logits = self.inner.prefill(prompts)
        drafts = [self._start(state, prompt, row)
                  for state, prompt, row in zip(states, prompts, logits, strict=True)]
        return drafts, torch.stack([self._next(d, None) for d in drafts])

    def decode(self, states: Sequence[Any], tokens: Sequence[int]) -> torch.Tensor:
        import torch

        live = []
        for i, state in enumerate(states):
            if state.forced:  # tokens[i] is the forced id `_next` asked for
                state.forced.pop(0)
                if state.cached:  # and the cache holds it since prefill: no engine step
                    state.cached -= 1
                    continue
            else:  # tokens[i] is the model's own: the body goes on, or ends here
                self._grow(state, tokens[i])
            live.append(i)
        rows: dict[int, torch.Tensor | None] = dict.fromkeys(range(len(states)))
        if live:
            logits = self.inner.decode([states[i].inner for i in live], [tokens[i] for i in live])
            rows.update(zip(live, logits, strict=True))
        return torch.stack([self._next(state, rows[i]) for i, state in enumerate(states)])

    def release(self, state: Any) -> None:
        self.inner.release(state.inner)

    def _start(self, inner: Any, prompt: Sequence[int], logits: torch.Tensor) -> _DraftState:
        """The state after the prompt: claim 1's preamble (the ids from the last `1.`, which
        `encode` put at the end) to emit from the cache, the subject and the plan read back."""
        n = len(self._lead)
        at = next(i for i in range(len(prompt) - n, -1, -1) if list(prompt[i:i + n]) == self._lead)
        preamble = list(prompt[at:])
        subject = self.detokenize(preamble).strip()[len("1. A "):-len(" comprising:")]
        plans = _PLAN.findall(self.detokenize(prompt[:at]))
        return _DraftState(inner, subject, int(plans[-1]) if plans else 0, preamble,
                           len(preamble), logits)

    def _grow(self, state: _DraftState, token: int) -> None:
        """Count one body token; at the body's end queue the next preamble, or EOS."""
        state.body += 1
        budget = CLAIM1_BODY_TOKENS if state.claim == 1 else DEPENDENT_BODY_TOKENS
        if "\n" not in self.detokenize([token]) and state.body < budget:
            return
        if state.dependents:
            state.dependents -= 1
            state.claim += 1
            state.forced = self._ids(f"\n\n{state.claim}. The {state.subject} of claim 1, "
                                     "wherein")
        else:
            state.forced = [self._eos]
        state.body = 0

    def _next(self, state: _DraftState, logits: torch.Tensor | None) -> torch.Tensor:
        """Logits for the next token: one-hot on the next forced id, else the model's own with
        EOS folded into the line break. `logits` is None when the engine did not run this step
        (claim 1's preamble coming out of the cache): then the prefill's logits stand in."""
        import torch

        if logits is None:
            logits = state.logits
            if not state.forced:
                state.logits = None  # handed out once, after the last cached preamble id
        assert logits is not None
        if state.forced:
            row = torch.full_like(logits, float("-inf"))
            row[state.forced[0]] = 0.0
            return row
        stops = list(self.stop_token_ids)
        row = logits.clone()
        if self._newline is not None:
            row[self._newline] = torch.logsumexp(logits[[*stops, self._newline]].float(), dim=0)
        row[stops] = float("-inf")
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
    """A claim set streamed from the embedded SmolLM2 (or `model_path`, or registry versions)."""
    return GenerationSpec(
        name="patents-draft", route="patents/draft",
        load=functools.partial(_load_draft, model_path=model_path, slots=max_running,
                               max_context=max_context),
        request_type=DraftRequest, max_running=max_running,
        description="stream a claim set (claim 1 and its dependents) drafted from an "
                    "invention disclosure")
