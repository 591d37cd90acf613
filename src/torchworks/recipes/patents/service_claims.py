"""`POST /v1/patents/check` and `POST /v1/patents/draft` on the platform server.

- patents-check: a request/response service (batched by the server) around the deterministic
  checker; no model, so the "embedded default" is the checker itself.
- patents-draft: the same drafting pipeline as `torchworks patents draft` (`draft/pipeline.py`):
  claims built from the disclosure's own words, strictly checked and repaired, answered whole
  with the findings and a note on the model behind it. It loads no model: the content comes
  from the disclosure, so one request costs milliseconds, not a streamed minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from torchworks.serving.service import ServiceSpec

MAX_CHARS = 2_000_000
MAX_DISCLOSURE_CHARS = 200_000  # about 30,000 words: a whole description
# Claims one check request may hold. Granted US sets run to a few hundred claims; a request
# with more is a flood (or many sets pasted together) and is refused with 422 before any rule
# runs. The checker itself is linear (50,000 claims in seconds): the cap keeps one request's
# work small next to the service's timeout, not the checker safe.
MAX_CLAIMS = 1_000


class FindingRef(BaseModel):
    """A finding named as the reviewer saw it: its claim, rule and words."""
    claim: int | None = None
    rule: str = Field(max_length=100)
    words: str = Field("", max_length=500)


class CheckRequest(BaseModel):
    claims: str = Field(min_length=1, max_length=MAX_CHARS,
                        description="the claim set as text, one numbered claim after another "
                                    f"(at most {MAX_CLAIMS} claims)")
    description: str | None = Field(None, max_length=MAX_CHARS,
                                    description="the description: unsupported terms reported")
    abstract: str | None = Field(None, max_length=20_000, description="the abstract to check")
    export: Literal["docx"] | None = Field(
        None, description="also answer the claims and findings as a Word document (base64)")
    ignored: list[FindingRef] = Field(
        default_factory=list, max_length=1000,
        description="findings the reviewer set aside: listed apart in the export")
    accepted: list[FindingRef] = Field(
        default_factory=list, max_length=1000,
        description="findings the reviewer accepted (to be fixed): marked so in the export")


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
    docx: str | None = None  # base64 Word document, when the request asked for export="docx"


class CheckPredictor:
    def predict(self, batch: Sequence[CheckRequest]) -> list[CheckResponse | Exception]:
        from torchworks.recipes.patents.claims.check import check
        from torchworks.recipes.patents.claims.parse import count_claims, parse_claims
        from torchworks.recipes.patents.claims.render import to_json, to_text

        answers: list[CheckResponse | Exception] = []
        for request in batch:
            count = count_claims(request.claims, stop_after=MAX_CLAIMS)  # before the parse
            if count > MAX_CLAIMS:
                answers.append(ValueError(
                    f"claims: at least {count} claims in one request; the limit is "
                    f"{MAX_CLAIMS}. Send the claim sets in separate requests of at most "
                    f"{MAX_CLAIMS} claims, or check a larger set locally with "
                    "`torchworks patents check`, which has no limit"))
                continue
            claim_set = parse_claims(request.claims)
            if request.abstract is not None:
                claim_set.abstract = " ".join(request.abstract.split())
            report = check(claim_set, request.description)
            structure = to_json(report)  # the models keep the fields they declare
            answers.append(CheckResponse(
                claims=[ClaimOut.model_validate(c) for c in structure["claims"]],
                findings=[FindingOut.model_validate(f) for f in structure["findings"]],
                errors=report.errors, warnings=report.warnings, report=to_text(report),
                docx=_docx(request, report) if request.export == "docx" else None))
        return answers

    def warmup_request(self) -> CheckRequest:
        return CheckRequest(claims="1. A lamp comprising a base.")

    def close(self) -> None:
        return None


def _docx(request: CheckRequest, report: Any) -> str:
    import base64

    from torchworks.recipes.patents.claims.export_docx import claim_set_docx

    def named(refs: list[FindingRef]) -> list[Any]:
        keys = {(ref.claim, ref.rule, ref.words) for ref in refs}
        return [f for f in report.findings if (f.claim, f.rule, f.words) in keys]

    document = claim_set_docx(request.claims, report, skipped=named(request.ignored),
                              accepted=named(request.accepted))
    return base64.b64encode(document).decode()


def check_service() -> ServiceSpec:
    """One request a batch (here and for drafting): the predictor loops over its batch, so a
    batch shares nothing and only made every answer in it wait until the last was done."""
    return ServiceSpec(name="patents-check", route="patents/check", request_type=CheckRequest,
                       response_type=CheckResponse, load=lambda _version: CheckPredictor(),
                       max_batch_size=1, max_queue_delay_ms=0.0, timeout_s=30.0,
                       description="check a claim set: numbering, dependencies, antecedent "
                                   f"basis, wording; every finding with its fix (at most "
                                   f"{MAX_CLAIMS} claims a request)")


class DraftRequest(BaseModel):
    disclosure: str = Field(min_length=20, max_length=MAX_DISCLOSURE_CHARS,
                            description="the invention disclosure to claim (plain text)")
    title: str = Field("", max_length=500, description="its title, if any: helps find the "
                                                        "invention's subject")
    dependents: int = Field(4, ge=0, le=20, description="dependent claims at most; each adds "
                                                        "one feature of the disclosure")


class DraftResponse(BaseModel):
    claims: str  # the claim set, numbered, one claim a line; ready for /v1/patents/check
    subject: str  # what claim 1 claims
    elements: list[str]  # the disclosure's elements, in order of first mention
    errors: int  # strict draft check: 0 unless claim 1 itself could not be made clean
    warnings: int
    findings: list[FindingOut]
    dropped: list[str]  # drafted claims the repair removed, each with its reason
    note: str  # the drafting model and how to use a stronger one
    seconds: float
    polished: bool = False  # claim 1 is the drafting model's rewrite


class DraftPredictor:
    """The drafting pipeline as the server runs it. Without a model the claims come from the
    disclosure alone (milliseconds, deterministic); with `backend` (an OpenAI-compatible
    server, see `draft_service`) the model also rephrases claim 1 under the strict check."""

    def __init__(self, backend: Any = None) -> None:
        self.backend = backend

    def predict(self, batch: Sequence[DraftRequest]) -> list[DraftResponse | Exception]:
        from torchworks.errors import TorchworksError
        from torchworks.recipes.patents.claims.render import to_json
        from torchworks.recipes.patents.draft.pipeline import (
            DEMO_MODEL_NOTE,
            DraftConfig,
            draft_claims,
        )

        note = DEMO_MODEL_NOTE if self.backend is None else (
            f"Claims are built from the disclosure's own words; claim 1 is rephrased by "
            f"{self.backend.name} when its rewrite passes the strict check.")
        answers: list[DraftResponse | Exception] = []
        for request in batch:
            config = DraftConfig(dependents=request.dependents, polish=self.backend is not None)
            try:
                result = draft_claims(request.disclosure, self.backend, config,
                                      title=request.title)
            except TorchworksError as exc:  # a disclosure with nothing to claim: this one fails
                answers.append(ValueError(f"disclosure: {exc.message}; {exc.fix}"))
                continue
            answers.append(DraftResponse(
                claims=result.text, subject=result.subject, elements=result.key_terms,
                errors=result.report.errors, warnings=result.report.warnings,
                findings=[FindingOut.model_validate(f) for f in to_json(result.report)["findings"]],
                dropped=result.dropped, note=note, seconds=round(result.seconds, 4),
                polished=result.polished))
        return answers

    def warmup_request(self) -> DraftRequest:
        return DraftRequest(disclosure="A lamp has a base and a shade on the base.")

    def close(self) -> None:
        return None


def _drafting_backend() -> Any:
    """An OpenAI-compatible server named by $TORCHWORKS_DRAFT_BASE_URL (with
    $TORCHWORKS_DRAFT_MODEL and $OPENAI_API_KEY), or None for no model."""
    import os

    base_url = os.environ.get("TORCHWORKS_DRAFT_BASE_URL", "").strip()
    if not base_url:
        return None
    from torchworks.recipes.patents.draft.backends import OpenAIBackend

    backend = OpenAIBackend(base_url, os.environ.get("OPENAI_API_KEY", ""),
                            os.environ.get("TORCHWORKS_DRAFT_MODEL", "default"),
                            timeout_s=float(os.environ.get("TORCHWORKS_DRAFT_TIMEOUT_S", "60")))
    backend.name = f"{backend.model} at {backend.base_url}"
    return backend


def draft_service() -> ServiceSpec:
    """A claim set drafted from a disclosure (`draft/pipeline.py`), strictly checked. Set
    $TORCHWORKS_DRAFT_BASE_URL (e.g. a vLLM server's http://host:8000/v1) and
    $TORCHWORKS_DRAFT_MODEL to let a large model rephrase claim 1."""
    return ServiceSpec(name="patents-draft", route="patents/draft", request_type=DraftRequest,
                       response_type=DraftResponse,
                       load=lambda _version: DraftPredictor(_drafting_backend()),
                       max_batch_size=1, max_queue_delay_ms=0.0, timeout_s=30.0,
                       description="draft a claim set (claim 1 and dependents) from an "
                                   "invention disclosure, in the disclosure's own words, "
                                   "strictly checked")
