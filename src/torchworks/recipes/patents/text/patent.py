"""The one in-memory form of a patent that every reader returns and every patent tool takes."""

from __future__ import annotations

from dataclasses import dataclass, field

from torchworks.recipes.patents.text.sections import Section


@dataclass
class Patent:
    """A patent or application, whatever layout it was read from.

    `sections` hold the description only (kinds from `sections.KINDS`, in document order);
    `claims` hold each claim's text in order, without its leading number, so claim N is
    `claims[N - 1]`. `abstract` is "" when the source has none (plain text, BigPatent input).
    """

    id: str
    title: str = ""
    abstract: str = ""
    sections: list[Section] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    source: str = ""  # file path (and line or document index) it was read from
    date: str = ""  # publication date, ISO (YYYY-MM-DD), when the source gives one

    @property
    def description(self) -> str:
        """The description as plain text: each heading and paragraph on its own line, so
        `patent_from_text(patent.description)` finds the same sections again."""
        lines: list[str] = []
        for section in self.sections:
            lines.extend([section.heading] if section.heading else [])
            lines.extend(section.paragraphs)
        return "\n".join(lines)

    def section_text(self, *kinds: str) -> str:
        """The paragraphs of every section of the given kinds, one per line."""
        return "\n".join(s.text for s in self.sections if s.kind in kinds)

    @property
    def word_count(self) -> int:
        """Words in the description (the unit of the summarizers' speed figures)."""
        return sum(len(p.split()) for s in self.sections for p in s.paragraphs)


@dataclass
class BadDocument:
    """A document a reader could not turn into a Patent; batch tools report it and go on."""

    id: str
    source: str
    error: str
