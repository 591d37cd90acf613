"""Rules about the CUDA toolkit outside torch's wheel: nvcc for extension builds, and system
cuDNN/NCCL that LD_LIBRARY_PATH puts in front of the wheel's own copies."""

from __future__ import annotations

import os

from torchworks.env.companions import version_parts
from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity


def nvcc(facts: Facts) -> list[Finding]:
    """torch.utils.cpp_extension (and every package built from source against torch) compiles
    with $CUDA_HOME's nvcc: a different CUDA major refuses to build, another minor warns."""
    t, s = facts.torch, facts.system
    if t.status != "ok" or not t.cuda or s.nvcc_path is None:
        return []
    wanted = ".".join(map(str, version_parts(t.cuda)[:2]))
    fix = (f"export CUDA_HOME=/usr/local/cuda-{wanted}  # a toolkit matching torch; or "
           f"conda install -c nvidia cuda-toolkit={wanted}")
    if s.nvcc_version is None:
        return [Finding("toolkit.nvcc_missing", Severity.WARN,
                        f"CUDA_HOME points at {s.nvcc_path}, which is not a working nvcc",
                        "CUDA extensions built from source (pip install of packages with "
                        "CUDA code) fail to compile", fix)]
    seen = f"nvcc {s.nvcc_version} ({s.nvcc_path}); torch is built with CUDA {t.cuda}"
    have, need = version_parts(s.nvcc_version)[:2], version_parts(t.cuda)[:2]
    if have[:1] != need[:1]:
        return [Finding("toolkit.nvcc_mismatch", Severity.ERROR, seen,
                        "torch.utils.cpp_extension refuses to build: 'The detected CUDA version "
                        "mismatches the version that was used to compile PyTorch'", fix)]
    if have != need:
        return [Finding("toolkit.nvcc_minor", Severity.WARN, seen,
                        "extensions build (torch only warns for a minor mismatch) but may use "
                        "features torch's runtime lacks", fix)]
    return [Finding("toolkit.nvcc_ok", Severity.OK, seen, "CUDA extensions build against it")]


def ld_library_path(facts: Facts) -> list[Finding]:
    """A system cuDNN/NCCL in LD_LIBRARY_PATH wins over the wheel's nvidia-* copy: torch may
    still import, with another version than it was built for (wrong results, slow kernels,
    'CUDNN_STATUS_VERSION_MISMATCH' or missing symbols later)."""
    libs = facts.system.ld_library_path_libs
    raw = facts.env.get("LD_LIBRARY_PATH")
    t = facts.torch
    if not libs or raw is None or not t.cuda:
        return []
    dirs = sorted({os.path.dirname(p) for p in libs})
    loaded = [p for p in (t.loaded_libs or []) if os.path.dirname(p) in dirs]
    keep = ":".join(d for d in raw.split(":") if d and d not in dirs)
    fix = f"export LD_LIBRARY_PATH={keep}" if keep else "unset LD_LIBRARY_PATH"
    pins = ", ".join(f"{k} {v}" for k, v in sorted(facts.packages.torch_requires.items())
                     if "cudnn" in k or "nccl" in k)
    wheel = f" instead of the wheel's ({pins})" if pins else ""
    if loaded:
        return [Finding("toolkit.ld_library_path_shadows", Severity.ERROR,
                        f"torch loads {', '.join(loaded)} from LD_LIBRARY_PATH{wheel}",
                        "the loader searches LD_LIBRARY_PATH before the wheel's own libraries, "
                        "so torch runs with a cuDNN/NCCL it was not built with, even though it "
                        "imports", fix + "  # then torch finds its wheel's libraries")]
    if t.status == "ok" and t.loaded_libs is not None:
        return [Finding("toolkit.ld_library_path_libs", Severity.OK,
                        f"LD_LIBRARY_PATH holds {', '.join(libs[:3])}, but torch loads its own",
                        "torch's libraries are already loaded by full path", None)]
    return [Finding("toolkit.ld_library_path_libs", Severity.WARN,
                    f"LD_LIBRARY_PATH holds {', '.join(libs[:3])}",
                    f"they can shadow the cuDNN/NCCL torch's wheel brings{wheel}", fix)]
