"""Section detection: which part of a patent a paragraph belongs to.

US specifications follow 37 CFR 1.77: cross-reference to related applications, technical
field, background, summary, brief description of the drawings, detailed description, claims.
Drafters word the headings freely ("BACKGROUND ART", "DISCLOSURE OF THE INVENTION", "BEST MODE
FOR CARRYING OUT THE INVENTION", "1. Field of the Invention"), so headings are classified by
pattern; a heading that names no known section ("First Embodiment", "Example 1-1") keeps the
current section. XML containers (<summary-of-invention>, <?DETDESC?>, SDODE/DRWDESC) give a
hint used when a block has no recognizable heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torchworks.recipes.patents.text.sentences import strip_paragraph_number

# Section kinds, in the order they usually appear.
RELATED = "related"  # cross-reference, priority, government rights: boilerplate
FIELD = "field"
BACKGROUND = "background"
SUMMARY = "summary"
DRAWINGS = "drawings"
DETAILED = "detailed"
CLAIMS = "claims"
OTHER = "other"
KINDS = (RELATED, FIELD, BACKGROUND, SUMMARY, DRAWINGS, DETAILED, CLAIMS, OTHER)

# first match wins: "detailed description of the drawings" is a drawings heading
_HEADING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (RELATED, r"cross[- ]?references?|related (u\.s\. )?(patent )?applications?|"
                  r"related application data|priority (claim|data)|federally sponsored|"
                  r"government (rights|interest|support)|incorporation by reference|"
                  r"statement regarding|sequence listing"),
        (DRAWINGS, r"description of (the )?(several views of (the )?)?(drawings?|figures?)|"
                   r"^(brief )?(explanation|description) of (the )?(drawings?|figures?)"),
        (FIELD, r"^(the )?(technical )?field( of (the )?(invention|disclosure|art))?$|"
                r"^technical (background|area)"),
        (SUMMARY, r"^(brief )?summary|summary of (the )?(invention|disclosure)|and summary|"
                  r"disclosure of (the )?invention|objects? (and advantages )?of "
                  r"(the )?invention|brief description of (the )?invention|"
                  r"problems? to be solved|means for solving|effects? of (the )?invention|"
                  r"advantages of (the )?invention"),
        (BACKGROUND, r"^background|related art|prior art|description of (the )?related|"
                     r"^state of the art"),
        (DETAILED, r"detailed description|description of (the )?(preferred |exemplary |"
                   r"illustrative |specific )?embodiments?|best mode|mode for carrying|"
                   r"modes? of (carrying out|practicing)|^examples?$|^description$|"
                   r"^description of (the )?invention"),
        (CLAIMS, r"^(what is claimed|claims?$|we claim|i claim|the invention claimed)"),
    )
)

# container names (XML tags or processing-instruction names) -> section hint
CONTAINER_HINTS: dict[str, str] = {
    "cross-reference-to-related-applications": RELATED, "relapp": RELATED,
    "federal-research-statement": RELATED, "gov-interest": RELATED,
    "technical-field": FIELD,
    "background-of-invention": BACKGROUND,
    "summary-of-invention": SUMMARY, "brfsum": SUMMARY,
    "brief-description-of-drawings": DRAWINGS, "description-of-drawings": DRAWINGS,
    "drwdesc": DRAWINGS,
    "detailed-description": DETAILED, "detdesc": DETAILED,
}


@dataclass
class Block:
    """One paragraph or heading as a reader found it, before sections are assigned."""

    text: str
    is_heading: bool = False
    hint: str | None = None  # section kind suggested by the XML container


@dataclass
class Section:
    """A run of paragraphs of one kind. `heading` is the heading that opened it ("" if none)."""

    kind: str
    heading: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def classify_heading(heading: str) -> str | None:
    """The section kind a heading names, or None for a sub-heading ("Example 1-1")."""
    text = re.sub(r"^\s*(?:[0-9]+|[IVX]+|[A-Z])[.)]\s*", "", heading).strip(" :.")
    for kind, pattern in _HEADING_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def assemble_sections(blocks: list[Block]) -> list[Section]:
    """Group blocks into sections; a named heading opens a section, a hint change opens one too."""
    sections: list[Section] = []
    current: Section | None = None
    last_hint: str | None = None
    for block in blocks:
        text = " ".join(block.text.split())
        if not text:
            continue
        kind: str | None = None
        is_heading = block.is_heading or _named_heading(text)
        if is_heading:
            kind = classify_heading(text)
        if kind is None and block.hint is not None and block.hint != last_hint:
            kind = block.hint
        if block.hint is not None:
            last_hint = block.hint
        if kind is not None and (current is None or kind != current.kind or is_heading):
            current = Section(kind, text if is_heading else "", [])
            sections.append(current)
        elif current is None:
            current = Section(block.hint or OTHER, "", [])
            sections.append(current)
        if not is_heading:
            current.paragraphs.append(strip_paragraph_number(text))
    return [s for s in sections if s.paragraphs]


def _named_heading(text: str) -> bool:
    """A paragraph that is really a section heading ("1. Field of the Invention")."""
    return len(text.split()) <= 8 and text[-1] not in ".;," and classify_heading(text) is not None


def looks_like_heading(line: str) -> bool:
    """A plain-text line that is a heading: short, no final stop, title or upper case."""
    words = line.split()
    if not words or len(words) > 12 or line.rstrip()[-1] in ".;:,":
        return classify_heading(line) is not None and len(words) <= 8
    if line.islower():  # a lowercased corpus: only headings that name a section
        return classify_heading(line) is not None
    capitalized = sum(w[0].isupper() or not w[0].isalpha() for w in words)
    return line.isupper() or capitalized >= max(1, len(words) - 2)


# headings written inline in a one-line description (BigPatent text with its newlines lost)
_INLINE_HEADING = re.compile(
    r"(?:^|\s)((?:CROSS[- ]REFERENCES? TO RELATED APPLICATIONS?|TECHNICAL FIELD|FIELD OF THE "
    r"INVENTION|BACKGROUND(?: OF THE INVENTION| ART)?|SUMMARY(?: OF THE INVENTION)?|"
    r"BRIEF DESCRIPTION OF THE DRAWINGS|DETAILED DESCRIPTION(?: OF THE [A-Z ]*?EMBODIMENTS?|"
    r" OF THE INVENTION)?|DESCRIPTION OF THE PREFERRED EMBODIMENTS?))\s(?=[A-Z])"
)


def blocks_from_text(text: str) -> list[Block]:
    """Plain description text -> blocks: each line is a paragraph or a heading."""
    if text.count("\n") < 3 and len(text) > 2000:
        text = _INLINE_HEADING.sub(lambda m: f"\n{m.group(1)}\n", text)
    blocks = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            heading = looks_like_heading(strip_paragraph_number(line))
            blocks.append(Block(strip_paragraph_number(line) if heading else line, heading))
    return blocks


_CLAIMS_START = re.compile(r"^\s*(what is claimed is|claims|we claim|i claim)\b.*$",
                           re.IGNORECASE | re.MULTILINE)
_CLAIM_NUMBER = re.compile(r"(?:^|\n|(?<=[.;]\s))\s*(\d{1,3})\s?\.\s+(?=[A-Z])")


def split_claims(text: str) -> list[str]:
    """A claims section as text ("1. A device ... 2. The device of claim 1 ...") -> claims.

    Claim numbers must count up from 1, which keeps "... of claim 2. The ..." inside a claim.
    """
    cuts: list[tuple[int, int]] = []
    expected = 1
    for match in _CLAIM_NUMBER.finditer(text):
        if int(match.group(1)) == expected:
            cuts.append((match.start(1), match.end()))
            expected += 1
    if not cuts:
        return [" ".join(text.split())] if text.strip() else []
    claims = []
    for i, (_, body_start) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        claims.append(" ".join(text[body_start:end].split()))
    return [c for c in claims if c]


def split_off_claims(text: str) -> tuple[str, list[str]]:
    """Plain text holding a "What is claimed is:" part -> (description, claims)."""
    starts = list(_CLAIMS_START.finditer(text))
    if not starts:
        return text, []
    last = starts[-1]  # "claims" may also be a word in a heading earlier on
    return text[:last.start()], split_claims(text[last.end():])
