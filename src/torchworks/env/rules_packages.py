"""Rules about Python packages that must move in lockstep with torch (versions; their compiled
files are judged in rules_extensions.py)."""

from __future__ import annotations

from torchworks.env.companions import (
    expected_torchaudio,
    expected_torchvision,
    major_minor,
    newest_torchao_for,
    torchao_min_torch,
    version_parts,
)
from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity
from torchworks.env.rules_gpu import torch_reinstall_command
from torchworks.env.tables import WHEEL_INDEX


def _local_tag(version: str) -> str:
    """'2.9.1+cu128' -> 'cu128'; no tag (plain PyPI) -> ''."""
    return version.partition("+")[2]


def _torch_fix(facts: Facts, pin: str) -> str:
    """pip command for one companion from torch's own index (a companion from another
    index is another build: the +cu128 torchvision does not run with a +cpu torch), unless
    torch itself must be reinstalled: then that one command moves the companion too."""
    reinstall = torch_reinstall_command(facts)
    if reinstall:
        return f"{reinstall.split('  #')[0]}  # the torch fix, which moves the companions too"
    tag = _local_tag(facts.packages.versions["torch"])
    index = f" --index-url {WHEEL_INDEX}/{tag}" if tag else ""
    return f"pip install '{pin}'{index}"


def _pair(facts: Facts, name: str, have: str, expected: str, why: str) -> Finding:
    torch_version = facts.packages.versions["torch"]
    tags = (_local_tag(torch_version), _local_tag(have))
    if major_minor(have) == expected and (tags[0] == tags[1] or "" in tags):
        return Finding(f"packages.{name}_ok", Severity.OK,
                       f"{name} {have} matches torch {torch_version}", "built against this torch")
    return Finding(f"packages.{name}_mismatch", Severity.ERROR,
                   f"{name} {have} with torch {torch_version} (expected {name} {expected}.x"
                   f"{' +' + tags[0] if tags[0] else ''})", why,
                   _torch_fix(facts, f"{name}=={expected}.*"))


def companions(facts: Facts) -> list[Finding]:
    """torchvision/torchaudio built for another torch fail with undefined symbols or
    'operator torchvision::nms does not exist'; a triton other than torch's pin breaks
    torch.compile; torchao older than its torch minimum skips its extensions."""
    versions = facts.packages.versions
    torch_version = versions.get("torch")
    if not torch_version:
        return []
    compiled = ("is compiled against one torch release and build: a mismatch fails at import "
                "or with 'operator ... does not exist'")
    findings = []
    for name, expected in (("torchvision", expected_torchvision(torch_version)),
                           ("torchaudio", expected_torchaudio(torch_version))):
        if name in versions and expected is not None:
            findings.append(_pair(facts, name, versions[name], expected, f"{name} {compiled}"))
    findings += _triton(facts) + _torchao(facts)
    return findings


def _triton(facts: Facts) -> list[Finding]:
    have, pin = facts.packages.versions.get("triton"), facts.packages.torch_requires.get("triton")
    if have is None or pin is None:
        return []
    torch_version = facts.packages.versions["torch"]
    if version_parts(have) == version_parts(pin):
        return [Finding("packages.triton_ok", Severity.OK, f"triton {have} is the one torch "
                        f"{torch_version} pins", "torch.compile's GPU code generator matches")]
    return [Finding("packages.triton_mismatch", Severity.ERROR,
                    f"triton {have} with torch {torch_version}, whose wheel pins triton=={pin}",
                    "torch.compile (inductor) calls triton's internal API, which changes every "
                    "release: a different triton fails at the first compile",
                    _torch_fix(facts, f"triton=={pin}"))]


def _torchao(facts: Facts) -> list[Finding]:
    versions = facts.packages.versions
    have, torch_version = versions.get("torchao"), versions["torch"]
    least = torchao_min_torch(have) if have else None
    if least is None:
        return []
    if version_parts(torch_version) >= version_parts(least):
        return [Finding("packages.torchao_ok", Severity.OK, f"torchao {have} supports torch "
                        f"{torch_version} (needs >= {least})", "its extensions load")]
    fitting = newest_torchao_for(torch_version)
    fix = (_torch_fix(facts, f"torchao=={fitting}.*") if fitting else
           f"upgrade torch to >= {least} and its companions in one command")
    return [Finding("packages.torchao_mismatch", Severity.ERROR,
                    f"torchao {have} needs torch >= {least}; torch is {torch_version}",
                    "torchao then skips its compiled kernels (a warning on every import) and "
                    "its quantized variants run slow paths or fail", fix)]


def onnxruntime_flavours(facts: Facts) -> list[Finding]:
    """onnxruntime and onnxruntime-gpu install the same `onnxruntime` module over each other."""
    versions = facts.packages.versions
    if "onnxruntime" not in versions or "onnxruntime-gpu" not in versions:
        return []
    keep = "onnxruntime-gpu" if facts.nvml.gpus else "onnxruntime"
    return [Finding("packages.onnxruntime_conflict", Severity.WARN,
                    f"both onnxruntime {versions['onnxruntime']} and onnxruntime-gpu "
                    f"{versions['onnxruntime-gpu']} are installed",
                    "they overwrite each other's files: which execution providers exist depends "
                    "on install order, and CUDAExecutionProvider may silently be missing",
                    f"pip uninstall -y onnxruntime onnxruntime-gpu && pip install {keep}")]
