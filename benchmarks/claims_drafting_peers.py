"""Outside peers for `claims_drafting.py`: what a user could get here without torchworks'
drafting, scored with the same metric.

- sumy-lexrank: the disclosure's most central sentence by sumy's LexRank, run as the
  summarization benchmark runs it (`_sumy_peer.SumyPeer`: sumy's English stop words and
  Snowball stemmer; sentences split on end punctuation, since nltk's punkt data is not
  installed), turned into "A <first noun phrase> comprising: <sentence>." like the
  first-sentence baseline: extractive summarisation picking what to claim.
- llama.cpp: llama-cpp-python with the same SmolLM2-135M GGUF the stack embeds
  (`torchworks.llm.load.embedded_gguf_path`), prompted to draft claim 1 from the disclosure,
  greedy, 200 tokens at most: a plain LLM drafter with no analysis, check or repair.
Both are deterministic.
"""

from __future__ import annotations

import re
import time

from _sumy_peer import SumyPeer

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PROMPT = ("Draft claim 1 of a US patent for the invention disclosed below: one sentence, a "
           "preamble naming the invention, 'comprising:', then its elements separated by "
           "semicolons. Give only the claim.\n\nDisclosure: {disclosure}")


def lexrank_claim(disclosure: str, peer: SumyPeer | None = None) -> list[str]:
    """Claim 1 as the disclosure's LexRank-central sentence under the first noun phrase."""
    from torchworks.recipes.patents.draft.chunk import phrases

    peer = peer or SumyPeer("lexrank")
    sentences = [s for s in _SENTENCE.split(disclosure.strip()) if s]
    ratings = peer.ratings(sentences)
    sentence = sentences[max(range(len(sentences)), key=ratings.__getitem__)] if sentences \
        else disclosure
    sentence = sentence.strip().rstrip(" .")
    first = next(iter(phrases(sentences[0] if sentences else disclosure)), None)
    return [f"A {first.name if first else 'device'} comprising: {sentence}."]


def run_lexrank(data: list[dict]) -> list:
    peer = SumyPeer("lexrank")
    out = []
    for record in data:
        began = time.perf_counter()
        claims = lexrank_claim(record["disclosure"], peer)
        out.append((record, claims, time.perf_counter() - began))
    return out


def run_llama_cpp(data: list[dict], threads: int = 2) -> list:
    """Claim 1 drafted by SmolLM2 through llama.cpp; its answer cleaned of a leading "1."
    and markdown, kept as one claim whatever it says (the metric judges it)."""
    from llama_cpp import Llama

    from torchworks.llm.load import embedded_gguf_path

    model = Llama(model_path=str(embedded_gguf_path()), n_ctx=2048, n_threads=threads,
                  seed=0, verbose=False)
    out = []
    for record in data:
        began = time.perf_counter()
        disclosure = " ".join(record["disclosure"].split()[:300])
        answer = model.create_chat_completion(
            messages=[{"role": "user", "content": _PROMPT.format(disclosure=disclosure)}],
            max_tokens=200, temperature=0.0)
        text = " ".join(answer["choices"][0]["message"]["content"].replace("**", "").split())
        text = re.sub(r"^(?:claim\s*)?1\s*[.:)]\s*", "", text, flags=re.IGNORECASE)
        out.append((record, [text] if text else [], time.perf_counter() - began))
    return out
