"""The CUDA toolkit outside the wheels: nvcc (extension builds) and libraries that
LD_LIBRARY_PATH puts in front of the ones torch's wheel ships."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SHADOWING_LIBS = ("libcudnn", "libnccl")


def probe_nvcc() -> tuple[str | None, str | None]:
    """(path, "12.1") of the nvcc extension builds use: $CUDA_HOME/bin/nvcc first (what
    torch.utils.cpp_extension picks), then PATH."""
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH")
    candidates = [Path(home) / "bin" / "nvcc"] if home else []
    on_path = shutil.which("nvcc")
    candidates += [Path(on_path)] if on_path else []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                                 timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            return str(path), None
        match = re.search(r"release (\d+\.\d+)", out)
        return str(path), match.group(1) if match else None
    return (str(candidates[0]) if candidates else None), None


def probe_ld_library_path(value: str | None) -> list[str]:
    """cuDNN/NCCL files in LD_LIBRARY_PATH's directories (the loader searches them first)."""
    found = []
    for directory in (value or "").split(":"):
        try:
            names = sorted(os.listdir(directory)) if directory else []
        except OSError:
            continue
        found += [os.path.join(directory, n) for n in names
                  if n.startswith(SHADOWING_LIBS) and ".so" in n]
    return found
