"""Errors a user can meet and fix.

The CLI prints these as one clean line (plus the fix) and an exit code, never a traceback, so
every message must say what was wrong and what to do about it.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class TorchworksError(Exception):
    """A problem the user can fix; `fix` is the exact command, flag or value to use."""

    exit_code = 2

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"


class ConfigError(TorchworksError):
    """Bad arguments, YAML values or overrides."""


class DataError(TorchworksError):
    """Missing, corrupt or malformed input data."""


class DependencyError(TorchworksError):
    """An optional dependency is not installed."""


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency or say which torchworks extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyError(
            f"this needs the Python package '{module}', which is not importable ({exc})",
            fix=f"pip install 'torchworks[{extra}]'",
        ) from exc
