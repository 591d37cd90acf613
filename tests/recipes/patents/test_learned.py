"""The learned sentence scorer: its features on a document built here, and the shipped
coefficients (configs/learned_scorer.json) loading and scoring the real sample the same way
every time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from torchworks.errors import ConfigError
from torchworks.recipes.patents.summarize.candidates import document_sentences
from torchworks.recipes.patents.summarize.learned import (
    FEATURE_NAMES,
    SCORER_PATH,
    LearnedScorer,
    feature_matrix,
    learned_selection,
    load_scorer,
)
from torchworks.recipes.patents.text.readers import Patent, patent_from_text

TEXT = ("TECHNICAL FIELD\nThe present invention relates to a holder for widgets.\n"
        "BACKGROUND\nWidgets are hard to hold in a crowded workshop full of tools and parts.\n"
        "SUMMARY\nIn one aspect, a holder is provided that has a base and a spring clip. "
        "It is an object of the invention to make widgets easier to hold in a workshop.\n"
        "DETAILED DESCRIPTION\nAs shown in FIG. 1, the holder 10 has a base 12 and a clip 14 "
        "made of spring steel.")


@pytest.fixture
def holder() -> Patent:
    patent = patent_from_text(TEXT, id="holder")
    patent.title = "Widget holder"
    patent.claims = ["1. (canceled)", "A holder comprising a base and a spring clip."]
    return patent


def test_features_say_where_a_sentence_is_and_what_it_repeats(holder: Patent) -> None:
    found, matrix = feature_matrix(holder)
    assert matrix.shape == (len(found.texts), len(FEATURE_NAMES))
    row = {text: dict(zip(FEATURE_NAMES, r, strict=True)) for text, r in
           zip(found.texts, matrix, strict=True)}
    field = row["The present invention relates to a holder for widgets."]
    aspect = row["A holder is provided that has a base and a spring clip."]  # lead-in tidied
    drawing = row["The holder has a base and a clip made of spring steel."]  # FIG. 1 tidied
    assert field["in_field"] == 1 and field["in_summary"] == 0 and field["first_in_section"] == 1
    assert field["statement"] == 1 and aspect["statement"] == 1 and drawing["statement"] == 0
    assert aspect["in_summary"] == 1 and drawing["in_detailed"] == 1
    # claim 1 is the first live claim; every content word of the aspect sentence but
    # "aspect" and "provid" is in it
    assert aspect["claim_recall"] > drawing["claim_recall"] > 0
    assert aspect["claim_recall"] > 0.6 > field["claim_recall"]
    assert field["title_coverage"] == 1.0  # "widget" and "holder" both
    assert drawing["numeral_density"] > 0 == aspect["numeral_density"]
    assert drawing["negative_cues"] >= 1 and row[
        "It is an object of the invention to make widgets easier to hold in a workshop."][
        "objects"] == 1
    assert 0 <= field["place_in_document"] < drawing["place_in_document"] <= 1


def test_the_shipped_scorer_loads_and_scores_deterministically(
        sample_patents: list[Patent]) -> None:
    scorer = load_scorer()
    data = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURE_NAMES) and data["fit"]["part"] == "tune"
    again = LearnedScorer.from_dict(data)
    for patent in sample_patents[:4]:
        sentences = document_sentences(patent)
        _, matrix = feature_matrix(patent, sentences)
        first, second = scorer.score(matrix), again.score(matrix)
        assert np.isfinite(first).all() and np.array_equal(first, second)
        summary = learned_selection(patent, sentences, 150)
        assert summary == learned_selection(patent, sentences, 150, again)
        assert 20 <= len(summary.split()) <= 150


def test_the_learned_scorer_ranks_a_statement_of_the_invention_over_a_figure(
        holder: Patent) -> None:
    found, matrix = feature_matrix(holder)
    scores = dict(zip(found.texts, load_scorer().score(matrix), strict=True))
    assert (scores["A holder is provided that has a base and a spring clip."]
            > scores["The holder has a base and a clip made of spring steel."])


def test_a_scorer_for_other_features_or_a_broken_file_is_refused(tmp_path: Path) -> None:
    data = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="other features"):
        LearnedScorer.from_dict({**data, "features": data["features"][:-1]})
    with pytest.raises(ConfigError, match="malformed"):
        LearnedScorer.from_dict({**data, "scale": [0.0] * len(FEATURE_NAMES)})
    broken = tmp_path / "scorer.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_scorer(broken)


def test_the_default_can_weigh_the_learned_candidates(sample_patents: list[Patent]) -> None:
    from dataclasses import replace

    from torchworks.recipes.patents.summarize.structure import (
        StructureConfig,
        candidate_summaries,
        summarize_one,
    )

    patent = sample_patents[0]
    base = StructureConfig()
    counts = {mode: len(candidate_summaries(patent, replace(base, learned=mode))[0])
              for mode in ("off", "replace", "add", "windows")}
    assert counts["replace"] == counts["off"] and counts["add"] == counts["off"] + 1
    assert counts["add"] < counts["windows"] <= counts["add"] + 3
    for mode in ("replace", "add", "windows"):
        summary = summarize_one(patent, replace(base, learned=mode))
        assert 40 <= len(summary.split()) <= 150
    with pytest.raises(ConfigError, match="unknown learned mode"):
        summarize_one(patent, replace(base, learned="bogus"))
