# The two set-up commands from the README. Both create or reuse .venv and install what they need.
.PHONY: run test lint

run:
	@scripts/bootstrap.sh
	@scripts/run-main.sh

test:
	@scripts/bootstrap.sh --test-tools
	.venv/bin/python -m pytest -m "not slow" -q

lint:
	.venv/bin/ruff check .
