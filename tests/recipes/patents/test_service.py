"""The `patents-summarize` service: its predictor directly, then through the real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from torchworks.recipes.patents.service_summarize import (
    SummarizePredictor,
    SummarizeRequest,
    SummarizeResponse,
)
from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
from torchworks.recipes.patents.text.readers import Patent
from torchworks.service_catalog import load_service


@pytest.fixture(scope="module")
def predictor(extractive_summarizer) -> SummarizePredictor:
    return SummarizePredictor(extractive_summarizer)


def test_a_batch_is_answered_item_by_item(predictor: SummarizePredictor, patents_dir: Path,
                                          sample_patents: list[Patent]) -> None:
    patent = sample_patents[10]
    xml = (patents_dir / "uspto-xml/xmlApp2004/US20050004437A1.xml").read_text(encoding="utf-8")
    batch = [
        SummarizeRequest(id="record", description=patent.description, claims=patent.claims,
                         title=patent.title, words=80),
        SummarizeRequest(id="xml", text=xml),
        SummarizeRequest(id="blank", text="   "),
        predictor.warmup_request(),
        SummarizeRequest(id="textrank", description=patent.description, words=80,
                         method="textrank"),
    ]
    answers = predictor.predict(batch)
    assert isinstance(answers[0], SummarizeResponse) and answers[0].id == "record"
    assert 0 < answers[0].words <= 80 and answers[0].method == "extractive"
    assert isinstance(answers[1], SummarizeResponse)
    assert "blood sugar" in answers[1].summary
    assert isinstance(answers[2], ValueError) and "empty" in str(answers[2])  # -> a 422
    assert isinstance(answers[3], SummarizeResponse)
    ranked = answers[4]
    assert isinstance(ranked, SummarizeResponse) and ranked.method == "textrank"
    assert 0 < ranked.words <= 80 and ranked.summary != answers[0].summary
    description = " ".join(patent.description.split())
    for answer in (answers[0], answers[1], ranked):  # the summary is exactly its sentences,
        assert answer.sentences and " ".join(answer.sentences) == answer.summary
    for sentence in answers[0].sentences + ranked.sentences:  # each copied from the source
        assert " ".join(sentence.split()) in description


def test_request_needs_exactly_one_body() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        SummarizeRequest(id="x")
    with pytest.raises(ValueError, match="exactly one"):
        SummarizeRequest(text="a", description="b")


@pytest.fixture
def server(serve) -> httpx.Client:
    """The real app with the catalog's patents-summarize spec, on 127.0.0.1."""
    return serve([load_service("patents-summarize")])


def test_served_endpoint_summarizes_and_rejects_bad_input(server: httpx.Client,
                                                          sample_patents: list[Patent]) -> None:
    patent = sample_patents[11]
    ok = server.post("/v1/patents/summarize", json={
        "id": patent.id, "description": patent.description, "claims": patent.claims,
        "words": 60})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["id"] == patent.id and 0 < body["words"] <= 60
    assert body["method"] == "structure"  # the embedded default needs no model
    cleaned = [drop_reference_numerals(s) for s in body["sentences"]]
    assert " ".join(cleaned) == body["summary"]
    description = " ".join(patent.description.split())
    assert all(" ".join(s.split()) in description for s in body["sentences"])
    lexrank = server.post("/v1/patents/summarize", json={
        "id": patent.id, "description": patent.description, "words": 60, "method": "lexrank"})
    assert lexrank.status_code == 200, lexrank.text
    assert lexrank.json()["method"] == "lexrank" and lexrank.json()["sentences"]
    unknown = server.post("/v1/patents/summarize", json={"text": "A lamp.", "method": "magic"})
    assert unknown.status_code == 422
    schema = server.get("/openapi.json").json()["components"]["schemas"]["SummarizeRequest"]
    assert schema["properties"]["method"]["enum"] == ["extractive", "structure", "lead", "claim1",
                                                      "textrank", "lexrank"]
    missing = server.post("/v1/patents/summarize", json={"id": "x"})
    assert missing.status_code == 422
    empty = server.post("/v1/patents/summarize", json={"id": "y", "text": "  "})
    assert empty.status_code == 422 and "empty" in empty.text
