"""Claim drafting against granted claims: ours, two baselines, and the previous LLM pipeline.

    .venv/bin/python benchmarks/claims_drafting.py [--data FILE.jsonl ...]
        [--source abstract|summary] [--old-src DIR --old-sets 3] [--openai-sets 3]
        [--llama-sets 8] [--show 3]

Each record (JSON lines, gzipped or not, with title, abstract, description, claims) is a real
granted patent, e.g. the claim checker's held-out set (benchmarks/data/granted_claims/, whose
README gives its provenance), never tuned on here.
Its "disclosure" is the abstract, or the summary section of the description (`--source
summary`; records without one are skipped). The granted claim 1 is the reference. Printed per
method: ROUGE-L F1 of the drafted claim 1 against it, element recall (the share of the
granted claim's noun phrases the draft names; "(unpaired)": the same before "a pair of X"
was one phrase), strict-check errors per drafted claim,
duplicate claims, claims using words the disclosure never does, "wherein" dependents with a
wrong or unclear owner (`owner_problems`: owner / such dependents), claim 1 drafts that
`garbled.py` finds garbled or listing an item the disclosure does not ground (`garbled`), and
seconds per set.
Methods:
- first-sentence: "A <first noun phrase> comprising: <first sentence>." (the trivial baseline)
- ours: the deterministic pipeline (`draft/pipeline.py`), what the server serves
- ours+polish(openai): the same with claim 1 rephrased by a model behind a local
  OpenAI-compatible server (`draft/openai_server.py` around the embedded SmolLM2), kept only
  when it passes the strict check
- peer: sumy-lexrank, peer: llama.cpp: outside peers (`claims_drafting_peers.py`), the
  second on the first `--llama-sets` records, each with "ours, same sets" after it
- previous (LLM): the pipeline before this change, run from `--old-src` (a checkout of it) on
  the embedded SmolLM2 in a subprocess, on the first `--old-sets` records (it takes ~30 s a set)
Which data were used for tuning is printed with the table: pass `--tuned FILE` for those.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from torchworks.errors import DataError
from torchworks.recipes.patents.draft.chunk import lemma, phrases
from torchworks.recipes.patents.draft.disclosure import analyse, element_name
from torchworks.recipes.patents.draft.garbled import garbled, ungrounded_items
from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims
from torchworks.recipes.patents.draft.strict import check_draft

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims_drafting_peers import run_lexrank, run_llama_cpp

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "patents"
_SUMMARY = re.compile(r"SUMMARY(?: OF THE (?:INVENTION|DISCLOSURE))?")
_NEXT_HEADING = re.compile(r"\b(?:BRIEF DESCRIPTION|DETAILED DESCRIPTION|DESCRIPTION OF THE)")


def records(paths: list[Path], source: str) -> list[dict]:
    out = []
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        for line in opener(path, "rt", encoding="utf-8"):
            record = json.loads(line)
            claims = record.get("claims") or []
            if not claims:
                continue
            disclosure = disclosure_of(record, source)
            if disclosure and len(disclosure.split()) >= 15:
                out.append({"id": record.get("id", "?"), "title": record.get("title", ""),
                            "disclosure": disclosure, "granted": _first_claim(claims)})
    return out


def disclosure_of(record: dict, source: str) -> str:
    if source == "abstract":
        return re.sub(r"^Abstract of Disclosure\s*", "", record.get("abstract", "")).strip()
    description = record.get("description", "")
    match = _SUMMARY.search(description)
    if not match:
        return ""
    text = description[match.end():]
    end = _NEXT_HEADING.search(text)
    return " ".join(text[: end.start() if end else None].split()[:350])


def _first_claim(claims: list[str]) -> str:
    return re.sub(r"^\s*1\s*\.\s*", "", claims[0]).strip()


def first_sentence_baseline(disclosure: str) -> list[str]:
    sentence = re.split(r"(?<=[.!?])\s+", disclosure.strip())[0].rstrip(" .")
    head = next(iter(phrases(sentence)), None)
    subject = head.name if head else "device"
    return [f"A {subject} comprising: {sentence}."]


def element_recall(granted: str, drafted: str, pairs: bool = True) -> float:
    """`pairs=False` is the measure before the chunker read "a pair of X" as one phrase (it
    was "pair", all such elements one key): kept so figures across that change compare."""
    wanted = {_key(p, pairs) for p in phrases(granted) if element_name(p)}
    if not wanted:
        return 0.0
    have = {_key(p, pairs) for p in phrases(drafted) if element_name(p)}
    return len(wanted & have) / len(wanted)


def _key(phrase, pairs: bool = True) -> str:
    key = " ".join(lemma(w, "NOUN") for w in phrase.words)
    return key if pairs or not key.startswith("pair of ") else "pair"


_DEPENDENT = re.compile(r"^The .+? of claim (\d+), wherein (?P<body>.+)$")
_PREPOSITIONS = frozenset({"of", "in", "on", "from", "to", "into", "onto", "with", "by", "at",
                           "for", "through", "between", "within", "under", "over", "via"})


def owner_problems(disclosure: str, drafted: list[str]) -> int:
    """Dependents ("The X of claim N, wherein the T ...") whose owner T is wrong or unclear:
    T is not named in claim N or the claims it depends on (no antecedent where it hangs), or
    the disclosure's sentence that says what the claim says of T makes T the object of a
    preposition there ("milk removed from the metering chamber is analysed" claimed as
    "wherein the metering chamber is analysed")."""
    sentences = [s.lower() for s in re.split(r"(?<=[.;])\s+", disclosure)]
    problems = 0
    for number, text in enumerate(drafted, start=1):
        match = _DEPENDENT.match(text.rstrip("."))
        if not match:
            continue
        found = phrases(match["body"])
        if not found or found[0].start != 0:
            continue
        term, parent = " ".join(found[0].words), int(match.group(1))
        ancestry, at = [], parent
        while 0 < at < number:
            ancestry.append(drafted[at - 1].lower())
            following = _DEPENDENT.match(drafted[at - 1].rstrip("."))
            at = int(following.group(1)) if following else 0
        if found[0].determiner in ("the", "said") and not any(
                re.search(rf"\b{re.escape(term)}\b", claim) for claim in ancestry):
            problems += 1
            continue
        said = [w for w in match["body"][found[0].end:].lower().split()
                if w not in ("is", "are", "has", "have", "the", "a", "an")][:1]
        if said and any(_governed(sentence, term, said[0]) for sentence in sentences):
            problems += 1
    return problems


def _governed(sentence: str, term: str, word: str) -> bool:
    """In `sentence`, `term` stands after a preposition and a verb phrase of its own follows
    ("from the metering chamber can be analysed", "of the member being projected"): what
    follows is said of another noun. A participle right after it ("in the trench exposed
    by") modifies the term itself; a mention where the term leads is fine."""
    governed = False
    for hit in re.finditer(rf"\b(?:the |a |an |said )?{re.escape(term)}\b", sentence):
        after = [w.strip(",.;") for w in sentence[hit.end():].split()[:6]]
        before = sentence[:hit.start()].split()[-1:]
        if not any(w.startswith(word[:5]) for w in after):
            continue
        if not (before and before[0] in _PREPOSITIONS):
            return False
        governed = governed or after[0] in _AUXILIARIES
    return governed


_AUXILIARIES = frozenset({"is", "are", "was", "were", "can", "may", "could", "might", "will",
                          "being", "has", "have", "should", "must"})


def rouge_l(reference: str, candidate: str) -> float:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return scorer.score(reference, candidate)["rougeL"].fmeasure


def measure(name: str, sets: list[tuple[dict, list[str], float]]) -> dict:
    rl, recall, errors, duplicates, unsupported, seconds, claims = [], [], 0, 0, 0, [], 0
    recall_unpaired = []
    refused, owners, dependents, messy = 0, 0, 0, 0
    for record, drafted, spent in sets:
        if not drafted:
            refused += 1
            rl.append(0.0)
            recall.append(0.0)
            recall_unpaired.append(0.0)
            seconds.append(spent)
            continue
        analysis = analyse(record["disclosure"], record["title"])
        report = check_draft(drafted, analysis.vocabulary, analysis.modifiers)
        messy += bool(garbled(drafted[0]) or ungrounded_items(drafted[0], analysis.sentences))
        rl.append(rouge_l(record["granted"], drafted[0]))
        recall.append(element_recall(record["granted"], drafted[0]))
        recall_unpaired.append(element_recall(record["granted"], drafted[0], pairs=False))
        errors += sum(f.severity == "error" and not f.rule.startswith("draft-")
                      for f in report.findings)
        duplicates += sum(f.rule == "draft-duplicate-claim" for f in report.findings)
        unsupported += sum(f.rule == "draft-unsupported-term" for f in report.findings)
        owners += owner_problems(record["disclosure"], drafted)
        dependents += sum(bool(_DEPENDENT.match(c.rstrip("."))) for c in drafted)
        seconds.append(spent)
        claims += len(drafted)
    n = max(claims, 1)
    return {"method": name, "sets": len(sets), "claims": claims,
            "rouge_l": 100 * statistics.mean(rl) if rl else 0.0,
            "element_recall": 100 * statistics.mean(recall) if recall else 0.0,
            "element_recall_unpaired": 100 * statistics.mean(recall_unpaired)
            if recall_unpaired else 0.0,
            "checker_errors_per_claim": errors / n, "duplicates": duplicates,
            "unsupported_claims": unsupported, "refused": refused,
            "wherein_dependents": dependents, "owner_problems": owners, "garbled": messy,
            "s_per_set": statistics.mean(seconds) if seconds else 0.0}


def run_ours(data: list[dict], config: DraftConfig, backend=None) -> list:
    """A disclosure the pipeline refuses (it names no parts) counts as an empty draft."""
    out = []
    for record in data:
        began = time.perf_counter()
        try:
            result = draft_claims(record["disclosure"], backend, config, title=record["title"])
        except DataError:
            out.append((record, [], time.perf_counter() - began))
            continue
        out.append((record, result.claims, result.seconds))
    return out


def run_old(old_src: Path, data: list[dict], dependents: int) -> list:
    """The previous pipeline, in a child interpreter with its own source tree first."""
    script = (
        "import json, sys, time\n"
        "from torchworks.recipes.patents.draft.backends import LocalBackend\n"
        "from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims\n"
        "backend = LocalBackend.load(None)\n"
        "for line in sys.stdin:\n"
        "    r = json.loads(line); t = time.perf_counter()\n"
        f"    res = draft_claims(r['disclosure'], backend, DraftConfig(dependents={dependents}))\n"
        "    print(json.dumps({'claims': res.claims, 's': time.perf_counter() - t}), flush=True)\n")
    env = {**os.environ, "PYTHONPATH": str(old_src)}
    answer = subprocess.run([sys.executable, "-c", script], input="".join(
        json.dumps(r) + "\n" for r in data), capture_output=True, text=True, env=env, check=True)
    rows = [json.loads(line) for line in answer.stdout.splitlines() if line.startswith("{")]
    return [(record, row["claims"], row["s"]) for record, row in zip(data, rows, strict=True)]


def run_polish_openai(data: list[dict], config: DraftConfig, base_url: str = "",
                      model: str = "default") -> list:
    """Claim 1 polished through an OpenAI-compatible server: the one at `base_url` (what
    $TORCHWORKS_DRAFT_BASE_URL names for the server), else one started here around the
    embedded SmolLM2 (`draft/openai_server.py`)."""
    from torchworks.recipes.patents.draft.backends import LocalBackend, OpenAIBackend
    from torchworks.recipes.patents.draft.openai_server import openai_app, serve_app

    polish = DraftConfig(dependents=config.dependents, polish=True)
    if base_url:
        return run_ours(data, polish, OpenAIBackend(base_url, os.environ.get(
            "OPENAI_API_KEY", ""), model=model, timeout_s=900))
    server = serve_app(openai_app(LocalBackend.load(None), model_name="smollm2"))
    try:
        remote = OpenAIBackend(f"{server.url}/v1", model="smollm2", timeout_s=900)
        return run_ours(data, polish, remote)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[SHARED / "patents.jsonl"])
    parser.add_argument("--tuned", type=Path, nargs="*", default=[SHARED / "patents.jsonl"],
                        help="the files drafting was tuned on (printed with the table)")
    parser.add_argument("--source", choices=("abstract", "summary"), default="abstract")
    parser.add_argument("--dependents", type=int, default=4)
    parser.add_argument("--old-src", type=Path, default=None,
                        help="src/ of a checkout of the previous pipeline")
    parser.add_argument("--old-sets", type=int, default=3)
    parser.add_argument("--openai-sets", type=int, default=0,
                        help="sets to draft with --polish through a local OpenAI server")
    parser.add_argument("--base-url", default=os.environ.get("TORCHWORKS_DRAFT_BASE_URL", ""),
                        help="an OpenAI-compatible /v1 URL for --openai-sets (default: "
                             "$TORCHWORKS_DRAFT_BASE_URL; unset: one started in-process)")
    parser.add_argument("--llama-sets", type=int, default=0,
                        help="sets for the llama.cpp SmolLM2 peer (~2-5 s a set)")
    parser.add_argument("--show", type=int, default=3, help="print this many sets in full")
    parser.add_argument("--json", type=Path, default=None, help="also write the table here")
    args = parser.parse_args()
    data = records(args.data, args.source)
    tuned = {p.resolve() for p in args.tuned}
    held_out = [p for p in args.data if p.resolve() not in tuned]
    print(f"torch {torch.__version__} | {platform.machine()} {platform.processor() or ''} | "
          f"{torch.get_num_threads()} threads | disclosure = {args.source} | {len(data)} sets "
          f"from {', '.join(p.name for p in args.data)} | held out (not tuned on): "
          f"{', '.join(p.name for p in held_out) or 'none'}")
    config = DraftConfig(dependents=args.dependents)
    began = time.perf_counter()
    ours = run_ours(data, config)
    rows = [measure("first-sentence", [(r, first_sentence_baseline(r["disclosure"]), 0.0)
                                       for r in data]),
            measure("ours", ours)]
    print(f"ours drafted {len(data)} sets in {time.perf_counter() - began:.2f} s", flush=True)
    rows.append(measure("peer: sumy-lexrank", run_lexrank(data)))
    if args.llama_sets:
        rows.append(measure("peer: llama.cpp", run_llama_cpp(data[: args.llama_sets])))
        rows.append(measure("ours, same sets", ours[: args.llama_sets]))
    if args.openai_sets:
        polished = run_polish_openai(data[: args.openai_sets], config, args.base_url,
                                     os.environ.get("TORCHWORKS_DRAFT_MODEL", "default"))
        rows.append(measure("ours+polish(openai)", polished))
        rows.append(measure("ours, same sets", ours[: args.openai_sets]))
        print(f"polish through {args.base_url or 'an in-process server'}: claim 1 rewritten in "
              f"{sum(p[1][:1] != o[1][:1] for p, o in zip(polished, ours, strict=False))} of "
              f"{len(polished)} sets")
    if args.old_src:
        rows.append(measure("previous (LLM)", run_old(args.old_src, data[: args.old_sets],
                                                      args.dependents)))
        rows.append(measure("ours, same sets", ours[: args.old_sets]))
    header = (f"{'method':<22} {'sets':>4} {'R-L':>6} {'elem.rec':>8} {'(unpaired)':>10} "
              f"{'err/claim':>9} "
              f"{'dup':>4} {'unsupp.':>7} {'refused':>7} {'owner':>9} {'garbled':>7} {'s/set':>7}")
    print("\n" + header)
    for row in rows:
        print(f"{row['method']:<22} {row['sets']:>4} {row['rouge_l']:>6.1f} "
              f"{row['element_recall']:>8.1f} {row['element_recall_unpaired']:>10.1f} "
              f"{row['checker_errors_per_claim']:>9.3f} "
              f"{row['duplicates']:>4} {row['unsupported_claims']:>7} {row['refused']:>7} "
              f"{row['owner_problems']:>3}/{row['wherein_dependents']:<5} {row['garbled']:>7} "
              f"{row['s_per_set']:>7.3f}")
    print()
    for at, row in enumerate(rows):  # ours against each baseline or peer, on the same sets
        if row["method"].startswith(("first", "peer")):
            mine = rows[1] if row["sets"] == rows[1]["sets"] else rows[at + 1]
            print(f"{mine['method']} / {row['method']}: R-L "
                  f"x{mine['rouge_l'] / max(row['rouge_l'], 1e-9):.2f}, element recall "
                  f"x{mine['element_recall'] / max(row['element_recall'], 1e-9):.2f}")
    for record, drafted, _ in ours[: args.show]:
        print(f"\n--- {record['id']}: {record['title'][:90]}")
        print("drafted:\n" + "\n".join(f"{n}. {c}" for n, c in enumerate(drafted, start=1)))
        print(f"granted claim 1:\n1. {record['granted']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
