"""Where a relation's clause ends in its sentence ("a motor that retracts a pin from a notch,
and a spring ..." ends before ", and"): the words a relation carries, no more and no fewer.

Kept apart from `relations.py`, which reads the relations, because where a clause ends is
its own question (the "and" of "between A and B", of "connecting A and B", of a list).
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import Phrase, finite_verb, phrases


def clause_end(sentence: str, start: int, following: list[Phrase]) -> int:
    """Where the clause ends: at punctuation or a conjunction that starts another clause, but
    not at the "and" of "between A and B" or "interconnecting A and B", nor inside a list of
    what the element has ("has a containing room, an entrance hole and an exit hole"), nor
    before a second participle of a participial clause ("extending within the cylinder and
    separated by a distance from its end") while the two fit in what a relation carries."""
    return _end_from(sentence, start, following[0].end)


CARRIED_WORDS = 20  # the words a relation's clause carries at most


def _end_from(sentence: str, start: int, at: int) -> int:
    while match := _STOP.search(sentence, at):
        between = max(sentence.rfind(" between ", start, match.start()),
                      _joining_at(sentence, start, match.start()))
        if match.group().strip() == "and" and between >= 0 and " and " not in sentence[
                between:match.start()]:
            at = match.end()
            continue
        if match.group().strip() in (",", "and") and _listed_next(sentence, match.end()):
            at = match.end()
            continue
        if match.group().strip() == "and" and _participles(sentence, start, match.end()):
            further = _end_from(sentence, start, match.end())
            if len(sentence[start:further].split()) <= CARRIED_WORDS and not _main_verb(
                    sentence[match.end():further]):
                return further
        return match.start()
    return len(sentence)


_STOP = re.compile(r"[,;:.]|\s(?:and|while|whereby|so that|such that|wherein)\s")
_PARTICIPLE = re.compile(r"[a-z]{3,}(?:ing|ed)$")


def _main_verb(text: str) -> bool:
    """A present-tense verb outside the noun phrases of `text`: "... and pressed against the
    housing keeps oil in" goes on with the sentence's own verb, no longer the element's."""
    found = phrases(text)
    return any(finite_verb(word.group().lower()) and not any(
        p.start <= word.start() < p.end for p in found)
        for word in re.finditer(r"[A-Za-z-]+", text))


def _participles(sentence: str, start: int, after_and: int) -> bool:
    """The clause opens with a participle and another follows its "and" ("extending ... and
    separated ..."): both say what the one element is."""
    first = sentence[start:].split()[:1]
    then = sentence[after_and:].split()[:1]
    return bool(first and then and _PARTICIPLE.match(first[0]) and _PARTICIPLE.match(then[0]))


def _listed_next(sentence: str, at: int) -> bool:
    """A list goes on at `at`: a determiner-led noun phrase follows ("and" optional) and ends
    where a list item ends (a comma, "and"/"or", the sentence's end), not where a clause of
    its own goes on ("..., the pin engaging a notch", "... and a spring returns it")."""
    rest = re.sub(r"^\s*(?:and|or)\s+", " ", sentence[at:])
    found = phrases(rest)
    if not found or found[0].start != len(rest) - len(rest.lstrip()) or not found[0].determiner:
        return False
    return bool(re.match(r"\s*(?:[,;.]|$|(?:and|or)\s+(?:a|an|the|one|at least)\s)",
                         rest[found[0].end:]))


# A verb whose one object is two things: "a rail interconnecting the table and the carriage".
_JOINING = re.compile(r"\b(?:inter)?(?:connect|join|link|bridg)(?:s|es|ed|ing|e)?\s+"
                      r"(?=(?:a|an|the|said|each)\s)", re.IGNORECASE)


def _joining_at(sentence: str, start: int, end: int) -> int:
    """Where the last joining verb between `start` and `end` begins, or -1."""
    found = [m.start() for m in _JOINING.finditer(sentence, start, end)]
    return found[-1] if found else -1


def before_purpose(sentence: str, start: int, end: int) -> int:
    """A joining clause too long to carry ends before its purpose ("interconnecting the table
    and the carriage for guiding sliding movement of ... between ...": the relation is what
    the rail joins), at `end` where it states none. Only a joining one: elsewhere the words
    before "for ...ing" need not be the clause's predicate ("a pulse based on the viscosity
    of oil for lubricating the engine may act on ...")."""
    found = _PURPOSE.search(sentence, start, end)
    return found.start() if found and _joining_at(sentence, start, found.start()) >= 0 else end


_PURPOSE = re.compile(r"\s(?:for|so as to|in order to)\s+\w+ing\b")
