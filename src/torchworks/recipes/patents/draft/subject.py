"""The invention's subject, read from the title or the first sentences: "a bicycle lock", not
"a fingerprint"; "method of milking" for a title naming an activity ("Milking", "Enhancing the
tonal characteristics ..."); "system for X" for a title naming only a kind ("Methods and systems
for X"). The head phrase is what the claims' preamble and every "The X of claim N" name.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import (
    ABSTRACT,
    DEFINITE,
    FUNCTION,
    GENERIC,
    META,
    Phrase,
    article,
    lemma,
    parts_of_speech,
    phrases,
)
from torchworks.recipes.patents.draft.statement import statements

_GENERIC_PURPOSE = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?P<kind>method|system|apparatus|device|process|arrangement)s?"
    r"(?:\s*(?:,|and|/)\s*(?:a\s+|an\s+)?(?:methods?|systems?|apparatus(?:es)?|devices?|"
    r"processes)){0,2}\s+(?P<rest>(?:for|of|to)\s+[^.;:,]+)", re.IGNORECASE)


def subject_of(title: str, sentences: list[str]) -> str:
    """The head phrase of the title, else the first phrase of a sentence that is not about the
    document ("The present invention relates to a X": X). A title that only names a kind
    ("Methods and systems for transactional tunneling") gives "system for transactional
    tunneling" (a method title: "method for ...")."""
    title = _IMPROVEMENTS.sub("", re.sub(r"(?<=\w)/(?=\w)", " ", title))
    gerund = re.match(r"([A-Za-z]+ing) (?:the|a|an) ", title)
    if gerund and parts_of_speech(gerund[1]) == {"VERB"}:  # "Enhancing the tonal ..."
        words = [w for w in title.lower().split()[:8] if w not in DEFINITE]  # "enhancing
        # tonal characteristics": "the" in a preamble has nothing before it to refer back to
        while words[-1] in FUNCTION or (len(words) > 2 and words[-1].endswith("ing")):
            words.pop()
        return "method of " + " ".join(words)
    for text in ([title] if title else []) + sentences[:3]:
        purpose = _GENERIC_PURPOSE.match(text.strip())
        if purpose:
            rest = purpose["rest"].split()[:9]
            while rest and (rest[-1].lower() in FUNCTION | {"such", "using"} or (
                    parts_of_speech(rest[-1]) == {"VERB"} and not rest[-1].endswith("ing"))):
                rest.pop()  # "... in sensor network using transmit": cut at its noun
            return _introducing(f"{purpose['kind'].lower()} {' '.join(rest).lower()}")
        for phrase in phrases(_with_article(text)):
            if text is title and _activity(phrase, sentences):
                return "method of " + " ".join(phrase.words)
            if text is title and _action_noun(phrase, sentences):  # "Software generation"
                return f"system for {' '.join(phrase.words)}"
            gerund = phrase.words[0].endswith("ing") and "NOUN" not in parts_of_speech(
                phrase.words[0])
            if phrase.head not in META and not gerund and not (
                    len(phrase.words) == 1 and phrase.head in GENERIC):
                return " ".join([*phrase.words[-4:-1], lemma(phrase.head, "NOUN")])
    return "device"


def _activity(phrase: Phrase, sentences: list[str]) -> bool:
    """A title naming an activity ("Milking", "Magnetic resonance imaging") claims a method:
    its head is a verb's -ing form that the disclosure never uses for a thing ("the
    housing")."""
    head = phrase.head
    if not head.endswith("ing") or "VERB" not in parts_of_speech(head):
        return False
    return not any(p.head == head for s in sentences for p in phrases(s))


def _action_noun(phrase: Phrase, sentences: list[str]) -> bool:
    """A title naming an activity by its noun ("Software system generation", "Overload
    control of ...") claims what does it, not the activity: its head is a verb's noun
    ("generation": generate; "improvement": improve) that the disclosure never introduces as a
    thing ("a generation", a sentence opening "The regulation ..."). What does it is claimed:
    "system for software system generation" (a title "Monitoring of ..." names a method)."""
    head = phrase.head
    if not any("VERB" in parts_of_speech(head[: -len(s)] + r) for s, r in _NOMINAL
               if head.endswith(s)):
        return False
    return not any(p.head == head and (p.determiner in ("a", "an") or p.start == 0)
                   for s in sentences for p in phrases(s))


# Suffixes that make a verb's noun, and the verb's ending: generation -> generate,
# production -> produce, improvement -> improve, extension -> extend, performance -> perform
_NOMINAL = (("ation", "ate"), ("ation", "e"), ("ation", ""), ("tion", "e"), ("ion", "e"),
            ("ion", ""), ("sion", "d"), ("ments", ""), ("ment", ""), ("ance", ""), ("ence", "e"))
# "Improvements in (or relating to) X": the title names X
_IMPROVEMENTS = re.compile(r"^improvements?\s+(?:in or relating to|relating to|in|to|of)\s+",
                           re.IGNORECASE)


def _introducing(text: str) -> str:
    """"device for holding a napkin across the torso": the preamble introduces what it names,
    so "the torso" becomes "a torso"."""
    for phrase in reversed(phrases(text)):
        if phrase.determiner in DEFINITE:
            text = text[:phrase.start] + article(phrase.name) + text[phrase.end:]
    return text


def is_method(subject: str) -> bool:
    """"method of milking", "process for preparing ...", "hot isostatic pressing method"."""
    words = re.split(r" (?:for|of|to|with|in|on) ", subject)[0].split()
    return words[0] in ("method", "process") or words[-1] in ("method", "process")


def _with_article(title: str) -> str:
    """Titles have no article ("Bicycle lock with ..."): give the first phrase one."""
    first = title.split()[:1]
    if first and first[0].lower() not in ("a", "an", "the"):
        return "A " + title[:1].lower() + title[1:]
    return title


def stated_subject(sentences: list[str], title: str) -> str:
    """The thing the first sentence names, when a statement says it has parts ("An injection
    molding shooting pot configured ...", then "The injection molding shooting pot includes
    ...") or the title names its head ("A printing plate making apparatus which scans ..."),
    names the invention better than the title's head phrase ("Injection molding machine
    spigotted shooting pot piston"); a method statement leaves the subject to the title."""
    if not sentences or not re.match(r"(?:a|an)\s", sentences[0], re.IGNORECASE):
        return ""
    first = phrases(sentences[0])[0]
    stated = [s for s in statements(sentences[:4]) if s.sentence == 0 or s.head == first.head]
    words = list(first.words)
    for cut, word in enumerate(words):  # "a game system including cards": the system
        if cut and word in ("including", "having", "comprising", "containing"):
            words = words[:cut]
            break
    head = lemma(words[-1], "NOUN")
    named = subject_of(title, [])  # "lever type connector" is no "lever"
    titled = head == lemma(named.split()[-1], "NOUN") or (named == "device" and head in {
        lemma(w, "NOUN") for w in title.lower().split()})
    if (not stated and not titled) or (stated and stated[0].method):
        return ""
    if words[-1] in META | ABSTRACT or (len(words) == 1 and words[-1] in GENERIC and not (
            stated and stated[0].sentence == 0)):  # "An apparatus includes ...": stated so
        return ""
    return " ".join([*words[-4:-1], head])
