"""ROUGE scoring as the BigPatent papers report it."""

from __future__ import annotations

import pytest

from torchworks.errors import DataError
from torchworks.recipes.patents.summarize.evaluate import evaluate, rouge
from torchworks.recipes.patents.text.readers import patent_from_record


def test_rouge_is_100_for_identical_text_and_stems_words() -> None:
    same = rouge(["A holder for widgets."], ["A holder for widgets."])
    assert same.rouge1 == pytest.approx(100) and same.rougeL == pytest.approx(100)
    stemmed = rouge(["holders holding widgets"], ["holder holds widget"])
    assert stemmed.rouge1 == pytest.approx(100)  # Porter stemming, as in the papers
    assert rouge(["cats"], ["dogs"]).rouge1 == 0


def test_evaluate_refuses_records_without_an_abstract() -> None:
    patent = patent_from_record({"id": "a", "description": "A device. It works."})
    with pytest.raises(DataError, match="no 'abstract'"):
        evaluate("lead", lambda ps: ["x"] * len(ps), [patent])


def test_failed_documents_score_zero_and_are_counted() -> None:
    patents = [patent_from_record({"id": str(i), "description": "A device holds widgets.",
                                   "abstract": "A device holds widgets."}) for i in range(2)]
    result = evaluate("m", lambda ps: ["A device holds widgets.", DataError("bad")], patents)
    assert result.failed == 1 and result.rouge1 == pytest.approx(50)
    assert set(result.to_dict()) >= {"rouge1", "rouge2", "rougeL", "docs", "docs_per_second",
                                     "words_per_summary"}
