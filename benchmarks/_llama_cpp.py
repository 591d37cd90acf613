"""Shared by the LLM benchmarks: llama.cpp (llama-cpp-python, `make llama-cpp`; never in CI) on
the same GGUF weights as ours, in process (batch-1 decode) or as its OpenAI-compatible server.

The shipped GGUF is Q4_1. llama.cpp's own quantizer (`llama_model_quantize`, which the Python
package exports) rewrites it as f32 and q8_0: Q4_1 blocks dequantize exactly to fp32, so the
f32 file holds the very numbers our loader dequantizes, and q8_0 is llama.cpp's int8 of them.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import time
from pathlib import Path

KINDS = ("f32", "q8_0", "q4_1")


def installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def llama_cpp_files(gguf: Path, workdir: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, Path]:
    """kind -> GGUF file: the shipped Q4_1 file itself, the others requantized from it into
    `workdir` (kept there: a rerun with the same workdir reuses them)."""
    import llama_cpp

    with contextlib.suppress(ImportError, AttributeError):  # its quantizer logs every tensor
        from llama_cpp import _logger

        _logger.set_verbose(False)
    ftypes = {"f32": llama_cpp.LLAMA_FTYPE_ALL_F32, "q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0}
    files = {}
    for kind in kinds:
        if kind == "q4_1":
            files[kind] = gguf
            continue
        out = workdir / f"{gguf.stem}-{kind}.gguf"
        if not out.is_file():
            params = llama_cpp.llama_model_quantize_default_params()
            params.ftype = ftypes[kind]
            params.allow_requantize = True
            partial = out.with_suffix(".partial")
            if llama_cpp.llama_model_quantize(str(gguf).encode(), str(partial).encode(),
                                              ctypes.byref(params)) != 0:
                print(f"  llama.cpp could not write {kind}; that row is left out")
                continue
            partial.replace(out)
        files[kind] = out
    return files


class LlamaCppModel:
    """llama-cpp-python on one GGUF file: greedy, fixed length, our prompt ids."""

    def __init__(self, path: Path, max_seq: int) -> None:
        import llama_cpp

        self.llama_cpp = llama_cpp
        self.llm = llama_cpp.Llama(model_path=str(path), n_ctx=max_seq, n_batch=max_seq,
                                   n_threads=1, n_threads_batch=1, verbose=False)
        self.threads = 1

    def run(self, ids: list[int], new_tokens: int) -> tuple[float, float, list[int]]:
        """(TTFT s, decode tok/s after the first token, tokens); the prompt is evaluated anew."""
        self.llama_cpp.llama_set_n_threads(self.llm.ctx, self.threads, self.threads)
        self.llm.reset()  # else generate() reuses the cached prompt and TTFT measures nothing
        started = time.perf_counter()
        first = 0.0
        tokens: list[int] = []
        for token in self.llm.generate(ids, top_k=1, temp=0.0, repeat_penalty=1.0, reset=True):
            first = first or time.perf_counter() - started
            tokens.append(int(token))
            if len(tokens) == new_tokens:
                break
        decode = time.perf_counter() - started - first
        return first, (len(tokens) - 1) / decode if decode > 0 else 0.0, tokens


def server_command(python: str, model: Path, port: int, threads: int, n_ctx: int) -> list[str]:
    """`python -m llama_cpp.server` on one GGUF file (it runs one request at a time)."""
    return [python, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
            "--port", str(port), "--n_threads", str(threads), "--n_threads_batch", str(threads),
            "--n_ctx", str(n_ctx), "--verbose", "False"]
