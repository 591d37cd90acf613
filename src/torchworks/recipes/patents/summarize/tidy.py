"""Tidying a description sentence into the words an abstract would use for it.

An abstract states the invention directly ("A razor includes a handle ..."); the summary
section says the same thing wrapped in the drafter's scaffolding: a connective or an aspect
label in front ("Thus,", "More particularly,", "In one embodiment of the present invention,",
"To this end,") and drawing labels ("the housing 12"). None of those words are in the
abstract, so each costs ROUGE precision and a share of the 150-word budget. `tidy` drops them
where the sentence stays grammatical (dropping the invention's references to itself, "the
helmet of the invention", lost 0.2 R-1 on the tune part, and "the present invention" read as
"the invention" lost 0.5: abstracts keep those words too):

- a lead-in is dropped only when it ends in a comma and a clause of at least
  `MIN_REST_WORDS` words starting with a letter follows (it is then capitalised);
- a statement of the invention's object is restated as what it provides ("It is an object of
  the invention to provide a holder that grips." -> "A holder that grips is provided."),
  only when that object starts with an article (+0.2 R-1 on the tune part, +0.7 on its
  applications, whose summaries open with objects more often);
- pointers to the drawings ("As shown in FIG. 1,", ", as shown in FIG. 2." at the end,
  "(see FIG. 2)", "(not shown)") and the hedge in "relates generally to";
- "said" read as "the" (as `consensus.claim_prose` reads claim 1: claim language that some
  descriptions copy, and that abstracts almost never use);
- reference numerals as `numerals.drop_reference_numerals` decides.

`is_problem_statement` recognises the sentences that state the problem the invention solves
("Therefore, a better solution is lacking.", "There is a need for ..."): a summary section
often opens with one, and an abstract never does, so a window of sentences does not start on
one (consensus.paragraph_windows).
"""

from __future__ import annotations

import re
from functools import lru_cache

from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals

MIN_REST_WORDS = 4

_SELF = r"(?:present |instant |subject |above |this )?(?:invention|disclosure|application)"
_LABEL = (r"(?:aspects?|embodiments?|examples?|forms?|implementations?|features?|"
          r"configurations?|variations?|versions?|modes?)")
_LEAD_IN = re.compile(
    r"^(?:"
    # "In one aspect,", "According to a first embodiment of the present invention,"
    r"(?:in|according to|in accordance with) (?:\w+ ){0,4}?" + _LABEL +
    r"(?: (?:of|in) (?:the|this) " + _SELF + r")?"
    # "According to the invention,", "In accordance with the present disclosure,"
    r"|(?:according to|in accordance with) (?:the|this) " + _SELF +
    # "To this end,", "To achieve these and other advantages ..., as embodied and broadly
    # described herein,"
    r"|to (?:this|that|these) ends?"
    r"|to (?:achieve|attain|accomplish|meet|solve) (?:th(?:is|ese|e)|such)[^,]{0,120}?"
    r"(?:, as embodied and broadly described(?: herein)?)?"
    # "As shown in FIG. 1,", "Referring now to FIGS. 2 and 3,"
    r"|(?:as (?:is )?(?:shown|illustrated|depicted|seen) in|(?:referring|turning) (?:now )?to|"
    r"with (?:further )?reference to|in) FIGS?\. ?\d+[A-Za-z]?(?:(?:,| and| to|-| through) ?"
    r"\d+[A-Za-z]?)*"
    # connectives and discourse markers
    r"|therefore|thus|accordingly|consequently|hence|furthermore|moreover|additionally|"
    r"in addition|also|further|more particularly|more specifically|specifically|"
    r"in particular|particularly|briefly|briefly (?:stated|described|summarized)|generally|"
    r"in general|in summary|in short|in brief|stated generally|in other words|namely"
    r")\s*,\s*",
    re.IGNORECASE,
)
# "It is an object of the present invention to provide a holder that ...": the drafter's
# aim, whose object is the invention itself
_OBJECT = re.compile(
    r"^(?:it is (?:\w+ ){0,3}?|(?:an?|another|the|one|yet another|still another|a further) "
    r"(?:\w+ ){0,2}?)(?:objects?|aims?|purposes?|goals?) of (?:the|this) " + _SELF +
    r" (?:is )?to (?:provide|create|offer|develop|make|produce|supply) (?=(?:an?|the) )",
    re.IGNORECASE,
)

PROBLEM = re.compile(
    r"\b(?:(?:is|are|remains?) (?:still )?(?:lacking|needed|desired|desirable)|unfortunately|"
    r"there (?:is|exists|remains|has been) (?:a |an )?(?:\w+ ){0,2}(?:need|demand|desire)|"
    r"need (?:exists|remains)|suffers? from|drawbacks?|disadvantages?|shortcomings?|"
    r"deficienc(?:y|ies)|(?:conventional|known|prior[- ]art|existing) (?:\w+ ){0,3}"
    r"(?:suffers?|fails?|cannot|can not|is unable|are unable))",
    re.IGNORECASE,
)
# a sentence that states the invention is not a problem statement even when it names one
# ("The present invention overcomes the drawbacks of ...")
_SOLVES = re.compile(r"\b(?:present|this|the) (?:invention|disclosure)\b|\bis provided\b|"
                     r"\b(?:overcomes?|solves?|eliminates?|avoids?|alleviates?|addresses?)\b",
                     re.IGNORECASE)


def trim_lead_in(sentence: str) -> str:
    """`sentence` without a leading connective or aspect label, when a clause remains."""
    match = _LEAD_IN.match(sentence)
    if match is None:
        return sentence
    rest = sentence[match.end():]
    if len(rest.split()) < MIN_REST_WORDS or not rest[0].isalpha():
        return sentence
    return rest[0].upper() + rest[1:]


def restate_object(sentence: str) -> str:
    """"It is an object of the invention to provide a holder that grips." -> "A holder that
    grips is provided.": what the invention is, without the drafter's aim around it."""
    match = _OBJECT.match(sentence)
    if match is None:
        return sentence
    rest = sentence[match.end():].rstrip(" .")
    return rest[0].upper() + rest[1:] + " is provided."


# ", as shown in FIG. 2." at the end of a sentence
_FIGURE_TAIL = re.compile(r",? (?:as (?:is )?(?:shown|illustrated|depicted|seen) )?in FIGS?\. ?"
                          r"\d+[A-Za-z]?(?:(?:,| and| to|-| through) ?\d+[A-Za-z]?)*(?=\.$)")


# asides that point at the drawings: "(see FIG. 2)", "(not shown)"
_FIGURE_ASIDE = re.compile(r" \((?:see |shown in |as shown in )?(?:FIGS?\.[^()]{0,30}|not shown)\)")
# "relates generally to": the hedge an abstract leaves out
_HEDGE = re.compile(r"\b(relates?|is directed|are directed|pertains?) (?:generally|more "
                    r"particularly|particularly|specifically|primarily|mainly) (?=to\b)")


@lru_cache(maxsize=16_384)
def tidy(sentence: str) -> str:
    """The sentence as an abstract would state it: lead-in, the drafter's statement of aim
    and reference numerals dropped where that keeps it grammatical. Cached: the candidate
    sentences, the windows and the lead of one patent share most of their sentences."""
    text = _FIGURE_ASIDE.sub("", drop_reference_numerals(sentence))
    text = _HEDGE.sub(r"\1 ", _FIGURE_TAIL.sub("", text))
    text = re.sub(r"\bsaid\b", "the", re.sub(r"\bSaid\b", "The", text))
    return restate_object(trim_lead_in(text))


def is_problem_statement(sentence: str) -> bool:
    """Does the sentence state the problem or the need rather than the invention?"""
    return bool(PROBLEM.search(sentence)) and not _SOLVES.search(sentence)
