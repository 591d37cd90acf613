"""Articles by the claim's chain of what it has introduced, so antecedent basis holds by
construction: a clause in the disclosure's words is rewritten so that an element the claim
set already introduced is "the", a new one "a" (and joins the chain), and the subject is
always "the <subject>". Claim 1, its dependents and the whole-statement claims all pass their
clauses through here (`builder.py`, `whole.py`).
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import COUNTS, article, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.naming import INTENSIFIERS, element_name

# "at least two channels" again is "the channels": a bound on a count referred to is no
# "at least the channels".
_BOUND = re.compile(r"\b(?:at least|at most|not less than|not more than|more than|less than)"
                    r"\s+$", re.IGNORECASE)


def rewrite(clause: str, chain: set[str], disclosure: Disclosure, label: str = "") -> str:
    """Articles by the chain: an element already claimed is "the", a new one "a" (and joins
    the chain) in the words and case the disclosure writes it; the subject is always "the
    <subject>"."""
    subject, form = disclosure.subject, disclosure.form
    core = re.split(r" (?:for|of|to|with|in|on) ", subject)[0]  # "apparatus for adding weight"
    out, last = [], 0
    for phrase in phrases(clause):
        name = disclosure.canonical(element_name(phrase))
        if not name and len(phrase.words) > 5 and phrase.determiner in ("the", "said"):
            name = phrase.name  # a long name is still introduced before it is referred to
        if not name:
            continue
        out.append(clause[last:phrase.start])
        if name in (subject, core) or core.endswith(" " + name):
            out.append(f"the {label or core}")
        elif name in chain:
            out[-1] = _BOUND.sub("", out[-1]) if phrase.determiner in COUNTS else out[-1]
            whole = f"{phrase.words[0]} " if phrase.words[0] in INTENSIFIERS else ""
            out.append(f"the {whole}{form(name)}")  # "the entire outer perimeter" stays so
        elif phrase.determiner in ("the", "said") and re.search(
                rf"\b{re.escape(phrase.name)}\b", clause[:phrase.start], re.IGNORECASE):
            out.append(clause[phrase.start:phrase.end])  # named before without an article
            chain.add(name)
        elif phrase.determiner in ("a", "an", "the", "said"):
            written = clause[phrase.start:phrase.end].split(" ", 1)[-1]
            # as the disclosure writes it ("a formula R—(NCO)n"), unless it is a short
            # reference to a longer name ("the difference" for "a density difference")
            whole = written.lower().endswith(form(name).lower())
            out.append(article(written if whole else form(name)))
            chain.add(name)
        else:
            out.append(clause[phrase.start:phrase.end])
            chain.add(name)
        last = phrase.end
    out.append(clause[last:])
    return "".join(out)
