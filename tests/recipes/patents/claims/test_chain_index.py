"""The chain's lookup counts (`ChainTerms.lookups`) and recency stacks (`.recent`) hold exactly
what a scan of the chain's latest mentions would find, through adds, repeats with other words,
undos and syncs at any point (they are brought up to date only when asked); and the lapse
tests that read them answer as the scan did."""

from collections import Counter

from torchworks.recipes.patents.claims.basis_exceptions import acted_modifier, spelled_differently
from torchworks.recipes.patents.claims.chain import ChainTerms
from torchworks.recipes.patents.claims.terms import mentions
from torchworks.recipes.patents.claims.wordforms import act_stem, lookup_keys


def _assert_matches_scan(chain: ChainTerms) -> None:
    """The counts equal the ones rebuilt from scratch from the mentions in `chain.latest`."""
    chain.sync()
    scanned: Counter = Counter()
    for _, mention in chain.latest.values():
        scanned.update(lookup_keys(mention.words))
    assert {k: v for k, v in chain.lookups.items() if v} == dict(scanned)


def test_lookup_keys_join_versions_and_skip_ed_words() -> None:
    assert "workpiece" in lookup_keys(("work", "pieces"))  # "pieces" may read as a verb too
    assert lookup_keys(("selected", "block")) == {"selectedblock", "act:" + act_stem("block")}
    assert "act:" + act_stem("selection") in lookup_keys(("selection",))


def test_counts_follow_adds_repeats_and_undo() -> None:
    chain = ChainTerms()
    first = mentions("a work piece and a selection of a block")
    # same stem set, other words: "heating element" then "heated element"
    second = mentions("a heating element, the heated element and the work pieces")
    start = chain.mark()
    for mention in first:
        chain.add(mention)
        _assert_matches_scan(chain)
    assert chain.looked_up("workpiece") and chain.looked_up("act:" + act_stem("selection"))
    middle = chain.mark()
    for mention in second:
        chain.add(mention)
        _assert_matches_scan(chain)
    assert chain.looked_up("heatedelement") and not chain.looked_up("heatingelement")
    chain.undo(middle)
    _assert_matches_scan(chain)
    assert not chain.looked_up("heatingelement") and not chain.looked_up("heatedelement")
    chain.undo(start)
    assert not any(chain.lookups.values()) and chain.latest == {}
    assert not any(chain.recent.values())


def test_lapse_tests_read_the_counts() -> None:
    chain = ChainTerms()
    for mention in mentions("a workpiece, a selection of a block"):
        chain.add(mention)
    variant, selected, unknown = mentions("said work piece, the selected block, the shut door")
    assert spelled_differently(variant, chain)
    assert acted_modifier(selected, chain)
    assert not spelled_differently(unknown, chain) and not acted_modifier(unknown, chain)


def _scanned_sharing(chain: ChainTerms, stems: frozenset[str]):
    entries = [entry for key, entry in chain.latest.items() if key & stems]
    return max(entries, key=lambda entry: entry[0])[1] if entries else None


def test_sharing_is_the_latest_mention_with_a_common_word_through_undo() -> None:
    chain = ChainTerms()
    heads = [frozenset({"post"}), frozenset({"support"}), frozenset({"door", "post"})]
    marks = []
    for text in ("a support post and a door", "a mounting post", "the support post",
                 "a door post and the mounting post"):
        marks.append(chain.mark())
        for mention in mentions(text):
            chain.add(mention)
            for stems in heads:
                assert chain.sharing(stems) is _scanned_sharing(chain, stems)
    assert chain.sharing(frozenset({"post"})).words == ("mounting", "post")
    for mark in reversed(marks):
        chain.undo(mark)
        for stems in heads:
            assert chain.sharing(stems) is _scanned_sharing(chain, stems)
    assert not any(chain.recent.values())


def test_undo_before_and_after_the_last_sync_keeps_the_indexes_true() -> None:
    texts = ["a work piece and a heating element", "the heated element and a selection",
             "a support post, the work pieces", "a door post and the heated element"]
    for sync_after in range(len(texts)):  # the indexes last brought up to date after claim k
        chain = ChainTerms()
        marks = []
        for k, text in enumerate(texts):
            marks.append(chain.mark())
            for mention in mentions(text):
                chain.add(mention)
            if k == sync_after:
                chain.sync()
        for mark in reversed(marks[1:]):  # leave the claims one by one, last first
            chain.undo(mark)
            _assert_matches_scan(chain)
            for stems in (frozenset({"post"}), frozenset({"element"})):
                assert chain.sharing(stems) is _scanned_sharing(chain, stems)
