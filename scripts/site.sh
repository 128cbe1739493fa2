#!/usr/bin/env bash
# Install kb and check the shipped knowledge base.
#   bash scripts/site.sh          check it (the static site build arrives with `kb build`)
set -euo pipefail
source "$(dirname "$0")/setup.sh"
kb check --strict "$@"
