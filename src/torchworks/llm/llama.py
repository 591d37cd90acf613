"""A plain-PyTorch Llama with a slotted static KV cache (gpt-fast style), built from an HF model.

Why our own forward: one code path serves batch-1 generation, continuous batching and every
optimized variant. The KV cache is preallocated per layer as [slots, max_seq, kv_heads,
head_dim]; each running sequence owns one slot (a row) and writes its keys/values at its own
positions, so sequences of different lengths share one padded batch without copying caches
when they join or leave. Fixed shapes are what lets `torch.compile` build the decode step once.

Works for HF models laid out like LlamaForCausalLM (Llama, SmolLM, Mistral without sliding
window, Qwen2 with q/k/v biases); anything else is refused with the parameters it could not
place. q/k/v and gate/up projections are fused into one Linear each (fewer, larger matmuls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from torchworks.errors import ConfigError
from torchworks.llm.lazy_zeros import lazy_zeros


@dataclass(frozen=True)
class LlamaShape:
    vocab: int
    dim: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    hidden: int  # MLP intermediate size
    eps: float
    max_positions: int
    qkv_bias: bool
    mlp_bias: bool

    @classmethod
    def from_hf(cls, config: Any, state: dict[str, torch.Tensor]) -> LlamaShape:
        heads = config.num_attention_heads
        return cls(
            vocab=config.vocab_size,
            dim=config.hidden_size,
            layers=config.num_hidden_layers,
            heads=heads,
            kv_heads=getattr(config, "num_key_value_heads", None) or heads,
            head_dim=getattr(config, "head_dim", None) or config.hidden_size // heads,
            hidden=config.intermediate_size,
            eps=config.rms_norm_eps,
            max_positions=config.max_position_embeddings,
            qkv_bias="model.layers.0.self_attn.q_proj.bias" in state,
            mlp_bias="model.layers.0.mlp.gate_proj.bias" in state,
        )


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
        self.decode_kernel: Any = None  # kernels.native.Kernels: a native call for few rows

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.decode_kernel is not None and x.dtype == torch.float32 and x.is_contiguous() \
                and x.numel() <= 64 * x.shape[-1]:
            return self.decode_kernel.rmsnorm(x, self.weight, self.eps)
        if x.dtype == torch.float32 and not torch.onnx.is_in_onnx_export():
            # One fused op computing what HF computes in fp32 (opset 17 has no RMSNorm).
            return F.rms_norm(x, self.weight.shape, self.weight, self.eps)
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


@dataclass(frozen=True)
class StepPlan:
    """Everything one forward shares across layers, computed once per call.

    `at` = (row, start) when the call is one row writing consecutive positions from `start`
    (prefill, batch-1 decode): the cache is written and read as plain slices, and attention
    runs over exactly the filled part without a mask. Otherwise rows/positions scatter into
    the cache and `mask` hides each row's unfilled or stale positions."""

    cos: torch.Tensor  # [B, T, 1, head_dim / 2]
    sin: torch.Tensor
    span: int
    rows: torch.Tensor
    positions: torch.Tensor
    every_row: bool
    at: tuple[int, int] | None
    mask: torch.Tensor | None  # [B, 1, 1, span] bool, T == 1 only


class Attention(nn.Module):
    def __init__(self, s: LlamaShape) -> None:
        super().__init__()
        self.s = s
        self.wqkv = nn.Linear(s.dim, (s.heads + 2 * s.kv_heads) * s.head_dim, bias=s.qkv_bias)
        self.wo = nn.Linear(s.heads * s.head_dim, s.dim, bias=False)
        self.k_cache: torch.Tensor | None = None  # [slots, kv_heads, max_seq, head_dim]
        self.v_cache: torch.Tensor | None = None
        self.decode_kernel: Any = None  # kernels.native.Kernels: one call for batch-1 decode

    def forward(self, x: torch.Tensor, plan: StepPlan) -> torch.Tensor:
        """x [B, T, dim] -> [B, T, dim]; writes this call's keys/values into the cache."""
        s = self.s
        b, t, _ = x.shape
        qkv = self.wqkv(x)
        if self.decode_kernel is not None and t == 1 and plan.at is not None \
                and qkv.dtype == torch.float32 and self.k_cache.dtype == torch.float32:
            row, position = plan.at  # RoPE, cache write and attention in one native call
            out = torch.empty(1, 1, s.heads * s.head_dim)
            self.decode_kernel.attend_decode(qkv, plan.cos, plan.sin, self.k_cache[row],
                                             self.v_cache[row], s.heads, position, out)
            return self.wo(out)
        qk = _rope(qkv[..., :(s.heads + s.kv_heads) * s.head_dim].view(
            b, t, s.heads + s.kv_heads, s.head_dim), plan.cos, plan.sin)
        q, k = qk[:, :, :s.heads], qk[:, :, s.heads:]
        v = qkv[..., (s.heads + s.kv_heads) * s.head_dim:].view(b, t, s.kv_heads, s.head_dim)
        k_cache, v_cache = self.k_cache, self.v_cache
        assert k_cache is not None and v_cache is not None
        if plan.at is not None:
            row, begin = plan.at
            k_cache[row, :, begin:begin + t] = k[0].transpose(0, 1)
            v_cache[row, :, begin:begin + t] = v[0].transpose(0, 1)
            keys, values = k_cache[row:row + 1, :, :plan.span], v_cache[row:row + 1, :, :plan.span]
        else:
            positions = plan.positions[:, 0]
            k_cache[plan.rows, :, positions] = k[:, 0].to(k_cache.dtype)
            v_cache[plan.rows, :, positions] = v[:, 0].to(v_cache.dtype)
            if plan.every_row:
                keys, values = k_cache[:, :, :plan.span], v_cache[:, :, :plan.span]
            else:
                keys, values = k_cache[plan.rows, :, :plan.span], v_cache[plan.rows, :, :plan.span]
        keys, values = keys.to(q.dtype), values.to(q.dtype)
        if t == 1:
            # Query head h reads KV head h // groups: group the query heads under their KV head
            # ([B, KVH, groups, D]) so one plain attention call covers GQA without a repeat.
            grouped = q.reshape(b, s.kv_heads, s.heads // s.kv_heads, s.head_dim)
            out = F.scaled_dot_product_attention(grouped, keys, values, attn_mask=plan.mask)
        else:
            assert plan.at is not None and plan.at[1] == 0, "multi-token calls start a row at 0"
            out = F.scaled_dot_product_attention(q.transpose(1, 2), keys, values,
                                                 is_causal=True, enable_gqa=True).transpose(1, 2)
        return self.wo(out.reshape(b, t, s.heads * s.head_dim))


class MLP(nn.Module):
    def __init__(self, s: LlamaShape) -> None:
        super().__init__()
        self.hidden = s.hidden
        self.w13 = nn.Linear(s.dim, 2 * s.hidden, bias=s.mlp_bias)
        self.w2 = nn.Linear(s.hidden, s.dim, bias=s.mlp_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate_up = self.w13(x)
        gate, up = gate_up[..., :self.hidden], gate_up[..., self.hidden:]
        return self.w2(F.silu(gate).mul_(up))


class Block(nn.Module):
    def __init__(self, s: LlamaShape) -> None:
        super().__init__()
        self.attention_norm = RMSNorm(s.dim, s.eps)
        self.attention = Attention(s)
        self.ffn_norm = RMSNorm(s.dim, s.eps)
        self.feed_forward = MLP(s)

    def forward(self, x: torch.Tensor, plan: StepPlan) -> torch.Tensor:
        x = x + self.attention(self.attention_norm(x), plan)
        return x + self.feed_forward(self.ffn_norm(x))


class FastLlama(nn.Module):
    def __init__(self, s: LlamaShape, inv_freq: torch.Tensor, rope_scale: float = 1.0) -> None:
        super().__init__()
        self.s = s
        self.tok_embeddings = nn.Embedding(s.vocab, s.dim)
        self.layers = nn.ModuleList(Block(s) for _ in range(s.layers))
        self.norm = RMSNorm(s.dim, s.eps)
        self.output = nn.Linear(s.dim, s.vocab, bias=False)
        self.register_buffer("inv_freq", inv_freq.float(), persistent=False)
        self.rope_scale = rope_scale
        self.slots = 0
        self.max_seq = 0
        self._cos = self._sin = torch.empty(0)  # [max_seq, head_dim / 2], set by setup_cache
        self.decode_step: Any = None  # kernels.step.NativeDecodeStep: batch-1 decode, one call

    def setup_cache(self, slots: int, max_seq: int, dtype: torch.dtype | None = None) -> None:
        """Allocate (or reallocate) the KV cache and the RoPE tables; `max_seq` is clipped to
        the model's context."""
        self.slots, self.max_seq = slots, min(max_seq, self.s.max_positions)
        s = self.s
        device = self.tok_embeddings.weight.device
        dtype = dtype or self.tok_embeddings.weight.dtype
        for layer in self.layers:
            shape = (slots, s.kv_heads, self.max_seq, s.head_dim)
            layer.attention.k_cache = lazy_zeros(shape, dtype, device)  # memory on first write
            layer.attention.v_cache = lazy_zeros(shape, dtype, device)
        freqs = torch.arange(self.max_seq, device=device).float()[:, None] * self.inv_freq
        compute = torch.float32 if dtype == torch.float32 else self.tok_embeddings.weight.dtype
        self._cos = (freqs.cos() * self.rope_scale).to(compute)
        self._sin = (freqs.sin() * self.rope_scale).to(compute)

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor, rows: torch.Tensor,
                span: int, every_row: bool = False, last_only: bool = True,
                at: tuple[int, int] | None = None) -> torch.Tensor:
        """tokens, positions [B, T] int64; rows [B] cache rows; attends to the first `span`
        cache positions of each row, causally by position. Returns logits [B, vocab] for the
        last position (or [B, T, vocab]). Stale cache entries beyond a row's position are
        masked, so a slot never needs clearing between occupants. `at` (row, start): the call
        is rows[0] writing positions start.. start+T-1 and `span` is start+T (see StepPlan);
        without it T must be 1."""
        if self.decode_step is not None and at is not None and last_only \
                and tokens.shape == (1, 1):
            return self.decode_step(self, int(tokens[0, 0]), at[0], at[1])
        x = self.tok_embeddings(tokens)
        mask = None
        if at is None:
            keys = torch.arange(span, device=tokens.device)
            mask = (keys[None, None, None, :] <= positions[:, None, :, None])
        cos = self._cos[positions][:, :, None].to(x.dtype)
        sin = self._sin[positions][:, :, None].to(x.dtype)
        plan = StepPlan(cos, sin, span, rows, positions, every_row, at, mask)
        for layer in self.layers:
            x = layer(x, plan)
        if last_only:
            x = x[:, -1]
        return self.output(self.norm(x))

    @classmethod
    def from_hf(cls, hf_model: Any) -> FastLlama:
        """Copy weights out of a transformers Llama-layout causal LM (same device and dtype)."""
        state = hf_model.state_dict()
        s = LlamaShape.from_hf(hf_model.config, state)
        rotary = getattr(getattr(hf_model, "model", None), "rotary_emb", None)
        if rotary is None or not hasattr(rotary, "inv_freq"):
            raise ConfigError(
                f"model type '{hf_model.config.model_type}' has no Llama-style rotary embedding",
                fix="the fast engine supports Llama-layout models (Llama, SmolLM, Mistral, "
                "Qwen2); use generate() with the default HF stepper for others")
        ref = state["model.embed_tokens.weight"]
        with torch.device("meta"):
            model = cls(s, torch.empty(s.head_dim // 2), getattr(rotary, "attention_scaling", 1.0))
        model = model.to_empty(device=ref.device).to(ref.dtype)
        model.inv_freq = rotary.inv_freq.detach().float().to(ref.device).clone()
        model.load_state_dict(_convert_state(state, s), strict=True)
        return model.eval()


def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """HF's rotate-half RoPE without building the rotated copy: x [B, T, H, D], cos/sin
    [B, T, 1, D/2] (the two halves of HF's table are equal). Returns a new tensor."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    if torch.compiler.is_compiling():  # dynamo refuses out= views; inductor fuses this anyway
        return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    out = torch.empty_like(x)
    torch.mul(x1, cos, out=out[..., :half]).addcmul_(x2, sin, value=-1)
    torch.mul(x2, cos, out=out[..., half:]).addcmul_(x1, sin)
    return out


def _convert_state(state: dict[str, torch.Tensor], s: LlamaShape) -> dict[str, torch.Tensor]:
    """HF parameter names -> ours, fusing q/k/v and gate/up; refuse what we cannot place."""
    state = dict(state)
    out: dict[str, torch.Tensor] = {}

    def take(name: str) -> torch.Tensor:
        if name not in state:
            raise ConfigError(f"the model has no parameter '{name}': not a Llama-layout model",
                              fix="use generate() with the default HF stepper for this model")
        return state.pop(name)

    out["tok_embeddings.weight"] = take("model.embed_tokens.weight")
    out["norm.weight"] = take("model.norm.weight")
    out["output.weight"] = state.pop("lm_head.weight", out["tok_embeddings.weight"])
    for i in range(s.layers):
        hf, ours = f"model.layers.{i}.", f"layers.{i}."
        attn, mlp = hf + "self_attn.", hf + "mlp."
        out[ours + "attention.wqkv.weight"] = torch.cat(
            [take(attn + "q_proj.weight"), take(attn + "k_proj.weight"),
             take(attn + "v_proj.weight")])
        if s.qkv_bias:
            out[ours + "attention.wqkv.bias"] = torch.cat(
                [take(attn + "q_proj.bias"), take(attn + "k_proj.bias"),
                 take(attn + "v_proj.bias")])
        out[ours + "attention.wo.weight"] = take(attn + "o_proj.weight")
        out[ours + "feed_forward.w13.weight"] = torch.cat(
            [take(mlp + "gate_proj.weight"), take(mlp + "up_proj.weight")])
        out[ours + "feed_forward.w2.weight"] = take(mlp + "down_proj.weight")
        if s.mlp_bias:
            out[ours + "feed_forward.w13.bias"] = torch.cat(
                [take(mlp + "gate_proj.bias"), take(mlp + "up_proj.bias")])
            out[ours + "feed_forward.w2.bias"] = take(mlp + "down_proj.bias")
        out[ours + "attention_norm.weight"] = take(hf + "input_layernorm.weight")
        out[ours + "ffn_norm.weight"] = take(hf + "post_attention_layernorm.weight")
    leftover = [k for k in state if not k.endswith("rotary_emb.inv_freq")]
    if leftover:
        raise ConfigError(
            f"the fast engine cannot place {len(leftover)} parameters (e.g. {leftover[0]})",
            fix="use generate() with the default HF stepper for this model architecture")
    return out
