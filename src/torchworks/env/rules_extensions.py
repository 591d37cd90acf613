"""Rules about compiled files that cannot load into this interpreter and this torch.

The classic cases: a companion wheel built for another Python (torchao's
`_C_mxfp8.cpython-310-x86_64-linux-gnu.so` in a 3.11 venv), a CUDA build of a companion next
to a CPU torch, a CUDA 13 extension with a CUDA 12 torch, and packages built for numpy 1 under
numpy 2. All are judged from file names, DT_NEEDED lists and metadata, never by loading.
"""

from __future__ import annotations

import re

from torchworks.env.companions import version_parts
from torchworks.env.facts import Facts, NativeExtension
from torchworks.env.findings import Finding, Severity
from torchworks.env.tables import WHEEL_INDEX


def torch_index_tag(facts: Facts) -> str | None:
    """The download.pytorch.org index torch came from: its local tag, else its CUDA build."""
    version = facts.packages.versions.get("torch") or facts.torch.version or ""
    tag = version.partition("+")[2]
    if tag:
        return tag
    if facts.torch.status != "ok":
        return None
    return f"cu{facts.torch.cuda.replace('.', '')}" if facts.torch.cuda else "cpu"


def _problems(ext: NativeExtension, facts: Facts) -> list[str]:
    problems = []
    py = version_parts(facts.system.python_version)
    if ext.python_tag and ext.python_tag.startswith("cpython-") and len(py) >= 2 \
            and ext.python_tag != f"cpython-{py[0]}{py[1]}":
        digits = ext.python_tag.removeprefix("cpython-")
        problems.append(f"built for Python {digits[0]}.{digits[1:]}, this is "
                        f"{py[0]}.{py[1]}")
    libs = ext.torch_libs or []
    torch_ok = facts.torch.status == "ok"
    cpu_torch = torch_ok and facts.torch.cuda is None and facts.torch.hip is None
    if cpu_torch and any(lib.startswith(("libtorch_cuda", "libc10_cuda")) for lib in libs):
        problems.append("needs a CUDA torch (links libtorch_cuda.so); torch is a CPU build")
    runtime = next((m.group(1) for lib in libs if (m := re.match(r"libcudart\.so\.(\d+)", lib))),
                   None)
    if torch_ok and facts.torch.cuda and runtime and runtime != facts.torch.cuda.split(".")[0]:
        problems.append(f"links the CUDA {runtime} runtime; torch is built with CUDA "
                        f"{facts.torch.cuda}")
    return problems


def native_extensions(facts: Facts) -> list[Finding]:
    extensions = facts.packages.extensions
    if not extensions:
        return []
    findings = []
    for package in sorted({e.package for e in extensions}):
        bad = [(e, problems) for e in extensions if e.package == package
               if (problems := _problems(e, facts))]
        if not bad:
            continue
        shown = "; ".join(f"{e.path}: {', '.join(p)}" for e, p in bad[:3]) + \
            ("; ..." if len(bad) > 3 else "")
        version = facts.packages.versions.get(package)
        tag = torch_index_tag(facts)
        pin = f"'{package}=={version}'" if version else package
        fix = (f"pip install --force-reinstall --no-deps {pin} --index-url {WHEEL_INDEX}/{tag}"
               "  # the build made for this torch" if tag else
               f"reinstall torch and {package} together (see torch.* findings)")
        findings.append(Finding(
            f"packages.{package}_binaries", Severity.ERROR, shown,
            f"these files fail to load ('Failed to load ...' / 'Could not load this library' "
            f"at every import) and {package} runs without their kernels", fix))
    if not findings:
        findings.append(Finding("packages.binaries_ok", Severity.OK,
                                f"{len(extensions)} compiled file(s) of torch's companions fit "
                                "this Python and this torch", "they load"))
    return findings


def _allows(spec: str, version: str) -> bool | None:
    """Whether `version` satisfies a PEP 440 specifier; None when it cannot be judged."""
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version
    except ImportError:
        return None
    try:
        return Version(version) in SpecifierSet(spec, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None


def numpy_abi(facts: Facts) -> list[Finding]:
    """Packages that cap numpy below the installed major: built against numpy 1's C API,
    they fail under numpy 2 with 'A module that was compiled using NumPy 1.x cannot be run
    in NumPy 2.x' (or crash in _ARRAY_API)."""
    numpy = facts.packages.versions.get("numpy")
    requirements = facts.packages.numpy_requirements
    if not numpy or not requirements:
        return []
    major = version_parts(numpy)[:1]
    capped = sorted(name for name, spec in requirements.items()
                    if spec != "*" and _allows(spec, numpy) is False
                    and _allows(spec, f"{major[0] - 1}.26.4" if major else "0") is not False)
    if not capped:
        return []
    shown = ", ".join(f"{n} ({requirements[n]})" for n in capped)
    return [Finding("packages.numpy_abi", Severity.ERROR,
                    f"numpy {numpy} is installed but {shown} require an older numpy",
                    "their compiled extensions use the older numpy C API: importing them fails "
                    "with 'A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x'",
                    f"pip install --upgrade {' '.join(capped)}  # releases built for numpy "
                    f"{major[0] if major else '?'}; or pip install 'numpy<{major[0]}'"
                    if major else f"pip install --upgrade {' '.join(capped)}")]
