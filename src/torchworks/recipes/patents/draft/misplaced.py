"""Words the builder leaves in the wrong place when it joins the disclosure's phrases, found
(for `garbled.py` and the strict check) and put right (for `garbled.repaired`).

- an adverb before the relative word of its verb: the disclosure's "the joint assembly
  rotatably couples the first member to the second member", read as the element "joint
  assembly rotatably" and its relation "couples ...", gives "a joint assembly rotatably that
  couples ..."; claim language is "a joint assembly that rotatably couples ...";
- a connective left before the transition: "... capable of operating with multiple flush
  volumes, while having a larger bowl" read as a statement gives "..., while comprising:",
  and a subject with a word of its sentence glued on "A recording plate more comprising:";
  the preamble ends before it: "..., comprising:";
- a placing participle without its preposition: the disclosure's "The switch operating portion
  is disposed at least one of the boss and the spoke" gives "a switch operating portion
  disposed at least one of ..."; a claim says where: "disposed on at least one of ...".
Found on the tune part of benchmarks/data/granted_claims/ and in the draft_unseen2 reading.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import adverb

# What is left of a clause before the transition (the preamble's: its first colon).
CONNECTIVES = frozenset({"while", "and", "or", "but", "thereby", "whereby", "also", "then",
                         "thus", "more", "further", "yet", "so", "still"})
_CONNECTIVE_TRANSITION = re.compile(r"^(?P<preamble>[^:]*?),?\s+(?:" + "|".join(sorted(CONNECTIVES))
                                    + r")\s+(?P<transition>comprising|including|having|"
                                    r"consisting of):", re.IGNORECASE)
# "a joint assembly rotatably that couples": the adverb of the clause's verb before its "that"
_ADVERB_RELATIVE = re.compile(r"(?<![\w-])(?P<adverb>[a-z]+ly)\s+(?P<relative>that|which)\s+"
                              r"(?P<verb>[a-z]+)\b")

# "disposed at least one of the boss and the spoke": the participle's "on" left out
_PLACED_WITHOUT_ON = re.compile(r"\b(?P<placed>disposed|located|mounted|positioned|arranged|"
                                r"placed|situated)\s+(?=(?:at least\s+)?(?:one|each|either|"
                                r"both|any)\s+of\b)")


def placed_on(text: str) -> str:
    """"disposed at least one of the boss and a spoke" -> "disposed on at least one of ..."."""
    return _PLACED_WITHOUT_ON.sub(lambda m: f"{m['placed']} on ", text)


def without_connective(text: str) -> str:
    """"..., while comprising:" -> "..., comprising:"; `text` unchanged without one."""
    return _CONNECTIVE_TRANSITION.sub(lambda m: f"{m['preamble']}, {m['transition']}:", text,
                                      count=1)


def _moved(match: re.Match) -> str:
    if not adverb(match["adverb"]):
        return match.group()
    if match["verb"].lower() in ("is", "are"):
        return f"{match['relative']} {match['verb']} {match['adverb']}"
    return f"{match['relative']} {match['adverb']} {match['verb']}"


def after_relative(text: str) -> str:
    """"rotatably that couples" -> "that rotatably couples"; "rotatably that is coupled" ->
    "that is rotatably coupled"."""
    return _ADVERB_RELATIVE.sub(_moved, text)


def adverb_before_relative(text: str) -> str:
    """An adverb before the relative word whose verb it modifies ("rotatably that couples"),
    or ""."""
    return next((m.group() for m in _ADVERB_RELATIVE.finditer(text) if adverb(m["adverb"])),
                "")
