#!/usr/bin/env bash
# Issue 15's compiled route, measured and not adopted: the claim checker's modules compiled with
# mypyc (PyPI `mypy`, pinned below) in a scratch copy of src/, then the findings digest (must
# equal the pure-Python one) and the timing table beside this tree's pure-Python checker.
#   benchmarks/claims_mypyc.sh [--timing 1000,8000,50000]   (needs gcc and Python headers)
# Nothing here touches src/ or .venv: mypy goes into a venv under a temporary folder, and the
# compiled modules only run with that copy first on PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base=$("$python" -c 'import sys; print(sys.base_prefix)')/bin/python3
"$base" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check mypy==2.4.1
cp -r src "$work/src"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
claims=torchworks/recipes/patents/claims
modules=(wordforms terms ordinal_lists tokens chain rules_antecedent basis_grading basis_exceptions
         rules_introduction rules_structure rules_language rules_form parse references findings
         render lexicon memo check)
files=()
for module in "${modules[@]}"; do files+=("$claims/$module.py"); done
began=$(date +%s.%N)
(cd "$work/src" && "$work/venv/bin/mypyc" "${files[@]}" >"$work/build.log" 2>&1) \
  || { tail -20 "$work/build.log"; exit 1; }
echo "mypyc build of ${#modules[@]} modules: $(echo "$(date +%s.%N) - $began" | bc) s wall, load $(cut -d' ' -f1 /proc/loadavg)"
echo "pure Python: $(PYTHONPATH=src "$python" benchmarks/claims_checker.py --digest)"
echo "mypyc:       $(PYTHONPATH="$work/src" "$python" benchmarks/claims_checker.py --digest)"
PYTHONPATH=src "$python" benchmarks/claims_checker.py --before "mypyc=$work/src" "$@"
