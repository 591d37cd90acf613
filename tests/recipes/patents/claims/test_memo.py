"""The word tables the checker reads in C: computed once per key, bounded in size."""

from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.terms import _KIND, _kind, mentions
from torchworks.recipes.patents.claims.wordforms import INSIDE, inside_word


def test_memo_computes_each_key_once_and_maps_in_c() -> None:
    calls: list[str] = []

    def length(word: str) -> int:
        calls.append(word)
        return len(word)

    table = Memo(length)
    assert list(map(table.__getitem__, ["lamp", "base", "lamp"])) == [4, 4, 4]
    assert calls == ["lamp", "base"]


def test_memo_empties_itself_when_full() -> None:
    table = Memo(str.upper, limit=2)
    for word in ("a", "b", "c"):
        assert table[word] == word.upper()
    assert len(table) <= 2 and table["c"] == "C"


def test_token_tables_agree_with_their_functions() -> None:
    words = ["the", "housing", "first", "assembly", "supply", "fly", "at", "20", ",", "said"]
    mentions("A lamp comprising a base, the first housing assembly and a supply at 20.")
    assert [_KIND[w] for w in words] == [_kind(w) for w in words]
    assert [INSIDE[w] for w in words] == [inside_word(w) for w in words]
