"""The Llama step as a pure function of (tokens, past KV) -> (logits, present KV), for ONNX.

ONNX graphs cannot update a preallocated cache in place the way `FastLlama` does, so the
exported graph takes the past keys/values as inputs and returns them grown by the new tokens
(the layout Hugging Face's ONNX exports use). Shapes, batch fixed at 1:
    input_ids [1, T] int64, past_k / past_v [layers, 1, P, kv_heads, head_dim] float32
 -> logits [1, T, vocab], present_k / present_v [layers, 1, P + T, kv_heads, head_dim].
The weights are FastLlama's, so the graph computes exactly what the eager reference computes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from torchworks.llm.llama import FastLlama


class OnnxLlamaStep(nn.Module):
    def __init__(self, model: FastLlama) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, past_k: torch.Tensor,
                past_v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        m, s = self.model, self.model.s
        t = input_ids.shape[1]
        p = past_k.shape[2]
        positions = torch.arange(t, device=input_ids.device) + p
        freqs = positions[:, None].float() * m.inv_freq
        cos = (freqs.cos() * m.rope_scale)[None, :, None, :]
        sin = (freqs.sin() * m.rope_scale)[None, :, None, :]
        keys_pos = torch.arange(p + t, device=input_ids.device)
        mask = (keys_pos[None, :] <= positions[:, None])[None, None]  # [1, 1, T, P+T]
        x = m.tok_embeddings(input_ids)
        presents_k, presents_v = [], []
        for i, layer in enumerate(m.layers):
            attn = layer.attention
            h = layer.attention_norm(x)
            q, k, v = attn.wqkv(h).split(
                [s.heads * s.head_dim, s.kv_heads * s.head_dim, s.kv_heads * s.head_dim], dim=-1)
            q = _rope_graph(q.view(1, t, s.heads, s.head_dim), cos, sin)
            k = _rope_graph(k.view(1, t, s.kv_heads, s.head_dim), cos, sin)
            v = v.view(1, t, s.kv_heads, s.head_dim)
            k = torch.cat([past_k[i], k], dim=1)
            v = torch.cat([past_v[i], v], dim=1)
            presents_k.append(k)
            presents_v.append(v)
            groups = s.heads // s.kv_heads
            keys = k.repeat_interleave(groups, dim=2).transpose(1, 2)
            values = v.repeat_interleave(groups, dim=2).transpose(1, 2)
            out = F.scaled_dot_product_attention(q.transpose(1, 2), keys, values, attn_mask=mask)
            x = x + attn.wo(out.transpose(1, 2).reshape(1, t, s.heads * s.head_dim))
            x = x + layer.feed_forward(layer.ffn_norm(x))
        logits = m.output(m.norm(x))
        return logits, torch.stack(presents_k), torch.stack(presents_v)


def _rope_graph(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """The same rotate-half RoPE as FastLlama's, as exportable ops (cos/sin: half width)."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


def export_onnx(model: FastLlama, path: str) -> None:
    """Write the step graph to `path` (dynamic T and P), checked by onnx.checker."""
    import onnx

    s = model.s
    step = OnnxLlamaStep(model).eval()
    ids = torch.zeros(1, 3, dtype=torch.long)
    past = torch.zeros(s.layers, 1, 2, s.kv_heads, s.head_dim)
    with torch.no_grad():
        torch.onnx.export(
            step, (ids, past, past), path,
            input_names=["input_ids", "past_k", "past_v"],
            output_names=["logits", "present_k", "present_v"],
            dynamic_axes={"input_ids": {1: "tokens"}, "past_k": {2: "past"},
                          "past_v": {2: "past"}, "logits": {1: "tokens"},
                          "present_k": {2: "total"}, "present_v": {2: "total"}},
            opset_version=17, dynamo=False,
        )
    onnx.checker.check_model(path)
