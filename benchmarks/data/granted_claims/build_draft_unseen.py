"""Build `draft_unseen.jsonl.gz` (and `draft_unseen2`, `draft_unseen3`): granted US patents
claim drafting has never read.

    PYTHONPATH=src .venv/bin/python benchmarks/data/granted_claims/build_draft_unseen.py \
        [--shared ../shared/data/patents] [--part 2|3] [--check]

Drafting was tuned on `tune.jsonl.gz` and has read `heldout.jsonl.gz` (and its default data,
the shared sample). Every other grant the repository holds with claim 1 and an abstract is a
candidate: the claim checker's `fresh` (Lens pages, abstract only) and `unseen` parts, and the
grants of the summarizer's parts (`../patents/`: `unseen-*`, `heldout.xml`, `tune-more.xml.gz`).
A candidate is left out when its number (normalised: no "US", no leading zeros, no kind code)
or its abstract (words folded, case folded) is in the tune or held-out part or the shared
sample (`patents.jsonl`, `claims.jsonl`). Most of `unseen-pv.xml.gz` comes from the same
PatentsView weekly files as tune/held-out and is left out that way. `--check` rebuilds in
memory and fails if the committed file differs.

`--part 2` builds the second part, `draft_unseen2.jsonl.gz`, after the first was read: the
grants of the summarizer's `unseen2` part (seven repositories no other part drew on), left out
the same way when they are in tune, held-out, the shared sample or the first part.

`--part 3` builds `draft_unseen3.jsonl.gz`, after the first two were read many times: the
grants of public dumps in three repositories no other part drew on (`raw3/`, read by
`draft_unseen3_sources.py`), left out when they are in any other granted_claims file, any of
the summarizer's parts (`../patents/`, the shared sample included) or the shared sample.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATENTS = HERE.parent / "patents"
SEEN = ("tune.jsonl.gz", "heldout.jsonl.gz")
CHECKER_PARTS = ("fresh.jsonl.gz", "unseen.jsonl.gz")
SUMMARIZER_PARTS = ("unseen-pv.xml.gz", "unseen-odp.xml.gz", "unseen-brs.jsonl.gz",
                    "heldout.xml", "tune-more.xml.gz")
UNSEEN2 = tuple(f"unseen2-{name}.xml.gz" for name in (
    "rubyxml", "ntut", "patentqa", "patentdata", "teamlab", "sax2pats", "extractor"))
EVERY_PART = (*SEEN, *CHECKER_PARTS, "draft_unseen.jsonl.gz", "draft_unseen2.jsonl.gz")
SUMMARIZER_ALL = (*SUMMARIZER_PARTS, *UNSEEN2, "tune.xml.gz", "tune-rx.xml.gz",
                  "heldout-pv.xml.gz", "heldout-rx.xml.gz")


def _raw3() -> list[dict]:
    sys.path.insert(0, str(HERE))
    from draft_unseen3_sources import (
        course_records,
        flat_file_records,
        patft_records,
        ppubs_records,
    )

    return flat_file_records() + ppubs_records() + patft_records() + course_records()


@dataclass(frozen=True)
class Part:
    """One unseen part: where it goes, what counts as read, where its candidates come from."""

    out: str
    seen: tuple[str, ...]  # granted_claims files whose patents were read
    checker_parts: tuple[str, ...] = ()  # granted_claims files of candidates
    summarizer_parts: tuple[str, ...] = ()  # ../patents files of candidates
    seen_summarizer: tuple[str, ...] = ()  # ../patents files whose patents count as read
    more: Callable[[], list[dict]] | None = None  # further candidates, already as records


PARTS = {
    1: Part("draft_unseen.jsonl.gz", SEEN, CHECKER_PARTS, SUMMARIZER_PARTS),
    2: Part("draft_unseen2.jsonl.gz", (*SEEN, "draft_unseen.jsonl.gz"), (), UNSEEN2),
    3: Part("draft_unseen3.jsonl.gz", EVERY_PART, seen_summarizer=SUMMARIZER_ALL, more=_raw3),
}


def number_key(patent_id: str) -> str:
    """'US06836899B1', 'US 6836899 B1', '6836899' -> '6836899'; applications keep their year
    ('US 2016/0073591 A1' -> '20160073591')."""
    digits = re.sub(r"(?i)^\s*US\s*|\s*[A-Z]\d?\s*$", "", patent_id.strip())
    return re.sub(r"\D", "", digits).lstrip("0")


def abstract_key(abstract: str) -> str:
    """An abstract folded to lower-case words, so re-typeset copies of it compare equal."""
    text = re.sub(r"^abstract(?: of (?:the )?disclosure)?\s*", "", abstract.strip(), flags=re.I)
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def is_grant(patent_id: str) -> bool:
    """A US utility grant: 'US' and digits, kind B/B1/B2 (design, plant, reissue and
    applications are not)."""
    return re.fullmatch(r"US\d{7,8}B\d?", patent_id) is not None


def _jsonl(path: Path) -> list[dict]:
    with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def seen_keys(shared: Path, seen: tuple[str, ...] = SEEN,
              seen_summarizer: tuple[str, ...] = ()) -> tuple[set[str], set[str]]:
    """Numbers and abstracts of every patent drafting has read or was tuned on (the
    granted_claims files `seen`, the summarizer's files `seen_summarizer` and the shared
    sample)."""
    records = [r for name in seen for r in _jsonl(HERE / name)]
    records += candidates((), seen_summarizer)
    for name in ("claims.jsonl", "patents.jsonl"):
        records += _jsonl(shared / name)
    return ({number_key(r.get("id", "")) for r in records},
            {abstract_key(r.get("abstract", "")) for r in records} - {""})


def candidates(checker_parts: tuple[str, ...] = CHECKER_PARTS,
               summarizer_parts: tuple[str, ...] = SUMMARIZER_PARTS) -> list[dict]:
    """Every record of the candidate sources, in source order, with its source."""
    sys.path.insert(0, str(HERE.parents[1]))
    from _patent_data import read_part

    out = [dict(r, source=f"granted_claims/{name}") for name in checker_parts
           for r in _jsonl(HERE / name)]
    for name in summarizer_parts:
        for patent in read_part([PATENTS / name]):
            out.append({"id": patent.id, "title": patent.title, "week": patent.date or "",
                        "abstract": patent.abstract, "claims": list(patent.claims),
                        "description": patent.description, "source": f"patents/{name}"})
    return out


def build(shared: Path, part: int = 1) -> tuple[list[dict], dict[str, int]]:
    """The unseen drafting records of `part` (first copy of each patent kept) and why others
    left."""
    spec = PARTS[part]
    numbers, abstracts = seen_keys(shared, spec.seen, spec.seen_summarizer)
    kept: dict[str, dict] = {}
    dropped = {"not a grant": 0, "no claim or abstract": 0, "seen number": 0,
               "seen abstract": 0, "repeat": 0}
    found = candidates(spec.checker_parts, spec.summarizer_parts)
    for record in found + (spec.more() if spec.more else []):
        key = number_key(record["id"])
        if not is_grant(record["id"]):
            dropped["not a grant"] += 1
        elif not record.get("claims") or not abstract_key(record.get("abstract", "")):
            dropped["no claim or abstract"] += 1
        elif key in numbers:
            dropped["seen number"] += 1
        elif abstract_key(record["abstract"]) in abstracts:
            dropped["seen abstract"] += 1
        elif key in kept or any(abstract_key(record["abstract"]) == abstract_key(k["abstract"])
                                for k in kept.values()):
            dropped["repeat"] += 1
        else:
            kept[key] = record
    return [kept[k] for k in sorted(kept, key=int)], dropped


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parents[3] / "shared" / "data" /
                        "patents", help="the shared sample's folder (patents.jsonl, claims.jsonl)")
    parser.add_argument("--part", type=int, choices=sorted(PARTS), default=1,
                        help="1: draft_unseen.jsonl.gz, 2: draft_unseen2, 3: draft_unseen3")
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args(argv)
    if not (args.shared / "patents.jsonl").is_file():
        raise SystemExit(f"{args.shared}/patents.jsonl not found: pass --shared with the "
                         "folder holding the shared sample (e.g. /work/shared/data/patents)")
    records, dropped = build(args.shared, args.part)
    out = HERE / PARTS[args.part].out
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    summaries = sum(bool(re.search(r"SUMMARY", r.get("description", ""))) for r in records)
    print(f"{len(records)} grants ({summaries} with a SUMMARY heading); left out: {dropped}")
    if args.check:
        same = out.is_file() and _jsonl(out) == [json.loads(line) for line in lines.splitlines()]
        print("committed file matches" if same else "committed file DIFFERS")
        return 0 if same else 1
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
