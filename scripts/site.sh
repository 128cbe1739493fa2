#!/usr/bin/env bash
# Install kb, check the shipped knowledge base and build its site into site/.
#   bash scripts/site.sh          build (strict: any stale figure or broken link fails)
#   bash scripts/site.sh serve    build, then serve it at http://127.0.0.1:8000 with live reload
set -euo pipefail
source "$(dirname "$0")/setup.sh"
kb build --strict
if [ "${1:-}" = "serve" ]; then
  kb serve
fi
