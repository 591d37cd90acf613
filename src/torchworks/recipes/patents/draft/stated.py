"""Where a disclosure states its invention whole, in claim form, and the sentence's text
without the document's words around it.

Claim 1 is often in the disclosure already, as one sentence: "To that end, the present
invention provides a device ...", "Disclosed are derivatives according to formula (I) ...",
"According to one embodiment, a motor control apparatus may have: ...". Finding that sentence
is its own job (`whole.py` turns what is found into the claim): the preface and the document's
words ("the invention relates to", "is disclosed") are dropped, a sentence naming two
inventions at once is none, a first sentence that opens with a part is one only when it lists
the invention's parts, and the next sentence may list the parts ("The X includes ...").
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import lemma, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.statement import problem_sentence

# The document speaking of itself before it names the invention.
_DOCUMENT = r"(?:the|this) (?:present )?(?:invention|disclosure)"
_LEAD = re.compile(
    r"^(?:(?:(?:an?|one|another|the|various|some) )?(?:\w+ )?(?:aspect|embodiment)s? of "
    + _DOCUMENT + r",? |" + _DOCUMENT + r" )"
    r"(?:generally |particularly |specifically )?(?:relates to|(?:is|are) directed to|concerns|"
    r"pertains to|provides|discloses|includes|(?:is|are)(?= an? ))\s+|"
    r"^(?:the|this) [^,]{1,60}? (?:according to|of) " + _DOCUMENT + r" (?:is|are) (?=an? )|"
    r"^(?:disclosed|provided|described|presented|"
    r"invented)(?: herein| here)? (?:is|are)\s+|^there (?:is|are) (?:provided|disclosed|"
    r"described)(?:,? in accordance with " + _DOCUMENT + r",)?\s+|"
    r"^embodiments? (?:may |can )?(?:include|provide)s?\s+", re.IGNORECASE)
# What a sentence says before the statement: "To that end, ", "In order to solve the above
# problem, ", "According to one embodiment, ", "In general, in one aspect, ".
_PREFACE = re.compile(
    r"^(?:(?:to (?:that|this) end|accordingly|therefore|thus|in general|generally|briefly|"
    r"(?:more )?specifically|"
    r"(?:in order )?to (?:solve|achieve|overcome|attain|address) [^,]{1,80}|"
    r"(?:in|according to) (?:one|an?|another|the|a first|some|certain) (?:\w+ )?(?:aspect|"
    r"embodiment|approach|form)s?(?: of " + _DOCUMENT + r")?),\s*|"
    r"with the foregoing (?:and other )?objects in view,?\s+)+", re.IGNORECASE)
_SAID_OF_IT = re.compile(r",?\s+(?:is|are) (?:disclosed|provided|described|presented|"
                         r"shown|proposed)(?:\s+(?:herein|here))?(?:\s+and\b|(?=,|\s+which\b|"
                         r"\s+that\b|$))", re.IGNORECASE)
# The claim's transition where the sentence lists the parts.
LISTING = re.compile(r"^(?P<tail>[^:;]{0,200}?)\s*,?\s+(?:which\s+|that\s+)?"
                      r"(?:(?:may|can)\s+)?(?P<kw>comprising|comprises|comprise|including|"
                      r"includes|include|having|has|have|"
                      r"consisting of|consists of|containing|contains)\b\s*:?\s*",
                      re.IGNORECASE)
# "in a substrate, the substrate comprising": the list is the substrate's, not the invention's
NOT_A_TAIL = re.compile(r"\b(?:is|are|was|were|which|that|wherein|where)\b|,\s+(?:the|said|"
                         r"each)\s", re.IGNORECASE)


def stated_sentence(disclosure: Disclosure, scan: int = 4) -> tuple[range, str] | None:
    """The first of the first `scan` sentences that names the invention first, without the
    document's words around it ("To that end, the present invention provides a X ..."): its
    indexes (one sentence, or those a ";" split) and the text from the invention's name on;
    None when none does. A first sentence that opens with another phrase ("A drive unit which
    ...") is not the invention, unless it lists the invention's parts ("a motor control
    apparatus for controlling a motor may have: a sensor ...")."""
    return next(iter(stated_sentences(disclosure, scan)), None)


def stated_sentences(disclosure: Disclosure, scan: int | None = None) -> list[tuple[range, str]]:
    """Every sentence among the first `scan` (all when None) that `stated_sentence` would
    take, in order: a summary often states claim 1 after its objects and advantages, or states
    a device and then its method ("In another embodiment, a method for manufacturing ...")."""
    found_all = []
    for at, (held, text) in enumerate(_openings(disclosure, scan or len(disclosure.sentences))):
        found = phrases(text)[0]
        text = _first_invention(text, found.end)
        if two_inventions(text[found.end:]):
            continue  # "a device ... and a method for manufacturing the same": a later one
        if _names_subject(found.words, disclosure) or (at == 0 and (_lists_parts(
                text[found.end:]) or _FORMULA.match(text, found.end))):
            found_all.append((held, text))
    return found_all


_SECOND_KIND = re.compile(r",?\s*(?:and|or|and/or)\s+(?:an?\s+)?(?:(?:associated|related|"
                          r"corresponding)\s+)?(?:methods?|process(?:es)?|systems?|apparatus|"
                          r"devices?)\b(?=\s+(?:for|of|to|are|is|that|which)\b|,)")


def _first_invention(text: str, at: int) -> str:
    """A statement of two inventions as one: "An IQ modulator and method for modulating a
    signal ..." as the modulator "for modulating a signal ...", "Methods and systems for X
    are provided" as the methods: claim 1 claims one of them, the first named."""
    second = _SECOND_KIND.match(text, at)
    return text[:at] + text[second.end():] if second else text


def two_inventions(rest: str) -> bool:
    """"Methods and systems for ...", "a device that ... and a method for manufacturing the
    same": the sentence names two inventions, neither of them in claim form."""
    return bool(re.match(r",?\s*(?:and|or|and/or)\s", rest) or re.search(
        r"\band (?:an? )?(?:method|process|system|apparatus)e?s? (?:for|of)\b", rest))


# "A compound of the formula where R1 is H ...": a first sentence defining what it opens with.
_FORMULA = re.compile(r",?\s+(?:of|having|represented by|according to) (?:the |a )?(?:general )?"
                      r"formula\b", re.IGNORECASE)


def _lists_parts(rest: str) -> bool:
    listing = LISTING.match(rest)
    return bool(listing) and not NOT_A_TAIL.search(listing["tail"]) and ":" in rest[
        :listing.end()]


def part_opening(disclosure: Disclosure) -> tuple[range, str] | None:
    """The first of the first two sentences outside the background, when it opens with a noun
    phrase once the document's words are gone."""
    for held, text in _openings(disclosure, 2):
        return (held, text) if held.start == _first_outside(disclosure, held.start) else None
    return None


def _first_outside(disclosure: Disclosure, upto: int) -> int:
    return next((i for i in range(upto + 1) if i not in disclosure.aside or not problem_sentence(
        _cleaned(disclosure.sentences[i]))), upto)


def _openings(disclosure: Disclosure, scan: int):
    """Each of the first `scan` sentences that opens with a noun phrase once the document's
    words are gone (`_cleaned`), as (its indexes, that text). "A X is disclosed which ..." is
    set aside as background only for its "is disclosed"; a sentence about a problem is
    skipped."""
    index = -1
    for first, sentence in enumerate(disclosure.sentences[:scan]):
        if first <= index:
            continue  # held by the sentence before it ("...; R2 is H;")
        index = first
        while sentence.endswith(";") and index + 1 < len(disclosure.sentences):
            index += 1  # "includes: (a) a portion ...; (b) a base ...": one sentence
            sentence += " " + disclosure.sentences[index]
        text = _cleaned(sentence)
        if first in disclosure.aside and problem_sentence(text):
            continue
        if not re.match(r"(?:a|an|the)\s", text, re.IGNORECASE):
            text = "A " + text[:1].lower() + text[1:]  # "Shoe structure comprising ..."
        found = phrases(text)
        if found and found[0].start == 0:
            yield range(first, index + 1), text


def _cleaned(sentence: str) -> str:
    """The sentence without the document's words: its preface, its lead, "is disclosed", and
    "of the invention" after the invention's name ("the element of the invention comprises")."""
    text = _LEAD.sub("", _PREFACE.sub("", sentence.strip().rstrip(" .;")))
    text = re.sub(r"\b(that|the|an?|of) \1\b", r"\1", text)  # the source's "that that"
    text = re.sub(r"^((?:the|an?) [^,]{1,80}?) (?:of|according to) " + _DOCUMENT + r"\b",
                  r"\1", text, count=1, flags=re.IGNORECASE)
    return _SAID_OF_IT.sub("", text, count=1).strip(" ,")




def _names_subject(words: tuple[str, ...], disclosure: Disclosure) -> bool:
    """The phrase is the invention: its head is the subject's ("derivatives" for
    "isosorbide glyceryl ether derivative") or it is the subject's core ("a method")."""
    subject = disclosure.subject
    core = re.split(r" (?:for|of|to|with|in|on|and) ", subject)[0]  # "X and Y using the X"
    return lemma(words[-1], "NOUN") == lemma(core.split()[-1], "NOUN") or (
        len(words) == 1 and lemma(words[0], "NOUN") in ("method", "process"))  # a product title


def parts_stated_next(disclosure: Disclosure, index: int, head: str,
                       further: bool = False) -> str:
    """The parts the sentence at `index` lists for the invention ("The pen retention bracket
    includes four surfaces ..." after "A pen retention bracket for securing a reel is
    disclosed."; with `further`, "The saw also includes a cutting assembly ...", more parts
    after a listed claim): what follows its verb, or ""."""
    if index >= len(disclosure.sentences) or index in disclosure.aside:
        return ""
    sentence = disclosure.sentences[index].rstrip(" .")
    found = phrases(sentence)
    if not found or found[0].start != 0 or found[0].determiner not in ("the", "said") or lemma(
            found[0].head, "NOUN") != lemma(head, "NOUN"):
        return ""
    verb = re.match(r"\s+" + (r"(?:further|also|additionally)\s+" if further else "") +
                    r"(?:includes?|comprises?|has|have|contains?|consists? of)\s*:?\s+",
                    sentence[found[0].end:])
    parts = sentence[found[0].end + verb.end():] if verb else ""
    return parts if len(parts.split()) >= 3 and re.match(r"(?:an?|one|two|three|four|five|at "
                                                          r"least|\w+ing)\b", parts) else ""
