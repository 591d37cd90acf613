"""What a claim's chain has introduced so far, kept in linear time over the whole claim set.

The antecedent rules walk the dependency tree (`ClaimSet.walk`): entering a claim pushes its
terms, leaving it pops them, so each claim sees exactly the terms of the claims it depends on
plus its own earlier words. Rebuilding every claim's chain from scratch is quadratic on long
chains (a flood of "N. The lamp of claim N-1" is 50,000 claims deep).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from itertools import compress
from typing import Any

from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.parse import Claim, ClaimSet
from torchworks.recipes.patents.claims.terms import Mention, mentions
from torchworks.recipes.patents.claims.tokens import Tokens, tokenize
from torchworks.recipes.patents.claims.wordforms import ACT_STEM, lookup_keys, participle


def claim_mentions(claim_set: ClaimSet, claim: Claim) -> tuple[Mention, ...]:
    """The claim's noun phrases, computed once per claim set (several rules read them)."""
    return _analysed(claim_set, claim)[0]


def claim_words(claim_set: ClaimSet, claim: Claim) -> tuple[tuple[int, str], ...]:
    """(offset, act stem) of the claim's verbs in -ing/-ed or after "to": acts named by a verb
    ("measuring", "heated", "to excite") give basis to their nominal forms ("the measurement",
    "the heating")."""
    return _analysed(claim_set, claim)[1]


def _analysed(claim_set: ClaimSet, claim: Claim) -> tuple[tuple[Mention, ...],
                                                           tuple[tuple[int, str], ...]]:
    memo = claim_set._memo.get("analysed")
    if memo is None:
        memo = claim_set._memo["analysed"] = {}
    found = memo.get(id(claim))
    if found is None:
        tokens = tokenize(claim.text)
        found = memo[id(claim)] = (tuple(mentions(claim.text, tokens)), _act_words(tokens))
    return found


def _act_words(tokens: Tokens) -> tuple[tuple[int, str], ...]:
    """(offset, act stem) of each participle, and of each word after "to" or "to <adverb>"
    ("to excite", "to selectively excite": a verb naming an act, like an -ing form)."""
    lows, n = tokens.lows, len(tokens.lows)
    picked = set()
    for k in compress(range(n), map(_ACT_MARK.__getitem__, lows)):  # the loop runs in C
        if lows[k] != "to":
            picked.add(k)
        else:
            if k + 1 < n and lows[k + 1][:1].isalpha():
                picked.add(k + 1)
            if k + 2 < n and lows[k + 1].endswith("ly") and lows[k + 2][:1].isalpha():
                picked.add(k + 2)
    starts = tokens.starts
    acts = ACT_STEM
    return tuple((starts[k], acts[lows[k]]) for k in sorted(picked))


def _act_mark(low: str) -> bool:
    """A participle, or "to" (the word after it names an act)."""
    return low == "to" or (low[:1].isalpha() and participle(low))


_ACT_MARK: Memo[str, bool] = Memo(_act_mark)
_LOOKUPS: Memo[tuple[str, ...], frozenset[str]] = Memo(lookup_keys)  # computed when a lapse asks


class ChainTerms:
    """Terms the current chain has introduced, with an undo log (`mark` / `undo`). Each log
    entry is (kind, key, previous value, entry); `latest` numbers a mention by the length of
    the log once it is added, which orders the mentions in the chain by when they came.

    Two indexes answer a lapse without a scan of the chain (so a chain of N claims full of
    lapses stays linear): `lookups` counts the `wordforms.lookup_keys` of the mentions in
    `latest`, and `recent[w]` stacks the entries with word `w`. They are brought up to date
    only when a lapse asks (`sync`, from where they were left): most mentions come and go
    with no lapse asking, and cost them nothing."""

    def __init__(self) -> None:
        self.latest: dict[frozenset[str], tuple[int, Mention]] = {}
        self.by_stem: dict[str, dict[frozenset[str], None]] = {}
        self.words: dict[str, int] = {}
        self.recent: defaultdict[str, list[tuple[int, Mention]]] = defaultdict(list)
        self.lookups: dict[str, int] = {}  # counts drop to 0, not out: fewer steps per undo
        self.notes: dict[object, Any] = {}  # a rule's own per-chain records
        self._log: list[tuple] = []
        self._synced = 0  # log entries before this one are in `recent` and `lookups`

    def mark(self) -> int:
        return len(self._log)

    def undo(self, mark: int) -> None:
        log, latest, by_stem = self._log, self.latest, self.by_stem
        synced = self._synced
        while len(log) > mark:
            kind, key, previous, entry = log.pop()
            if kind == "m":
                if len(log) < synced:  # the indexes hold it: take it out of them
                    self._unindex(key, previous, entry)
                if previous is not None:
                    latest[key] = previous
                    continue
                del latest[key]  # the last mention with these stems leaves the chain
                for word in key:
                    del by_stem[word][key]
            elif kind == "n":
                if previous is None:
                    del self.notes[key]
                else:
                    self.notes[key] = previous
            else:
                words = self.words
                for word in key:
                    count = words[word] - 1
                    if count:
                        words[word] = count
                    else:
                        del words[word]
        self._synced = min(synced, mark)

    def add(self, mention: Mention) -> None:
        """`by_stem[w]` holds the stem sets with word `w` that some mention in the chain has
        (as keys, in the order they came): a stem set joins it when its first mention comes
        and leaves with its last, so repeated mentions ("the lamp") cost no per-word work."""
        stems = mention.stem_set
        latest, log = self.latest, self._log
        previous = latest.get(stems)
        entry = latest[stems] = (len(log) + 1, mention)
        log.append(("m", stems, previous, entry))
        if previous is None:
            by_stem = self.by_stem
            for word in stems:
                holders = by_stem.get(word)
                if holders is None:
                    by_stem[word] = {stems: None}
                else:
                    holders[stems] = None

    def sync(self) -> None:
        """Index the mentions added since the last lapse asked, in the order they came."""
        log, recent, lookups = self._log, self.recent, self.lookups
        for position in range(self._synced, len(log)):
            kind, stems, previous, entry = log[position]
            if kind != "m":
                continue
            for word in stems:
                recent[word].append(entry)
            words = entry[1].words
            if previous is None or previous[1].words is not words:  # one tuple per phrase
                if previous is not None:
                    for key in _LOOKUPS[previous[1].words]:
                        lookups[key] -= 1
                for key in _LOOKUPS[words]:
                    lookups[key] = lookups.get(key, 0) + 1
        self._synced = len(log)

    def _unindex(self, stems: frozenset[str], previous: tuple[int, Mention] | None,
                 entry: tuple[int, Mention]) -> None:
        """Undo what `sync` did for one log entry."""
        recent, lookups = self.recent, self.lookups
        for word in stems:
            recent[word].pop()
        words = entry[1].words
        if previous is None or previous[1].words is not words:
            for key in _LOOKUPS[words]:
                lookups[key] -= 1
            if previous is not None:
                for key in _LOOKUPS[previous[1].words]:
                    lookups[key] = lookups.get(key, 0) + 1

    def looked_up(self, key: str) -> bool:
        """Whether a mention in `latest` has `key` among its `wordforms.lookup_keys`."""
        self.sync()
        return self.lookups.get(key, 0) > 0

    def note(self, key: object, value: object) -> None:
        """Keep `value` under `key` until the walk leaves the current claim."""
        self._log.append(("n", key, self.notes.get(key), None))
        self.notes[key] = value

    def add_words(self, stems: Iterable[str]) -> None:
        added = tuple(stems)
        self._log.append(("w", added, None, None))
        for word in added:
            self.words[word] = self.words.get(word, 0) + 1

    def add_claim(self, claim_set: ClaimSet, claim: Claim) -> None:
        """All of a claim's terms and words (an extra ancestor of a multiple dependent claim)."""
        for mention in claim_mentions(claim_set, claim):
            self.add(mention)
        self.add_words(w for _, w in claim_words(claim_set, claim))

    def covers(self, wanted: AbstractSet[str]) -> bool:
        """Whether one earlier mention holds every stem of `wanted`."""
        by_stem = self.by_stem
        if len(wanted) == 1:
            for word in wanted:
                return bool(by_stem.get(word))
        rarest: dict[frozenset[str], None] | None = None
        for word in wanted:  # the stem held by the fewest stem sets: fewest candidates
            holders = by_stem.get(word)
            if not holders:
                return False  # no mention has this stem, so none has them all
            if rarest is None or len(holders) < len(rarest):
                rarest = holders
        return any(wanted <= candidate for candidate in rarest)  # type: ignore[union-attr]

    def has_stem(self, word: str) -> bool:
        return bool(self.by_stem.get(word))

    def sharing(self, stems: frozenset[str]) -> Mention | None:
        """The most recent mention with a word in common with `stems`: the top of each word's
        `recent` stack (every add pushes, every undo pops, so the top is the word's latest
        mention still in the chain), not a scan of all the mentions with the word."""
        self.sync()
        best: tuple[int, Mention] | None = None
        for word in stems:
            stack = self.recent.get(word)
            if stack and (best is None or stack[-1][0] > best[0]):
                best = stack[-1]
        return best[1] if best else None


def walk_chains(claim_set: ClaimSet, chain: ChainTerms) -> Iterator[Claim]:
    """Yield each claim with `chain` holding its ancestors' terms; the caller adds the claim's
    own terms while it handles it, and they stay for the claim's dependents."""
    marks: dict[int, int] = {}
    for entering, claim in claim_set.walk():
        if not entering:
            chain.undo(marks.pop(id(claim)))
            continue
        marks[id(claim)] = chain.mark()
        for extra in claim_set.extra_ancestors(claim):
            chain.add_claim(claim_set, extra)
        yield claim
