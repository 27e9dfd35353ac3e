#!/usr/bin/env bash
# The one test command (README "Test"). From a fresh clone it installs what the tests need
# (npm packages incl. Node 22, a Python venv with pinned dev requirements; the PostgreSQL
# harness installs the server from Debian's packages if it is missing) and runs every suite:
# typecheck, lint, the mocha unit suite, the engine suite (the real Pulumi CLI against stand-ins
# of the Datadog API and the Docker daemon, and a real kube-apiserver), and the pytest suites for
# the code inside the containers.
#
# Side by side, to use both cores (docs/testing.md, "Speed"): the Python venv's install with the
# npm steps; then pytest and the engine suite in two shards. Each runs to its end with its output in
# .cache/test-logs/<name>.log, printed when it ends; any failure fails the command.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=.cache/test-logs
rm -rf "$logs" && mkdir -p "$logs"

PY=${PYTHON:-python3}
venv() {
    [ -x .venv/bin/python ] || "$PY" -m venv .venv
    # requirements.txt: the direct pins; constraints.txt: the complete lock (every indirect one too).
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -r tests/python/requirements.txt -c tests/python/constraints.txt
}
echo "== python venv (in the background: $logs/venv.log)"
venv > "$logs/venv.log" 2>&1 &
venv_pid=$!

echo "== npm ci (the program and, as its workspace, the policy pack in policy/: one lockfile)"
npm ci --no-audit --no-fund
# The machine's Node may be older than 22; the node@22 devDependency provides a real Node 22.
export PATH="$PWD/node_modules/.bin:$PATH"
node -e 'const m=+process.versions.node.split(".")[0]; if (m<22) { console.error("Node "+process.version+" < 22"); process.exit(1) }'
echo "== node $(node --version)"

echo "== typecheck, lint, unit tests (mocha)"
npm test

if ! wait "$venv_pid"; then cat "$logs/venv.log"; echo "== python venv: FAILED"; exit 1; fi

# The engine suite's two shards: the specs that spend their time waiting on processes and
# servers (the cluster, the clone's npm ci, the races) beside the others; every spec runs in one.
shard_a=(tests/engine/kubernetes.spec.ts tests/engine/firstRun.spec.ts tests/engine/stackFileRace.spec.ts tests/engine/docker.spec.ts)
shard_b=()
for f in tests/engine/*.spec.ts; do [[ " ${shard_a[*]} " == *" $f "* ]] || shard_b+=("$f"); done
engine() { mocha --no-config --require tsx/cjs --timeout 180000 --slow 30000 --reporter spec "$@"; }

# The toolchains unpacked (and checked) once, before the shards that share .cache/ start.
tsx -e 'import("./tests/engine/harness").then((h) => h.findToolchain()); import("./tests/engine/kubeApiServer").then((k) => k.findK8sToolchain())'

declare -A jobs=()
start() { local name=$1; shift; "$@" > "$logs/$name.log" 2>&1 & jobs[$name]=$!; echo "== $name: started ($logs/$name.log)"; }
start engine-a engine "${shard_a[@]}"
start engine-b engine "${shard_b[@]}"
start pytest .venv/bin/python -m pytest -c tests/python/pytest.ini tests/python

failed=()
for name in engine-a engine-b pytest; do
    if wait "${jobs[$name]}"; then status=passed; else status=FAILED; failed+=("$name"); fi
    echo "== $name: $status"
    cat "$logs/$name.log"
done
if [ ${#failed[@]} -gt 0 ]; then echo "== failed: ${failed[*]}"; exit 1; fi
echo "== every suite passed"
