"""Which release of each torch companion belongs with a torch release.

torchvision, torchaudio and torchao ship compiled extensions built against one torch release
(and one CUDA build); triton is pinned by torch's own wheel metadata. Tables live in
tables.py; this module turns them into versions and pip pins.
"""

from __future__ import annotations

from torchworks.env.tables import TORCH_COMPANIONS, TORCHAO_MIN_TORCH, TORCHVISION_FOR_TORCH


def version_parts(version: str) -> tuple[int, ...]:
    """'2.9.1+cu128' -> (2, 9, 1); stops at the first non-numeric part ('2.10.0.dev1' ->
    (2, 10, 0))."""
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def major_minor(version: str) -> str:
    parts = version_parts(version)
    return f"{parts[0]}.{parts[1]}" if len(parts) >= 2 else version


def expected_torchvision(torch_version: str) -> str | None:
    """torchvision major.minor for a torch release: the table, then torchvision's rule
    (0.<minor + 15> for torch 2.x) for releases newer than the table."""
    mm = major_minor(torch_version)
    if mm in TORCHVISION_FOR_TORCH:
        return TORCHVISION_FOR_TORCH[mm]
    parts = version_parts(torch_version)
    return f"0.{parts[1] + 15}" if len(parts) >= 2 and parts[0] == 2 else None


def expected_torchaudio(torch_version: str) -> str:
    """torchaudio shares torch's major.minor."""
    return major_minor(torch_version)


def torchao_min_torch(torchao_version: str) -> str | None:
    return TORCHAO_MIN_TORCH.get(major_minor(torchao_version))


def newest_torchao_for(torch_version: str) -> str | None:
    """The newest torchao (major.minor) in the table whose extensions load into this torch."""
    have = version_parts(torch_version)
    fitting = [ao for ao, least in TORCHAO_MIN_TORCH.items() if version_parts(least) <= have]
    return max(fitting, key=version_parts) if fitting else None


def companion_pins(torch_version: str, installed: dict[str, str]) -> list[str]:
    """pip requirement strings for the companions that are installed, to go with torch."""
    pins = []
    for name in TORCH_COMPANIONS:
        if name not in installed:
            continue
        if name == "torchvision":
            wanted = expected_torchvision(torch_version)
        elif name == "torchaudio":
            wanted = expected_torchaudio(torch_version)
        elif name == "torchao":
            wanted = newest_torchao_for(torch_version)
        else:  # triton: torch's wheel pins it; naming it lets pip replace a stray one
            wanted = None
        pins.append(f"{name}=={wanted}.*" if wanted else name)
    return pins
