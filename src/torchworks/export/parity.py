"""Numeric parity between an exported model and eager PyTorch: max absolute difference.

Usage::

    report = check_parity(eager_module, load_exported(path).run, inputs, tolerance=1e-4)
    report.raise_if_failed()       # ExportParityError names the diff and the tolerance
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from torchworks.errors import TorchworksError


class ExportParityError(TorchworksError):
    """The exported model's outputs differ from eager PyTorch by more than the tolerance."""


@dataclass(frozen=True)
class ParityReport:
    max_abs_diff: float
    tolerance: float
    batch: int

    @property
    def passed(self) -> bool:
        return self.max_abs_diff <= self.tolerance

    def raise_if_failed(self, what: str = "exported model") -> None:
        if not self.passed:
            raise ExportParityError(
                f"{what} differs from eager PyTorch: max abs diff {self.max_abs_diff:.3g} > "
                f"tolerance {self.tolerance:.3g} (batch of {self.batch})",
                fix="check for ops the exporter approximates, or raise --tolerance if the "
                    "difference is acceptable")


def check_parity(reference: Callable[[torch.Tensor], torch.Tensor],
                 candidate: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor,
                 tolerance: float = 1e-4) -> ParityReport:
    """Run both on `inputs` and compare outputs elementwise (shapes must match)."""
    with torch.no_grad():
        expected = reference(inputs).float()
        actual = candidate(inputs).float()
    if expected.shape != actual.shape:
        raise ExportParityError(f"exported model returns shape {tuple(actual.shape)}, eager "
                                f"returns {tuple(expected.shape)}",
                                fix="export with a dynamic batch dimension")
    diff = float((expected - actual).abs().max()) if expected.numel() else 0.0
    return ParityReport(max_abs_diff=diff, tolerance=tolerance, batch=int(inputs.shape[0]))
