"""Out-of-memory advice, single-process distributed defaults, the compile switch."""

from __future__ import annotations

import pytest
import torch

from torchworks.engine.compile import is_compiled, maybe_compile, unwrap_model
from torchworks.engine.distributed import all_reduce_sum, init_distributed
from torchworks.engine.oom import OutOfMemory, explain_oom

CPU = torch.device("cpu")


def test_real_oom_becomes_advice_with_what_to_lower() -> None:
    with pytest.raises(OutOfMemory) as info, explain_oom(batch_size=512, device=CPU, accumulate=1):
        torch.empty(1 << 62, dtype=torch.uint8)  # 4 EiB: the allocator refuses
    message = str(info.value)
    assert "batch size 512" in message and "--batch-size to 256" in message
    assert "--grad-accum to 2" in message


def test_other_errors_pass_through() -> None:
    with pytest.raises(ValueError, match="unrelated"), explain_oom(batch_size=8, device=CPU):
        raise ValueError("unrelated")


def test_without_torchrun_everything_is_single_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    info = init_distributed("cpu")
    assert (info.rank, info.world_size, info.enabled, info.is_main) == (0, 1, False, True)
    values = torch.tensor([1.0, 2.0])
    assert torch.equal(all_reduce_sum(values, info), values)


def test_compile_switch_off_returns_the_model_itself() -> None:
    model = torch.nn.Linear(2, 2)
    assert maybe_compile(model, enabled=False, device=CPU) is model
    assert not is_compiled(model)


@pytest.mark.slow
def test_compiled_model_matches_eager_and_unwraps() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    compiled = maybe_compile(model, enabled=True, device=CPU)
    x = torch.randn(4, 8)
    torch.testing.assert_close(compiled(x), model(x))
    assert is_compiled(compiled) and unwrap_model(compiled) is model
    assert set(unwrap_model(compiled).state_dict()) == set(model.state_dict())
