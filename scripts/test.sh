#!/usr/bin/env bash
# Install kb with its test tools (and Debian's Chromium for the browser tests),
# then lint, type-check and run every test.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
echo "== ruff"; ruff check kb macros tests benchmarks
echo "== mypy"; mypy
echo "== import contracts"; lint-imports --no-cache
echo "== pytest"; pytest -q "$@"
