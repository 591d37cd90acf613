"""What the claim checker's design costs in CPython before any rule runs (issue 15's speed goal:
50,000 real claims checked in under 2 s on one core).

    PYTHONPATH=src .venv/bin/python benchmarks/claims_floor.py [--claims 50000] [--repeat 3]

On the same real claims as `claims_checker.py --timing` (the tune sets repeated, references
shifted) it times, in one process and best of `--repeat`, the whole check and render beside
the steps every claim pays for: splitting the text into claims, the regex pass that cuts
tokens, the tokens with their offsets, a table lookup per token, a Python step per token, the
noun-phrase reader, one `Mention` object per phrase and the chain's add/undo walk. The last
rows are the skeleton of a class-string reader (a letter per token, one regex over the letters
finds each phrase or token that needs a closer look), timed without the per-phrase work that
both readers share: it costs about what the Python step per token costs, which is why
`terms.mentions` keeps its token loop. Each row is CPU seconds (process time); the lines after
the table add up the steps a design with a Python object per phrase cannot avoid, and
the steps every claim pays for in this one.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from _claims_timing import timing_text

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "granted_claims"
GOAL_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.claims < 1 or args.repeat < 1:
        parser.error("--claims and --repeat must be positive, e.g. --claims 50000 --repeat 3")

    from claims_checker import _records

    from torchworks.recipes.patents.claims import terms, tokens
    from torchworks.recipes.patents.claims.chain import ChainTerms, claim_mentions, walk_chains
    from torchworks.recipes.patents.claims.check import check_text
    from torchworks.recipes.patents.claims.memo import Memo
    from torchworks.recipes.patents.claims.parse import parse_claims
    from torchworks.recipes.patents.claims.render import to_text
    from torchworks.recipes.patents.claims.wordforms import inside_word

    text = timing_text(_records(DATA / "tune.jsonl.gz"), args.claims)
    claim_set = parse_claims(text)
    texts = [claim.text for claim in claim_set.claims]
    cut = [tokens.tokenize(t) for t in texts]
    found = [m for t, k in zip(texts, cut, strict=True) for m in terms.mentions(t, k)]
    fields = [(m.words, m.determiner, m.start, m.end, m.followed_by, m.proper) for m in found]
    for claim in claim_set.claims:
        claim_mentions(claim_set, claim)
    letters: Memo[str, str] = Memo(lambda low: "T" if inside_word(low) else "B")
    events = re.compile("T+")
    rows: list[tuple[str, Callable[[], object]]] = [
        ("check + render, whole", lambda: to_text(check_text(text))),
        ("parse_claims (split, references, transitions)", lambda: parse_claims(text)),
        ("regex pass cutting the tokens (findall)",
         lambda: [tokens._SPACED_WORD.findall(t.lower()) for t in texts]),
        ("tokens with offsets (tokenize)", lambda: [tokens.tokenize(t) for t in texts]),
        ("a table lookup per token (map over a Memo)",
         lambda: [list(map(terms._KIND.__getitem__, k.lows)) for k in cut]),
        ("a Python step per token (bare loop)", lambda: _bare_loop(cut)),
        ("noun-phrase reader (terms.mentions)",
         lambda: [terms.mentions(t, k) for t, k in zip(texts, cut, strict=True)]),
        ("one Mention object per phrase, alone",
         lambda: [terms.Mention(*f) for f in fields]),
        ("chain add/undo walk, every phrase", lambda: _chain_walk(claim_set, ChainTerms,
                                                                  walk_chains, claim_mentions)),
        ("class string: a letter per token (join of a map)",
         lambda: ["".join(map(letters.__getitem__, k.lows)) for k in cut]),
        ("class string: letters + a regex search per phrase",
         lambda: _scan(cut, letters, events)),
    ]
    gc.disable()  # as check_text runs: the collector is paused while a set is checked
    print(f"{len(texts)} real claims, {sum(map(len, cut))} tokens, {len(found)} phrases | "
          f"load {os.getloadavg()[0]:.2f} | CPU s, best of {args.repeat}")
    best: dict[str, float] = {}
    for name, run in rows:
        best[name] = min(_cpu(run) for _ in range(args.repeat))
        print(f"  {name:<50} {best[name]:6.2f}")
    name = [row[0] for row in rows]
    floor = best[name[2]] + best[name[7]]
    print(f"  floor of any CPython design that cuts tokens with re and makes an object per "
          f"phrase: {floor:.2f} s ({100 * floor / GOAL_S:.0f}% of the {GOAL_S:.0f} s goal)")
    steps = sum(best[name[k]] for k in (1, 3, 7, 8))
    print(f"  parse + tokens + Mention objects + chain walk as they stand: {steps:.2f} s, before "
          f"any rule (whole check: {best[name[0]]:.2f} s)")
    return 0


def _cpu(run: Callable[[], object]) -> float:
    began = time.process_time()
    run()
    return time.process_time() - began


def _bare_loop(cut: list) -> None:
    for tokens in cut:
        lows = tokens.lows
        for i in range(len(lows)):
            low = lows[i]  # noqa: F841 - the step itself is what is timed


def _chain_walk(claim_set, chain_type, walk_chains, claim_mentions) -> None:
    chain = chain_type()
    for claim in walk_chains(claim_set, chain):
        for mention in claim_mentions(claim_set, claim):
            chain.add(mention)


def _scan(cut: list, letters, events: re.Pattern[str]) -> None:
    for tokens in cut:
        classes = "".join(map(letters.__getitem__, tokens.lows))
        at, search = 0, events.search
        while (found := search(classes, at)) is not None:
            at = found.end()


if __name__ == "__main__":
    raise SystemExit(main())
