#!/usr/bin/env bash
# Install kb with its test tools, then lint, type-check and run every test.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
echo "== ruff"; ruff check kb macros tests benchmarks
echo "== mypy"; mypy
echo "== pytest"; pytest -q "$@"
