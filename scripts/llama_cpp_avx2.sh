#!/usr/bin/env bash
# A copy of .venv's llama-cpp-python held to AVX2 (no AVX-512, VNNI or AMX), for
# `benchmarks/llm_inference.py --isa avx2`: llama.cpp's speed on a CPU without AVX-512, measured
# on one that has it. `make llama-cpp` builds llama.cpp with -march=native, and the package has
# no runtime switch to a lesser code path (it is not a GGML_BACKEND_DL build), so this rebuilds
# only its CPU backend (libggml-cpu, about 10 minutes on 2 cores) from the same sdist with
# GGML_NATIVE=OFF and AVX2 + FMA + F16C, then copies the installed package next to it with that
# library swapped in. .venv itself is left as it is.
#
#   scripts/llama_cpp_avx2.sh [DEST]      (DEST default: .llama-avx2; never run in CI)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.llama-avx2}
python=.venv/bin/python
version=$("$python" -c "import importlib.metadata as m; print(m.version('llama_cpp_python'))") || {
    echo "llama-cpp-python is not in .venv: run make llama-cpp first" >&2; exit 1; }
package=$("$python" -c "import llama_cpp, os; print(os.path.dirname(llama_cpp.__file__))")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m pip download "llama-cpp-python==$version" --no-deps --no-binary :all: -d "$work" -q
tar xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
cmake -S "$work/llama_cpp_python-$version/vendor/llama.cpp" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF -DGGML_AVX=ON \
    -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF \
    -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF \
    -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_OPENMP=ON -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF
nice -n 10 cmake --build "$work/build" --target ggml-cpu -j "$(nproc)"
partial="$dest.partial"
rm -rf "$partial"
mkdir -p "$partial"
cp -a "$package" "$partial/llama_cpp"
built=$(find "$work/build" -name 'libggml-cpu.so.0.*' -type f | head -1)
for lib in "$partial"/llama_cpp/lib/libggml-cpu.so*; do
    [ -L "$lib" ] || cp "$built" "$lib"
done
rm -rf "$dest"
mv "$partial" "$dest"
PYTHONPATH="$dest" "$python" -c "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
