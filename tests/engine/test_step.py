"""Optimizer steps: accumulation equals one big batch, clipping bounds the update."""

from __future__ import annotations

import torch

from torchworks.engine.step import backward, is_update_step, optimizer_step


def _model_and_data() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.nn.Linear(6, 3), torch.randn(8, 6), torch.randint(0, 3, (8,))


def test_two_accumulated_half_batches_equal_one_full_batch() -> None:
    model, x, y = _model_and_data()
    twin = torch.nn.Linear(6, 3)
    twin.load_state_dict(model.state_dict())
    opt_full = torch.optim.SGD(model.parameters(), lr=0.1)
    backward(torch.nn.functional.cross_entropy(model(x), y))
    optimizer_step(opt_full, model)

    opt_acc = torch.optim.SGD(twin.parameters(), lr=0.1)
    for micro, (xb, yb) in enumerate(zip(x.chunk(2), y.chunk(2), strict=True)):
        backward(torch.nn.functional.cross_entropy(twin(xb), yb) / 2)
        if is_update_step(micro, 2):
            optimizer_step(opt_acc, twin)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_clipping_reports_the_norm_and_caps_the_gradient() -> None:
    model, x, y = _model_and_data()
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    backward(1000 * torch.nn.functional.cross_entropy(model(x), y))
    norm = optimizer_step(optimizer, model, clip_norm=0.5)
    assert norm is not None and norm > 0.5
    moved = torch.cat([(p.detach() - b).flatten() for p, b in zip(model.parameters(), before,
                                                                     strict=True)])
    assert float(moved.norm()) <= 0.5 + 1e-5  # lr 1.0: the step is the clipped gradient
    assert all(p.grad is None for p in model.parameters())
