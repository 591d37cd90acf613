"""Outside peers for `claims_drafting.py`: what a user could get here without torchworks'
drafting, scored with the same metric.

- sumy-lexrank: the disclosure's most central sentence by sumy's LexRank (sumy 0.13, its
  English stop words; sentences split on end punctuation, since nltk's punkt data is not
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

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PROMPT = ("Draft claim 1 of a US patent for the invention disclosed below: one sentence, a "
           "preamble naming the invention, 'comprising:', then its elements separated by "
           "semicolons. Give only the claim.\n\nDisclosure: {disclosure}")


class _Tokenizer:
    """sumy's tokenizer interface on plain regular expressions (no nltk data needed)."""

    language = "english"

    def to_sentences(self, text: str) -> list[str]:
        return [s for s in _SENTENCE.split(text.strip()) if s]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", sentence)


def lexrank_claim(disclosure: str) -> list[str]:
    """Claim 1 as the disclosure's LexRank-central sentence under the first noun phrase."""
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from torchworks.recipes.patents.draft.chunk import phrases

    summarizer = LexRankSummarizer()
    summarizer.stop_words = get_stop_words("english")
    document = PlaintextParser.from_string(disclosure, _Tokenizer()).document
    picked = [str(s) for s in summarizer(document, 1)]
    sentence = (picked or [disclosure])[0].strip().rstrip(" .")
    first = next(iter(phrases(_SENTENCE.split(disclosure.strip())[0])), None)
    return [f"A {first.name if first else 'device'} comprising: {sentence}."]


def run_lexrank(data: list[dict]) -> list:
    out = []
    for record in data:
        began = time.perf_counter()
        claims = lexrank_claim(record["disclosure"])
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
