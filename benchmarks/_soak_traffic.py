"""The soak's traffic: what each kind of request sends, to which default service, how often.

Well-formed requests carry real inputs: granted US claim sets and their abstracts
(`data/granted_claims/heldout.jsonl.gz`) for check and draft, full USPTO XML documents
(`data/patents/heldout.xml`) for summarize, known users and items of the served rec bundle for
recommend, short prompts for the LLM. Hostile ones are what issue 14 found breaking the server:
out-of-range sampling, NaN and lone-surrogate bodies, an 8,000-claim flood, cross-site unloads
sent as text/plain, streams dropped mid-way.

The rec-recommend registry (`build_rec_registry`) is what the soak hot-swaps: v1 and v2 are
copies of the embedded default's bundle (so the swap's load, consistency check, warm-up and
drain all run), v3 is truncated after publishing (refused: checksum).
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LLM = "smollm2-135m-instruct"  # the default LLM service's name (torchworks.llm.load)
REC = "rec-recommend"
PROMPTS = ("A method of folding a solar panel comprises", "Write one sentence about lamps.",
           "The claimed support pole differs from the prior art in that",
           "Summarize: a hinge joins two panels.")


@dataclass(frozen=True)
class Kind:
    """One kind of request: `build()` gives (path, JSON-able body or raw bytes)."""

    name: str
    service: str  # the service it is meant for ("admin" for management routes)
    weight: int
    well_formed: bool
    build: Callable[[], tuple[str, object]]
    stream: bool = False
    headers: dict[str, str] | None = None  # replaces the JSON content type


def flood(claims: int) -> str:
    return "1. A pole.\n" + "".join(f"{i}. The support pole of claim 1, wherein part {i} is "
                                    "steel.\n" for i in range(2, claims + 1))


def granted() -> list[dict]:
    with gzip.open(DATA / "granted_claims" / "heldout.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def uspto_documents() -> list[str]:
    """The held-out bulk file split into its documents, each one USPTO XML text."""
    text = (DATA / "patents" / "heldout.xml").read_text(encoding="utf-8")
    return ["<?xml" + part for part in text.split("<?xml") if part.strip()]


def claim_text(claims: list[str]) -> str:
    return "\n".join(f"{i}. {claim}" for i, claim in enumerate(claims, 1))


def draftable(disclosures: list[str]) -> list[str]:
    """The disclosures the drafting pipeline makes a claim set of (a few abstracts have no
    subject it can claim: a 422, which would count as a failed well-formed request)."""
    from torchworks.errors import TorchworksError
    from torchworks.recipes.patents.draft.pipeline import draft_claims

    kept = []
    for text in disclosures:
        try:
            draft_claims(text)
        except TorchworksError:
            continue
        kept.append(text)
    return kept


def bundle_ids(bundle: Path) -> tuple[list[str], list[str]]:
    """(user keys, item keys) of a rec bundle's vocabularies."""
    def keys(name: str) -> list[str]:
        return json.loads((bundle / name).read_text(encoding="utf-8"))["keys"]
    return keys("users.vocab.json"), keys("items.vocab.json")


def build_rec_registry(root: Path, bundle: Path) -> None:
    from torchworks.serving.registry import publish

    for version in ("1", "2", "3"):
        publish(root, REC, bundle, format="torchworks-rec-bundle", precision="fp32",
                version=version)
    corrupt = root / REC / "3" / "retrieval.pt"
    corrupt.write_bytes(corrupt.read_bytes()[:-100])  # truncated after publishing


def mix(bundle: Path, flood_claims: int) -> list[Kind]:
    patents = granted()
    checks = [claim_text(p["claims"]) for p in patents if len(p["claims"]) <= 40]
    disclosures = draftable([p["abstract"] for p in patents if len(p["abstract"]) >= 100])
    documents = uspto_documents()
    users, items = bundle_ids(bundle)
    flood_body = {"claims": flood(flood_claims)}

    def generate() -> tuple[str, object]:
        return "/v1/llm/generate", {"prompt": random.choice(PROMPTS), "max_new_tokens": 16,
                                    "stream": False, "temperature": 0.7, "top_p": 0.9,
                                    "seed": random.randrange(1000)}

    def recommend() -> tuple[str, object]:
        body: dict[str, object] = {"user_id": random.choice(users), "k": 10}
        if random.random() < 0.3:
            body["recent_items"] = random.sample(items, 3)
        return "/v1/rec/recommend", body

    kinds = [
        Kind("generate", LLM, 5, True, generate),
        Kind("stream", LLM, 4, True, lambda: ("/v1/llm/generate", {
            "prompt": random.choice(PROMPTS), "max_new_tokens": 16}), stream=True),
        Kind("summarize", "patents-summarize", 6, True, lambda: ("/v1/patents/summarize", {
            "text": random.choice(documents), "words": 100})),
        Kind("draft", "patents-draft", 6, True, lambda: ("/v1/patents/draft", {
            "disclosure": random.choice(disclosures), "dependents": 4})),
        Kind("check", "patents-check", 15, True, lambda: ("/v1/patents/check", {
            "claims": random.choice(checks)})),
        Kind("recommend", REC, 15, True, recommend),
        Kind("bad-sampling", LLM, 3, False, lambda: ("/v1/llm/generate", random.choice([
            {"prompt": "x", "temperature": 1, "top_p": 1e-300},
            {"prompt": "x", "temperature": 1, "seed": 10**30},
            {"prompt": "x", "repetition_penalty": 1e300}]))),
        Kind("nan-body", REC, 3, False, lambda: random.choice([
            ("/v1/rec/recommend", b'{"user_id": "u1", "k": NaN}'),
            ("/v1/patents/summarize", b'{"text": "A lamp.", "words": Infinity}')])),
        Kind("surrogate", "patents-check", 3, False, lambda: (
            "/v1/patents/check", b'{"claims": "1. A lamp \\ud800 comprising a base."}')),
        Kind("cross-site", "admin", 2, False, lambda: (f"/v1/models/{REC}/unload", b"{}"),
             headers={"content-type": "text/plain", "origin": "http://evil.example"}),
        Kind("disconnect", LLM, 3, False, lambda: ("/v1/llm/generate", {
            "prompt": "A long story about a lamp:", "max_new_tokens": 500}), stream=True),
    ]
    if flood_claims:
        kinds.append(Kind("claim-flood", "patents-check", 1, False,
                          lambda: ("/v1/patents/check", flood_body)))
    return kinds
