"""`POST /v1/patents/summarize`: the summarizers behind the platform server, batched.

A request carries one patent as `text` (plain text, or USPTO XML when it starts with "<") or
as BigPatent fields (`description`, optional `claims`, `title`). The server batches requests
(up to `max_batch_size`); the predictor groups a batch by (method, word budget) and summarizes
each group in one call, so MiniLM embeds the sentences of all those patents together. The
cheap methods (structure, lead, claim1, textrank, lexrank) are built on first use, next to
the loaded model.

Every summarizer but the abstractive one copies whole sentences of the description (the
structure method with its reference numerals dropped), so the response also lists them
(`sentences`, in document order, as they stand in the source): the workbench highlights
exactly those instead of guessing sentence boundaries in the summary text.

Model versions: the embedded default (no version folder) is the structure summarizer, which
needs no model (`extractive` requests on it answer with method "structure");
a version folder holding a seq2seq model (config.json with is_encoder_decoder) serves the
abstractive summarizer, any other folder is loaded as the sentence encoder of the extractive
one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from torchworks.recipes.patents.summarize.candidates import document_sentences
from torchworks.recipes.patents.summarize.methods import Summarizer
from torchworks.recipes.patents.text.patent import Patent
from torchworks.serving.service import ServiceSpec

MAX_TEXT_CHARS = 2_000_000  # ~300k words: larger bodies are refused with a 422
Method = Literal["extractive", "structure", "lead", "claim1", "textrank", "lexrank"]


class SummarizeRequest(BaseModel):
    """One patent to summarize: `text`, or `description` (+ `claims`, `title`)."""

    id: str = Field("document", max_length=200, description="echoed back in the response")
    text: str | None = Field(None, max_length=MAX_TEXT_CHARS,
                             description="plain text of the patent, or one USPTO XML document")
    description: str | None = Field(None, max_length=MAX_TEXT_CHARS,
                                    description="the description (BigPatent field)")
    claims: list[str] = Field(default_factory=list, description="claims, in order (optional)")
    title: str = Field("", max_length=2000)
    words: int = Field(150, ge=10, le=1000, description="word budget of the summary")
    method: Method = Field("extractive", description=(
        "'extractive' runs this model version (the structure summarizer by default; a "
        "MiniLM or abstractive version answers with its own model, named in the response's "
        "`method`); 'structure' always runs the structure summarizer; 'lead', 'claim1', "
        "'textrank' and 'lexrank' are the free baselines"))

    @model_validator(mode="after")
    def _one_body(self) -> SummarizeRequest:
        if (self.text is None) == (self.description is None):
            raise ValueError("give exactly one of 'text' or 'description'")
        return self


class SectionOut(BaseModel):
    kind: str  # "field", "background", "summary", "drawings", "detailed", ...
    heading: str
    words: int


class DocumentOut(BaseModel):
    """What the reader made of the input: enough for a person to see it was read right."""

    number: str  # "US06859910B2" from USPTO XML; "" when the input does not carry one
    title: str
    date: str  # publication date, YYYY-MM-DD, "" when unknown
    sections: list[SectionOut]
    claims: int
    words: int


class SummarizeResponse(BaseModel):
    id: str
    summary: str
    words: int
    method: str
    sentences: list[str] = Field(default_factory=list, description=(
        "the description sentences the summary is made of, in document order; empty when "
        "the summary is generated text (abstractive)"))
    document: DocumentOut | None = None


class SummarizePredictor:
    """One loaded summarizer plus the baselines; `predict` answers a server batch item by
    item."""

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer: Summarizer | None = summarizer
        self._baselines: dict[str, Summarizer] = {}

    def _summarizer(self, method: str, words: int) -> Summarizer:
        """The summarizer a request's `method` names, with its word budget."""
        from torchworks.recipes.patents.summarize.methods import build_summarizer

        if self.summarizer is None:
            raise RuntimeError("this model version was closed")
        if method == "extractive":
            return self.summarizer.with_words(words)
        if method not in self._baselines:
            self._baselines[method] = build_summarizer(method, words=words)
        return self._baselines[method].with_words(words)

    def predict(self, batch: Sequence[SummarizeRequest]) -> list[SummarizeResponse | Exception]:
        from torchworks.errors import TorchworksError
        from torchworks.recipes.patents.summarize.methods import summarize_checked

        answers: list[SummarizeResponse | Exception] = [ValueError("not summarized")] * len(batch)
        groups: dict[tuple[str, int], list[tuple[int, Patent]]] = {}
        for i, request in enumerate(batch):
            try:
                key = (request.method, request.words)
                groups.setdefault(key, []).append((i, _patent(request)))
            except (TorchworksError, ValueError) as exc:
                answers[i] = ValueError(str(exc))
        for (method, words), members in groups.items():
            summarizer = self._summarizer(method, words)
            results = summarize_checked(summarizer, [patent for _, patent in members])
            for (i, patent), result in zip(members, results, strict=True):
                if isinstance(result, TorchworksError):
                    answers[i] = ValueError(str(result))  # the client's document: a 422
                elif isinstance(result, Exception):
                    answers[i] = result
                else:
                    answers[i] = SummarizeResponse(
                        id=batch[i].id, summary=result, words=len(result.split()),
                        method=summarizer.name, sentences=chosen_sentences(patent, result),
                        document=document_out(patent))
        return answers

    def warmup_request(self) -> SummarizeRequest:
        return SummarizeRequest(
            id="warmup", title="Sentence splitter",
            text="TECHNICAL FIELD\nThe present invention relates to splitting patent text into "
                 "sentences.\nSUMMARY\nIn one aspect, a method is provided for splitting text "
                 "that mentions FIG. 1 and the housing 12, e.g. a claim. The method keeps "
                 "reference numerals with their nouns.",
            claims=["A method for splitting patent text into sentences."],
        )

    def close(self) -> None:
        self.summarizer = None


def document_out(patent: Patent) -> DocumentOut:
    number = patent.id if re.fullmatch(r"[A-Z]{2}\d{4,}[A-Z]?\d?", patent.id) else ""
    return DocumentOut(
        number=number, title=patent.title, date=patent.date, claims=len(patent.claims),
        words=patent.word_count, sections=[
            SectionOut(kind=s.kind, heading=s.heading, words=len(s.text.split()))
            for s in patent.sections])


def chosen_sentences(patent: Patent, summary: str) -> list[str]:
    """The description sentences `summary` is made of, or [] when it is not made of them.

    Every extractive method joins whole sentences of `document_sentences` with one space, in
    document order (the structure method with reference numerals dropped), except that a
    lone sentence longer than the budget is cut to its first words; so one pass over the
    document in order recovers them, as they stand in the source. Generated (abstractive)
    text matches no such sequence and gets [].
    """
    from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
    from torchworks.recipes.patents.summarize.tidy import tidy

    sentences = [s.text for s in document_sentences(patent)]
    chosen: list[str] = []
    at = 0
    for text in sentences:
        for form in dict.fromkeys((text, drop_reference_numerals(text), tidy(text))):
            end = at + len(form)
            if summary.startswith(form, at) and (end == len(summary) or summary[end] == " "):
                chosen.append(text)
                at = end + 1
                if at >= len(summary):
                    return chosen
                break
    words = summary.split()
    if not chosen and words and any(text.split()[:len(words)] == words
                                    or drop_reference_numerals(text).split()[:len(words)]
                                    == words for text in sentences):
        return [summary]  # the cut lone sentence
    return []


def _patent(request: SummarizeRequest) -> Patent:
    from torchworks.recipes.patents.text.readers import (
        BadDocument,
        patent_from_record,
        patent_from_text,
        patents_from_xml,
    )

    if request.description is not None:
        return patent_from_record({"id": request.id, "description": request.description,
                                   "claims": request.claims, "title": request.title})
    text = request.text or ""
    if text.lstrip().startswith("<"):
        documents = patents_from_xml(text, request.id)
        if not documents or isinstance(documents[0], BadDocument):
            raise ValueError(documents[0].error if documents else "no XML document found")
        return documents[0]
    patent = patent_from_text(text, id=request.id, title=request.title)
    patent.claims = request.claims or patent.claims
    return patent


def load_predictor(version_dir: Path | None, device: str = "auto") -> SummarizePredictor:
    """The predictor for one model version (None = the embedded extractive default)."""
    from torchworks.recipes.patents.summarize.methods import build_summarizer

    if version_dir is None:
        return SummarizePredictor(build_summarizer("structure"))
    config_file = Path(version_dir) / "config.json"
    config = json.loads(config_file.read_text()) if config_file.is_file() else {}
    if config.get("is_encoder_decoder"):
        return SummarizePredictor(build_summarizer("abstractive", model=Path(version_dir),
                                                   device=device))
    from torchworks.env.device import resolve_device
    from torchworks.recipes.patents.summarize.encoder import SentenceEncoder
    from torchworks.recipes.patents.summarize.extractive import (
        ExtractiveConfig,
        ExtractiveSummarizer,
    )

    config_ = ExtractiveConfig()
    encoder = SentenceEncoder.load(Path(version_dir), device=str(resolve_device(device)),
                                   max_seq_length=config_.max_seq_length)
    return SummarizePredictor(ExtractiveSummarizer(config_, encoder))


def summarize_service() -> ServiceSpec:
    """The spec `torchworks serve --services patents-summarize` hosts."""
    return ServiceSpec(
        name="patents-summarize",
        route="patents/summarize",
        request_type=SummarizeRequest,
        response_type=SummarizeResponse,
        load=load_predictor,
        max_batch_size=16,
        max_queue_delay_ms=10.0,
        timeout_s=120.0,
        description="Summarize a patent (plain text, USPTO XML or BigPatent fields) in at "
                    "most `words` words; by its structure (summary, claim 1, title) by "
                    "default.",
    )
