"""Drafting end to end with a tiny random LM: whatever it writes, the claim set is well-formed."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.draft.backends import LocalBackend
from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims, key_terms
from torchworks.recipes.patents.draft.repair import apply_fixes

DISCLOSURE = (
    "A foldable solar panel assembly for camping is disclosed. The assembly has a rigid frame "
    "with a central hinge so that two photovoltaic panels fold onto each other. A latch on the "
    "frame holds the panels open. A charge controller mounted on the frame regulates the "
    "current from the photovoltaic panels to a battery pack. The battery pack slides into a "
    "pocket of the frame. A kickstand pivots from the frame to hold the assembly upright."
)
STRUCTURE_RULES = ("numbering", "dependency", "multiple-dependency", "no-claims", "claim-empty")


@pytest.fixture(scope="module")
def tiny_backend(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    from torchworks.llm.tiny import build_tiny_lm

    folder = build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", [DISCLOSURE] * 20)
    return LocalBackend.load(str(folder))


def assert_well_formed(text: str, count: int) -> None:
    report = check_text(text)
    assert [c.number for c in report.claim_set.claims] == list(range(1, count + 1))
    assert not report.claim_set.claims[0].dependent
    assert all(c.parents == [1] for c in report.claim_set.claims[1:])
    assert not [f for f in report.findings if f.rule.startswith(STRUCTURE_RULES)]


def test_key_terms_come_from_the_disclosure() -> None:
    subject, terms = key_terms(DISCLOSURE)
    assert subject == "solar panel assembly"
    assert "battery pack" in terms and "charge controller" in terms


def test_draft_with_a_tiny_model_is_a_valid_claim_set(tiny_backend: LocalBackend) -> None:
    events: list[str] = []
    result = draft_claims(DISCLOSURE, tiny_backend,
                          DraftConfig(dependents=3, max_new_tokens=16, abstract=True),
                          emit=lambda event, _text: events.append(event))
    assert_well_formed(result.text, 4)
    assert result.text.startswith("1. A solar panel assembly comprising:")
    assert 0 < len(result.abstract.split()) <= 150
    assert not [f for f in result.findings if f.rule == "abstract-length"]
    assert events.count("claim") == 4 and "token" in events


def test_checker_fixes_are_applied_to_claim_text() -> None:
    text = ("The lamp of claim 1, wherein the bulb is in a shade, the shade is red and the bulb "
            "is white.")  # "the bulb" used as an element: an error the fix rewrites
    report = check_text("1. A lamp comprising a shade.\n2. " + text)
    fixed = apply_fixes(text, report.for_index(1))
    assert fixed == ("The lamp of claim 1, wherein a bulb is in the shade, the shade is red and "
                     "the bulb is white.")
    assert not check_text("1. A lamp comprising a shade.\n2. " + fixed).errors


@pytest.mark.slow
def test_embedded_smollm2_drafts_a_valid_claim_set(tmp_path: Path) -> None:
    backend = LocalBackend.load(None, models_dir=str(tmp_path / "models"))
    result = draft_claims(DISCLOSURE, backend, DraftConfig(dependents=3, max_new_tokens=80,
                                                           abstract=True))
    assert_well_formed(result.text, 4)
    assert len(result.abstract.split()) <= 150
    assert len(result.findings) <= result.findings_before


def test_model_output_in_list_form_becomes_one_claim_body() -> None:
    from torchworks.recipes.patents.draft.repair import dependent_claim, independent_claim

    raw = "**1.** A lamp comprising:\n\n- a base;\n- a shade on the base; and\n- a bulb.\n\n2. The"
    assert independent_claim(raw, "lamp", []) == "A lamp comprising: a base; a shade on the " \
                                                 "base; and a bulb."
    assert dependent_claim("3. The lamp of claim 2, wherein the base is round. More text.",
                           "lamp", 1, "base") == "The lamp of claim 1, wherein the base is round."
    assert dependent_claim("???", "lamp", 1, "base") == \
        "The lamp of claim 1, wherein the lamp further comprises a base."


def test_draft_command_prints_claims_and_findings_as_json(
        tiny_backend: LocalBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from torchworks import cli

    disclosure = tmp_path / "disclosure.txt"
    disclosure.write_text(DISCLOSURE)
    code = cli.main(["patents", "draft", str(disclosure), "--model",
                     str(tiny_backend.lm.path), "--dependents", "1", "--max-new-tokens", "8",
                     "--abstract", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["claims"].startswith("1. A solar panel assembly comprising:")
    assert result["check"]["summary"]["claims"] == 2
    assert len(result["abstract"].split()) <= 150
    assert cli.main(["patents", "draft", str(disclosure), "--backend", "openai"]) == 2
