"""One weight copy per (folder, variant) across services, freed with its last user."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import torch

from torchworks.llm.engine import DecodeEngine, EngineStepper
from torchworks.llm.lazy_zeros import lazy_zeros
from torchworks.llm.llama import FastLlama
from torchworks.llm.load import LoadedLM
from torchworks.llm.pool import POOL, ModelPool, _tie_output
from torchworks.llm.service import llm_spec
from torchworks.llm.variants import engine_for

PROMPT = [5, 17, 33, 2, 40]


def greedy(engine: DecodeEngine, ids: list[int], steps: int = 6) -> list[int]:
    stepper = EngineStepper(engine, engine.allocate())
    logits = stepper.prefill(ids)
    out = []
    for _ in range(steps):
        out.append(int(logits.argmax()))
        logits = stepper.decode(out[-1])
    return out


def test_two_leases_share_weights_but_not_caches(tiny_lm_dir: Path, tiny_lm: LoadedLM) -> None:
    pool = ModelPool()
    a, b = pool.acquire(tiny_lm_dir, "eager-fp32"), pool.acquire(tiny_lm_dir, "eager-fp32")
    assert pool.users(a.key) == 2 and a.lm is b.lm
    first, second = a.engine(slots=2, max_seq=64), b.engine(slots=4, max_seq=128)
    shared = dict(first.model.named_parameters())
    for name, param in second.model.named_parameters():
        assert param is shared[name], name  # the same tensor, not a copy
    cache = first.model.layers[0].attention.k_cache  # [slots, kv_heads, seq, head_dim]
    assert (cache.shape[0], cache.shape[2]) == (2, 64)
    cache = second.model.layers[0].attention.k_cache
    assert (cache.shape[0], cache.shape[2]) == (4, 128)
    reference = engine_for(tiny_lm, "eager-fp32", slots=1, max_seq=64)  # a model of its own
    assert greedy(first, PROMPT) == greedy(second, PROMPT) == greedy(reference, PROMPT)
    a.release()
    assert pool.users(a.key) == 1
    b.release()
    assert pool.users(a.key) == 0 and pool.weights(a.key) is None


def test_tied_checkpoints_keep_one_embedding_matrix(tiny_lm: LoadedLM) -> None:
    model = FastLlama.from_hf(tiny_lm.model)  # nn.Linear output, as the bf16/fp16 variants keep
    before = greedy(DecodeEngine(model, slots=1, max_seq=32), PROMPT)
    _tie_output(model)  # the tiny model is untied: nothing changes
    assert model.output.weight is not model.tok_embeddings.weight
    with torch.no_grad():
        model.output.weight.copy_(model.tok_embeddings.weight)
    _tie_output(model)
    assert model.output.weight is model.tok_embeddings.weight
    assert greedy(DecodeEngine(model, slots=1, max_seq=32), PROMPT) != before


def test_unloading_the_last_service_frees_the_shared_weights(serve, tiny_lm_dir: Path) -> None:
    client = serve([llm_spec(name=name, route=f"{name}/generate", model_path=tiny_lm_dir,
                             max_running=2, max_context=64) for name in ("tiny-a", "tiny-b")])
    key = (str(tiny_lm_dir.resolve()), "eager-fp32")
    assert POOL.users(key) == 2
    weights = weakref.ref(POOL.weights(key))
    ask = {"prompt": "A support pole", "max_new_tokens": 6, "stream": False}
    text = client.post("/v1/tiny-a/generate", json=ask).json()["text"]
    assert client.post("/v1/tiny-b/generate", json=ask).json()["text"] == text
    assert client.post("/v1/models/tiny-a/unload").status_code == 200
    assert POOL.users(key) == 1 and weights() is not None
    assert client.post("/v1/tiny-b/generate", json=ask).json()["text"] == text
    assert client.post("/v1/models/tiny-b/unload").status_code == 200
    gc.collect()
    assert POOL.users(key) == 0 and weights() is None  # the last user gone: memory freed
    services = client.get("/readyz").json()["services"]
    assert services["tiny-a"]["state"] == services["tiny-b"]["state"] == "unloaded"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_lazy_zeros_take_memory_only_where_written() -> None:
    before = rss_mb()
    cache = lazy_zeros((16, 1024, 64, 64), torch.float32, torch.device("cpu"))  # 256 MB
    assert rss_mb() - before < 64
    assert cache.shape == (16, 1024, 64, 64) and not cache[:, :8].any()
    cache[3, :32] = 1.5
    assert float(cache[:, :40].sum()) == 1.5 * 32 * 64 * 64
    assert rss_mb() - before < 64  # what was touched, not the 256 MB
    half = lazy_zeros((2, 3), torch.bfloat16, torch.device("cpu"))  # below a page: plain zeros
    assert half.dtype == torch.bfloat16 and not half.any()


def test_kernel_variants_serve_through_the_pool(tiny_lm_dir: Path, tiny_lm: LoadedLM) -> None:
    """The pool deep-copies the model for each engine: the native kernels' ctypes library and
    the one-call step must survive that (they raised 'ctypes objects containing pointers
    cannot be pickled'), each engine with its own step scratch, same tokens as a model of its
    own, one and several rows."""
    from torchworks.llm.kernels.step import NativeDecodeStep

    pool = ModelPool()
    for name in ("q8_0", "fp32-kernel"):
        lease = pool.acquire(tiny_lm_dir, name)
        first, second = lease.engine(slots=2, max_seq=64), lease.engine(slots=3, max_seq=64)
        steps = [first.model.decode_step, second.model.decode_step]
        assert all(isinstance(s, NativeDecodeStep) for s in steps)
        assert steps[0].buffers[0].data_ptr() != steps[1].buffers[0].data_ptr()
        reference = engine_for(tiny_lm, name, slots=1, max_seq=64)
        expected = greedy(reference, PROMPT)
        assert greedy(first, PROMPT) == greedy(second, PROMPT) == expected
        rows = [second.allocate(), second.allocate()]  # batched decode over the copy
        logits = torch.stack([second.prefill(r, PROMPT) for r in rows])
        batched = []
        for _ in range(6):
            tokens = [int(t) for t in logits.argmax(-1)]
            batched.append(tokens)
            logits = second.decode(rows, tokens)
        assert [t[0] for t in batched] == [t[1] for t in batched] == expected
        lease.release()
