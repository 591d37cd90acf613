# The two set-up commands from the README. Both create or reuse .venv and install what they need.
.PHONY: run test lint lock

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
