"""A claim is one sentence ending with a period (MPEP 608.01(m)), and says nothing about itself.

- error `claim-period`: the claim does not end with a period (a cut-off or run-on claim); a
  warning when it ends where a formula or table image would follow ("..., which is", "the
  formula:", bare item labels "(a) (b)", a bracketed image label after the final period
  "... SiO3/2. [Formula 6]"), since text readers often drop those;
- warning `claim-sentences`: a period followed by a capitalized word inside the claim, which
  reads as a second sentence (abbreviations such as "No.", "Fig.", "e.g.", "U.S." and decimal
  numbers are not sentence ends);
- error `claim-commentary`: text about the claim rather than claim language ("This claim
  describes ...", "Note: ...", "(see FIG. 2)" is not commentary, it is a reference sign).
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.parse import ClaimSet

_SENTENCE_BREAK = re.compile(r"(?<![A-Z])(?<!\b[A-Za-z]\.[A-Za-z])(?<!\bNo)(?<!\bNos)(?<!\bFig)"
                             r"(?<!\bFigs)(?<!\bal)(?<!\bPat)(?<!\bvs)(?<!\bapprox)(?<!\bRef)"
                             r"(?<!\bSer)(?<!\bpp)(?<!\d)\.\s+(?=[A-Z][a-z])")
_PERIOD_THEN_WORD = re.compile(r"\.\s+(?=[A-Z][a-z])")  # _SENTENCE_BREAK without its lookbehinds
_COMMENTARY = re.compile(
    r"(?:^|[.;:]\s+|\(\s*)(?:this|the\s+(?:above|foregoing|preceding))\s+claim\s+"
    r"(?:describes|covers|recites|claims|defines|is|protects|relates|shows|explains)\b"
    r"|(?:^|[.;]\s+|\(\s*)(?:note|comment|todo|explanation|remark)s?\s*:",
    re.IGNORECASE)


# A claim that ends like this lost what came next, usually a chemical formula or a table that
# was an image ("The ligand of claim 1, which is", "represented by the formula:"), or ends in
# bare list labels whose items were images ("consisting of: (a) (b)"), or ends in the label
# of an image placed after the sentence ("... (C6H5)SiO3/2. [Formula 6]", "[Chemical 2]").
_BEFORE_FORMULA = re.compile(r"(?:\b(?:is|are|formulae?|formulas|structures?|following|by)|:)\s*$"
                             r"|(?:[;:]|\([a-z]{1,4}\))\s*\([a-z]{1,4}\)\s*$"
                             r"|\.\s*\[[A-Za-z][A-Za-z ]{0,30}\d{0,4}\]\s*$",
                             re.IGNORECASE)


def _may_comment(text: str) -> bool:
    """A cheap test before `_COMMENTARY` (which 50,000-claim sets would otherwise pay for):
    the words either of its forms needs. Text that is not ASCII goes to the regex, whose
    case folding knows more than `str.lower`."""
    if not text.isascii():
        return True
    low = text.lower()
    return ("claim" in low and any(w in low for w in ("this", "above", "foregoing", "preceding"))
            ) or (":" in text and any(w in low for w in _NOTE_WORDS))


_NOTE_WORDS = ("note", "comment", "todo", "explanation", "remark")


def sentence_form(claim_set: ClaimSet) -> list[Finding]:
    findings: list[Finding] = []
    for claim in claim_set.claims:
        text = claim.text.rstrip()
        if len(text.split(None, 2)) < 3:
            continue  # an empty claim (under three words) has its own finding
        commentary = _COMMENTARY.search(text) if _may_comment(text) else None
        if commentary:
            words = text[commentary.start():commentary.start() + 60].lstrip(" .;:(")
            findings.append(claim_finding(
                claim, "claim-commentary", "error", words,
                "the claim contains text about the claim, not claim language",
                "move the explanation to the description and keep only the claim's "
                "limitations", text.find(words)))
        elif not text.endswith("."):
            cut = bool(_BEFORE_FORMULA.search(text))
            findings.append(claim_finding(
                claim, "claim-period", "warning" if cut else "error", text[-40:],
                f"claim {claim.number} does not end with a period: each claim is one "
                "sentence ending with a period"
                + ("; it ends where a formula or table usually follows, which text taken "
                   "from a patent's XML or PDF often loses" if cut else ""),
                "end the claim with '.' (and check that nothing was cut off)",
                len(text) - min(len(text), 40)))
        inner = text.find(".", 0, len(text) - 1)
        if inner < 0 or not _PERIOD_THEN_WORD.search(text, inner, len(text) - 1):
            continue  # a cheap test: every sentence break is such a period
        for match in _SENTENCE_BREAK.finditer(text, inner, len(text) - 1):
            words = text[max(0, match.start() - 20):match.end() + 20]
            findings.append(claim_finding(
                claim, "claim-sentences", "warning", words,
                "a period inside the claim starts what reads as a second sentence; a claim "
                "is one sentence", "replace the period with ';' or ',' (or split off a "
                "dependent claim)", match.start()))
            break
    return findings
