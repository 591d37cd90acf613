"""Small real models to exercise the server without any recipe: smoke tests, load tests, demos.

- `toy-mlp`: an MLP classifier (random init, or `mlp.pt` from a registry version). Its batched
  forward is a matrix product, far cheaper per item than one matrix-vector product per
  request, which is exactly what dynamic batching exploits.
- `toy-echo`: returns its input; measures the server's own overhead.
- `toy-gen`: a character-level GRU language model driven by the continuous-batching scheduler
  (one GRUCell step for the whole running batch).

They are served like any recipe: `torchworks serve --services toy-mlp,toy-gen`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from pydantic import BaseModel, Field
from torch import nn

from torchworks.serving.generation import GenerationRequest, GenerationSpec
from torchworks.serving.service import ServiceSpec

MLP_WEIGHTS = "mlp.pt"
GRU_WEIGHTS = "gru.pt"


class MLPRequest(BaseModel):
    features: list[float] = Field(min_length=1, max_length=4096,
                                  description="one feature vector (length: the model's in_dim)")


class MLPResponse(BaseModel):
    label: int
    scores: list[float]


def build_mlp(in_dim: int = 64, hidden: int = 1024, classes: int = 10, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, classes)).eval()


class MLPPredictor:
    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.in_dim = model[0].in_features

    def predict(self, batch: Sequence[MLPRequest]) -> list[MLPResponse | Exception]:
        results: list[MLPResponse | Exception] = [
            ValueError(f"features: expected {self.in_dim} values, got {len(r.features)}")
            for r in batch]
        good = [i for i, r in enumerate(batch) if len(r.features) == self.in_dim]
        if good:
            with torch.inference_mode():
                x = torch.tensor([batch[i].features for i in good], dtype=torch.float32)
                scores = torch.softmax(self.model(x), dim=-1)
            for i, row in zip(good, scores.tolist(), strict=True):
                results[i] = MLPResponse(label=max(range(len(row)), key=row.__getitem__),
                                         scores=[round(s, 6) for s in row])
        return results

    def warmup_request(self) -> MLPRequest:
        return MLPRequest(features=[0.0] * self.in_dim)

    def close(self) -> None:
        self.model = None  # type: ignore[assignment]


def load_mlp(version_dir: Path | None, *, in_dim: int = 64, hidden: int = 1024) -> MLPPredictor:
    """Random-init weights for the embedded default; `mlp.pt` (a state dict) for a version."""
    model = build_mlp(in_dim, hidden)
    if version_dir is not None:
        state = torch.load(Path(version_dir) / MLP_WEIGHTS, map_location="cpu",
                           weights_only=True)
        model = build_mlp(state["0.weight"].shape[1], state["0.weight"].shape[0],
                          state["4.weight"].shape[0])
        model.load_state_dict(state)
    return MLPPredictor(model.eval())


def mlp_spec(hidden: int = 1024, **overrides: object) -> ServiceSpec:
    """`overrides` replace ServiceSpec fields (e.g. max_batch_size=1 to turn batching off)."""
    settings: dict[str, object] = dict(
        name="toy-mlp", route="toy/mlp", request_type=MLPRequest, response_type=MLPResponse,
        load=functools.partial(load_mlp, hidden=hidden), max_batch_size=32, max_queue_delay_ms=2.0,
        description="toy MLP classifier (real torch forward)")
    settings.update(overrides)
    return ServiceSpec(**settings)  # type: ignore[arg-type]


class EchoRequest(BaseModel):
    x: float


class EchoPredictor:
    def predict(self, batch: Sequence[EchoRequest]) -> list[EchoRequest]:
        return list(batch)

    def warmup_request(self) -> EchoRequest:
        return EchoRequest(x=0.0)

    def close(self) -> None:
        return None


def echo_spec() -> ServiceSpec:
    return ServiceSpec(name="toy-echo", route="toy/echo", request_type=EchoRequest,
                       response_type=EchoRequest, load=lambda _dir: EchoPredictor(),
                       max_batch_size=64, max_queue_delay_ms=0.0,
                       description="returns its input: the server's own overhead")


# ---- generation: a character-level GRU ------------------------------------------------------

CHARS = "".join(chr(c) for c in range(32, 127))  # printable ASCII; id len(CHARS) is EOS
EOS = len(CHARS)


class CharGRU(nn.Module):
    def __init__(self, hidden: int = 256, embed: int = 32, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.embed = nn.Embedding(EOS + 1, embed)
        self.cell = nn.GRUCell(embed, hidden)
        self.head = nn.Linear(hidden, EOS + 1)


@dataclass
class GRUState:
    h: torch.Tensor  # [hidden], this sequence's recurrent state after its last input token


class GRUGenerator:
    """GenerationModel for CharGRU. Random init never favours EOS; use stop strings or
    max_new_tokens to end sequences (a trained `gru.pt` may end them itself)."""

    def __init__(self, model: CharGRU, max_context: int = 8192) -> None:
        self.model = model.eval()
        self.stop_token_ids = frozenset({EOS})
        self.max_context = max_context

    def encode(self, request: GenerationRequest) -> list[int]:
        bad = sorted({c for c in request.prompt if c not in CHARS})
        if bad:
            raise ValueError(f"prompt: characters {bad[:5]} are outside printable ASCII")
        return [CHARS.index(c) for c in request.prompt]

    @torch.inference_mode()
    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[GRUState], torch.Tensor]:
        """Prompts step together, padded; a finished prompt's state stops changing."""
        longest = max(len(p) for p in prompts)
        h = torch.zeros(len(prompts), self.model.cell.hidden_size)
        for t in range(longest):
            active = torch.tensor([t < len(p) for p in prompts])
            tokens = torch.tensor([p[t] if t < len(p) else 0 for p in prompts])
            stepped = self.model.cell(self.model.embed(tokens), h)
            h = torch.where(active[:, None], stepped, h)
        return [GRUState(row.clone()) for row in h], self.model.head(h)

    @torch.inference_mode()
    def decode(self, states: Sequence[GRUState], tokens: Sequence[int]) -> torch.Tensor:
        h = self.model.cell(self.model.embed(torch.tensor(list(tokens))),
                            torch.stack([s.h for s in states]))
        for state, row in zip(states, h, strict=True):
            state.h = row
        return self.model.head(h)

    def release(self, state: GRUState) -> None:
        state.h = torch.empty(0)

    def detokenize(self, token_ids: Sequence[int]) -> str:
        return "".join(CHARS[t] for t in token_ids if t < EOS)

    def warmup_request(self) -> GenerationRequest:
        return GenerationRequest(prompt="warm up", max_new_tokens=4)

    def close(self) -> None:
        self.model = None  # type: ignore[assignment]


def load_gru(version_dir: Path | None, *, hidden: int = 256) -> GRUGenerator:
    model = CharGRU(hidden)
    if version_dir is not None:
        state = torch.load(Path(version_dir) / GRU_WEIGHTS, map_location="cpu", weights_only=True)
        model = CharGRU(state["head.weight"].shape[1])
        model.load_state_dict(state)
    else:
        with torch.no_grad():  # random init: keep EOS unlikely so sequences run to their limits
            model.head.bias[EOS] = -30.0
    return GRUGenerator(model)


def gru_spec(hidden: int = 256, **overrides: object) -> GenerationSpec:
    settings: dict[str, object] = dict(name="toy-gen", route="toy/generate",
                                       load=functools.partial(load_gru, hidden=hidden),
                                       max_running=16, description="toy character-level GRU")
    settings.update(overrides)
    return GenerationSpec(**settings)  # type: ignore[arg-type]
