# Sourced by site.sh and test.sh: make .venv, install kb with pinned versions,
# and install the front-end libraries from the npm registry. Re-running is
# cheap: nothing is installed again unless its pins changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.kb-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]' 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import kb, torch, yaml, networkx, mkdocs, material" # fail here if the install did not work
  echo "$want" > "$stamp"
fi
npm_stamp=node_modules/.kb-installed
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
