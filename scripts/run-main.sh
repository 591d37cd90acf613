#!/usr/bin/env bash
# The main job on embedded defaults: diagnose this machine, then start the platform with every
# service and the workbench page on 127.0.0.1 (PORT to change the port). Ctrl-C drains and stops.
set -uo pipefail
cd "$(dirname "$0")/.."
tw=.venv/bin/torchworks
$tw doctor
[ $? -eq 2 ] && echo "run: the doctor found errors (above); starting the platform anyway."
exec $tw serve --host 127.0.0.1 --port "${PORT:-8000}"
