#!/usr/bin/env bash
# The one test command (README "Test"). From a fresh clone it installs what the tests need
# (npm packages incl. Node 22, a Python venv with pinned dev requirements; the PostgreSQL
# harness installs the server from Debian's packages if it is missing) and runs every suite:
# typecheck, lint, the mocha unit suite, the engine suite (the real Pulumi CLI against stand-ins
# of the Datadog API and the Docker daemon), and the pytest suites for the code inside the containers.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== npm ci (the program and, as its workspace, the policy pack in policy/: one lockfile)"
npm ci --no-audit --no-fund
# The machine's Node may be older than 22; the node@22 devDependency provides a real Node 22.
export PATH="$PWD/node_modules/.bin:$PATH"
node -e 'const m=+process.versions.node.split(".")[0]; if (m<22) { console.error("Node "+process.version+" < 22"); process.exit(1) }'
echo "== node $(node --version)"

echo "== typecheck, lint, unit tests (mocha)"
npm test

echo "== engine tests (real Pulumi CLI and providers; toolchain from PATH or ../shared/toolchain)"
npm run test:engine

echo "== python venv"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# requirements.txt: the direct pins; constraints.txt: the complete lock (every indirect one too).
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r tests/python/requirements.txt -c tests/python/constraints.txt

echo "== pytest"
.venv/bin/python -m pytest -c tests/python/pytest.ini tests/python
