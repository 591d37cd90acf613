"""The inputs and the clock of `claims_checker.py --timing`: real claims repeated, a flood of
one-line dependents, and chains full of antecedent lapses (issue 15: the lapse tests once
scanned the whole chain for each lapse, quadratic on such chains), timed on one core.
"""

from __future__ import annotations

import math
import re
import time

LAPSE_KINDS = ("lapses", "lapses-shared")  # a new head noun per claim / one head noun for all


def timing_text(records: list[dict], claims: int) -> str:
    """`claims` real claims: the tune sets repeated, numbers and references shifted (the
    checker caches nothing per claim text, but it keeps per-word and per-phrase results, so a
    repeat costs somewhat less than a new claim: about 230 against 290 us a claim on the seen
    sets' 3,554 claims, checked three times against once in a fresh process). "any of
    the preceding claims" becomes "any of claims <first of its set> to <n-1>": left as it is,
    it would depend on every claim of every earlier copy, which no real claim set does."""
    from torchworks.recipes.patents.claims.parse import parse_claim_list
    from torchworks.recipes.patents.claims.references import _ALL_PRECEDING, REFERENCE

    lines: list[str] = []
    offset = 0
    while records and len(lines) < claims:
        for record in records:
            claim_set = parse_claim_list(record["claims"])
            for claim in claim_set.claims:
                shifted = REFERENCE.sub(lambda m, o=offset: re.sub(
                    r"\d+", lambda d: str(int(d.group(0)) + o), m.group(0)), claim.text)
                if claim.number > 1:
                    shifted = _ALL_PRECEDING.sub(
                        f"any of claims {offset + 1} to {claim.number - 1 + offset}", shifted)
                lines.append(f"{claim.number + offset}. {shifted}")
            offset += len(claim_set.claims)
            if len(lines) >= claims:
                break
    return "\n".join(lines[:claims])


def flood_lines(claims: int) -> list[str]:
    """'<n>. The lamp of claim <n-1>.': one chain as deep as the set is long."""
    return ["1. A lamp comprising a base."] + [f"{n}. The lamp of claim {n - 1}."
                                              for n in range(2, claims + 1)]


def _made_up_word(k: int) -> str:
    """A letters-only word no lexicon knows, different for each `k` ("qbbb", "qbbc", ...)."""
    letters, k = "", k + 26 ** 3
    while k:
        k, rest = divmod(k, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return "q" + letters


def lapse_chain_lines(claims: int, shared_head: bool) -> list[str]:
    """One chain of `claims` claims, each introducing a new term and then referring to it
    with a participle that has no basis: "a qbbc block, wherein the selected qbbc block ...".
    Every claim is a lapse that goes through all the lapse tests (spelled differently, an
    acted modifier, a head shared with an earlier mention) while the chain keeps growing;
    with `shared_head` every term ends in "block", else each has its own head noun."""
    lines = ["1. A device comprising a frame."]
    for k in range(2, claims + 1):
        word = _made_up_word(k)
        head = "block" if shared_head else _made_up_word(k) + "x"
        lines.append(f"{k}. The device of claim {k - 1}, further comprising a {word} {head}, "
                     f"wherein the selected {word} {head} is joined to the frame.")
    return lines


def time_sizes(kind: str, lines: list[str], sizes: list[int], limit_s: float) -> dict:
    """CPU seconds (process time) to check and to render the first N of `lines`, for each N
    of `sizes`; a size that quadratic growth would take past `limit_s` is skipped."""
    from torchworks.recipes.patents.claims.check import check_text
    from torchworks.recipes.patents.claims.render import to_text

    out: dict = {}
    previous: tuple[int, float] | None = None
    growth = 2.0  # assumed quadratic until two sizes show how the time grows
    for size in sizes:
        if previous and previous[1] * (size / previous[0]) ** growth > limit_s:
            break  # quadratic code would take many minutes at this size
        text = "\n".join(lines[:size])
        began = time.process_time()
        try:
            report = check_text(text)
            checked = time.process_time() - began
            to_text(report)
        except RecursionError:  # an old renderer recursed once per level of the tree
            out[f"{kind} {size}"] = {"failed": "RecursionError", "chars": len(text)}
            break
        rendered = time.process_time() - began - checked
        out[f"{kind} {size}"] = {"check_s": checked, "render_s": rendered, "chars": len(text)}
        if previous and size > previous[0] and previous[1] > 0.05:
            growth = min(2.0, max(1.0, math.log((checked + rendered) / previous[1])
                                  / math.log(size / previous[0])))
        previous = (size, checked + rendered)
    return out
