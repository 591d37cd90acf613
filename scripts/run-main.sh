#!/usr/bin/env bash
# The main job on embedded defaults: diagnose this machine, then a short demo.
set -uo pipefail
cd "$(dirname "$0")/.."
tw=.venv/bin/torchworks
$tw doctor
status=$?
[ $status -eq 2 ] && echo "run: the doctor found errors (above); the demo runs anyway."
exec $tw demo
