# The two set-up commands from the README. Both create or reuse .venv and install what they need.
.PHONY: run test lint lock llama-cpp llama-cpp-avx2

run:
	@scripts/bootstrap.sh
	@scripts/run-main.sh

test:
	@scripts/bootstrap.sh --test-tools
	.venv/bin/python -m pytest -m "not slow" -q

lint:
	.venv/bin/ruff check .

# Regenerate the hashed lock files in requirements/ after a dependency change (needs uv).
lock:
	@scripts/lock.sh

# llama.cpp for benchmarks/llm_inference.py's and llm_serve.py's side-by-side rows. pip builds llama.cpp from source
# (20-90 minutes on 2 cores), once, into the existing .venv; never run in CI.
llama-cpp:
	.venv/bin/python -m pip install 'llama-cpp-python[server]==0.3.36'

# The same llama.cpp held to AVX2 (no AVX-512/AMX) in .llama-avx2/, for llm_inference.py --isa avx2.
llama-cpp-avx2:
	@scripts/llama_cpp_avx2.sh
