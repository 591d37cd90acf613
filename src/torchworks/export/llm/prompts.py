"""The gate's fixed prompt set and held-out text, built from the real patent sample.

Fixed means: same files, same order, same truncation, so two gate runs judge variants on
identical inputs. Two kinds of prompt: "disclosure" (a description excerpt to continue, the
raw-text case) and "claims" (a chat request to draft claims for a disclosure, whose output the
claim checker can judge). Held text (granted claims and abstracts the prompts never show) is
what perplexity is measured on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from torchworks.errors import DataError

DISCLOSURE_CHARS = 700
CLAIMS_INSTRUCTION = "Draft claim 1 and two dependent claims for this invention:\n\n"


@dataclass(frozen=True)
class GatePrompt:
    id: str  # patent id + kind
    kind: str  # "disclosure" | "claims"
    text: str  # the raw prompt, or the user message for "claims" (chat-rendered by the gate)
    description: str  # the disclosure excerpt (the claim checker's support text)


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        raise DataError(f"{path} is missing", fix="point --patents-dir at the patent sample "
                        "(patents.jsonl, claims.jsonl)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _excerpt(text: str, chars: int) -> str:
    """The first `chars` characters, cut back to a word boundary, whitespace folded."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0]


def gate_prompts(patents_dir: Path, count: int = 6) -> list[GatePrompt]:
    """`count` prompts alternating disclosure / claims over patents.jsonl, in file order."""
    prompts = []
    for row in _read_jsonl(patents_dir / "patents.jsonl"):
        description = _excerpt(str(row.get("description") or ""), DISCLOSURE_CHARS)
        if len(description) < 200:
            continue
        kind = "disclosure" if len(prompts) % 2 == 0 else "claims"
        text = description if kind == "disclosure" else CLAIMS_INSTRUCTION + description
        prompts.append(GatePrompt(f"{row['id']}:{kind}", kind, text, description))
        if len(prompts) == count:
            break
    if not prompts:
        raise DataError(f"no usable descriptions in {patents_dir / 'patents.jsonl'}")
    return prompts


def held_texts(patents_dir: Path, count: int = 4) -> list[str]:
    """Granted claim sets and abstracts from claims.jsonl, for perplexity."""
    texts = []
    for row in _read_jsonl(patents_dir / "claims.jsonl"):
        claims = row.get("claims") or []
        text = " ".join(str(c) for c in claims) if isinstance(claims, list) else str(claims)
        texts.append(_excerpt(f"{row.get('abstract') or ''} {text}", 2000))
        if len(texts) == count:
            break
    if not texts:
        raise DataError(f"no claim sets in {patents_dir / 'claims.jsonl'}")
    return texts
