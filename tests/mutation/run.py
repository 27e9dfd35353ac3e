#!/usr/bin/env python3
"""The mutation runner: does a realistic bug, one at a time, fail a suite?

    python3 tests/mutation/run.py            # every fault
    python3 tests/mutation/run.py --list     # the faults, without running them
    python3 tests/mutation/run.py ID ...     # only these faults

It copies the work tree (git's tracked and untracked, not ignored, files) into a temporary folder,
runs the suites there once unchanged (they must pass), then for each fault of FAULTS below replaces
one snippet of one file in that copy, runs the suites the fault names (stopping at the first
failure), and puts the file back. The work tree is never written. It prints, per fault, "caught"
with the suite that failed or "SURVIVED", then the caught ratio and the time. Exit code 1 when a
fault survived or no longer applies (its snippet is not found exactly once).

Needs what tests/run.sh installs: node_modules (with Node 22) and .venv. Not part of the test
command: it runs the unit suite or a pytest file once per fault (minutes, not seconds).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The suites a fault can name: each a command run in the copy. "unit" is the whole mocha unit
# suite (every spec runs the whole program); the others are pytest files of the code inside the containers.
PYTEST = [str(REPO / ".venv" / "bin" / "python"), "-m", "pytest", "-c", "tests/python/pytest.ini", "-x", "-q", "-p", "no:cacheprovider"]
UNIT_FIRST = ["tests/unit/arrival.spec.ts", "tests/unit/configRules.spec.ts"]  # the specs that catch most faults: run first
SUITES = {
    # Every unit spec, in an order of our own (mocha runs the files given in that order): with
    # --bail, a fault caught by the first specs costs one program run, not the whole suite.
    "unit": ["node_modules/.bin/mocha", "--config", ".mocharc.mutation.json", "--bail", *UNIT_FIRST,
             *sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "unit").glob("*.spec.ts") if str(p.relative_to(REPO)) not in UNIT_FIRST)],
    # What the deploy command never does (another host's lock, another env's objects): one spec, seconds.
    "deploy": ["node_modules/.bin/mocha", "--no-config", "--require", "tsx/cjs", "--bail", "tests/unit/deployNever.spec.ts"],
    # The traffic tests that need no app (its time and call stubbed): seconds, where the others take a minute.
    "traffic-fast": PYTEST + ["tests/python/app/test_traffic.py", "-k", "mix or twenty or share or evenly or slow_response"],
    # Without the test that signals 40 fresh processes (minutes on a busy machine); the fault it
    # guards (an import in the loop) is caught by test_its_loop_imports_nothing.
    "traffic": PYTEST + ["tests/python/app/test_traffic.py", "-k", "not test_sigterm_at_any_moment_stops_it"],
    "check": PYTEST + ["tests/python/agent_check"],
    "app": PYTEST + ["tests/python/app/test_routes.py", "tests/python/app/test_db_route.py"],
}

# (id, file, the snippet as it is, the snippet with the bug, suites that should catch it)
FAULTS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    # --- components/datadog: a value from config reaching a message, a query, a widget
    ("monitor-alert-quotes-warning", "components/datadog/monitor.ts",
     "above the critical threshold of {{threshold}}", "above the critical threshold of {{warn_threshold}}", ("unit",)),
    ("monitor-window-hard-coded-in-message", "components/datadog/monitor.ts",
     "over the last ${a.evaluationWindowMinutes} minutes)", "over the last 5 minutes)", ("unit",)),
    ("monitor-no-data-hard-coded-in-message", "components/datadog/monitor.ts",
     "for ${a.noDataMinutes} minutes. Check", "for 10 minutes. Check", ("unit",)),
    ("monitor-query-ignores-aggregation", "components/datadog/monitor.ts",
     "return `${a.timeAggregation}(last_", "return `avg(last_", ("unit",)),
    ("monitor-warning-derived-from-critical", "components/datadog/monitor.ts",
     "warning: String(args.warningThreshold)", "warning: String(args.criticalThreshold - 300)", ("unit",)),
    ("monitor-no-data-timeframe-hard-coded", "components/datadog/monitor.ts",
     "noDataTimeframe: args.noDataMinutes,", "noDataTimeframe: 10,", ("unit",)),
    ("latency-query-in-milliseconds", "components/datadog/serviceMonitors.ts",
     "> ${criticalMs / 1000}`", "> ${criticalMs}`", ("unit",)),
    ("latency-warning-hard-coded", "components/datadog/serviceMonitors.ts",
     "t.latencyP95WarningMs / 1000,", "0.3,", ("unit",)),
    ("service-message-window-hard-coded", "components/datadog/serviceMonitors.ts",
     "const over = `over the last ${a.evaluationWindowMinutes} minutes`", "const over = `over the last 5 minutes`", ("unit",)),
    ("latency-message-wrong-unit", "components/datadog/serviceMonitors.ts",
     'message("p95 latency", "s", args)', 'message("p95 latency", "ms", args)', ("unit",)),
    ("service-no-data-always-on", "components/datadog/serviceMonitors.ts",
     "notifyNoData: args.notifyNoData,", "notifyNoData: true,", ("unit",)),
    ("no-data-on-without-traffic", "components/datadog/observability.ts",
     "notifyNoData: args.trafficRequestsPerSecond > 0,", "notifyNoData: args.trafficRequestsPerSecond >= 0,", ("unit",)),
    ("slo-timeframe-hard-coded", "components/datadog/serviceSlo.ts",
     "thresholds: [{ timeframe: args.timeframe,", 'thresholds: [{ timeframe: "7d",', ("unit",)),
    ("slo-widget-window-hard-coded", "components/datadog/serviceDashboard.ts",
     "timeWindows: [args.sloTimeframe],", 'timeWindows: ["7d"],', ("unit",)),
    ("logs-widget-ignores-env", "components/datadog/serviceDashboard.ts",
     "logs: `service:${service} env:${env}`,", "logs: `service:${service}`,", ("unit",)),
    ("timeboard-host-variable-ignores-hostname", "components/datadog/dashboard.ts",
     "defaults: [args.hostname]", 'defaults: ["*"]', ("unit",)),
    ("downtime-scope-every-env", "components/datadog/downtimes.ts",
     "scope: `env:${args.env}`,", 'scope: "*",', ("unit",)),
    # --- components/config: a rule that names several cases
    ("rule-misses-error-rate-pair", "components/config/stackConfig.ts",
     '                ["errorRateWarningPercent", "errorRateCriticalPercent"],\n', "", ("unit",)),
    ("rule-allows-warning-equal-critical", "components/config/stackConfig.ts",
     "c[warning] >= c[critical]", "c[warning] > c[critical]", ("unit",)),
    ("rule-no-data-once-the-window", "components/config/stackConfig.ts",
     "const twice = 2 * c.evaluationWindowMinutes;", "const twice = c.evaluationWindowMinutes + 1;", ("unit",)),
    ("rule-postgres-port-against-default-app-port", "components/config/stackConfig.ts",
     "c.postgresHostPort === c.appPort", "c.postgresHostPort === 5050", ("unit",)),
    ("traffic-off-rejected", "components/config/stackConfig.ts",
     'trafficRequestsPerSecond: integer("requests per second", 0, 50),', 'trafficRequestsPerSecond: integer("requests per second", 1, 50),', ("unit",)),
    ("error-rate-allows-100", "components/config/stackConfig.ts",
     'errorRateCriticalPercent: integer("a percentage of requests", 1, 99),', 'errorRateCriticalPercent: integer("a percentage of requests", 1, 100),', ("unit",)),
    # --- components/docker: labels, env, uploads, start order
    ("traffic-logs-under-the-app-service", "components/docker/trafficContainer.ts",
     "const service = `${args.service}-traffic`;", "const service = args.service;", ("unit",)),
    ("app-version-label-hard-coded", "components/docker/appContainer.ts",
     '{ label: "com.datadoghq.tags.version", value: args.version }', '{ label: "com.datadoghq.tags.version", value: "1.0.0" }', ("unit",)),
    ("app-depends-on-removed", "components/docker/appContainer.ts",
     "{ parent: this, dependsOn: [args.agentContainer] }", "{ parent: this }", ("unit",)),
    ("traffic-depends-on-removed", "components/docker/trafficContainer.ts",
     "{ parent: this, dependsOn: [args.app] }", "{ parent: this }", ("unit",)),
    ("agent-does-not-watch-traffic", "components/docker/dockerHost.ts",
     "watchedContainers: [names.postgres, names.app, names.traffic],", "watchedContainers: [names.postgres, names.app],", ("unit",)),
    ("traffic-to-default-port", "components/docker/dockerHost.ts",
     "targetUrl: `http://app:${args.app.port}`,", "targetUrl: `http://app:5050`,", ("unit",)),
    ("check-interval-hard-coded", "components/docker/agentContainer.ts",
     "checkConfYaml(args.checkIntervalSeconds)", "checkConfYaml(45)", ("unit",)),
    ("check-uploaded-from-wrong-file", "components/docker/agentContainer.ts",
     'readContainerSrc("agent/checks.d/custom_my_metric.py")', 'readContainerSrc("app/traffic.py")', ("unit",)),
    ("postgres-check-tags-lose-env", "components/docker/postgresContainer.ts",
     'tags: [`env:${env}`, "service:postgres"],', 'tags: ["service:postgres"],', ("unit",)),
    ("init-script-reads-wrong-variable", "container-src/postgres/20-app-user.sh",
     "\\getenv app_pw APP_DB_PASSWORD", "\\getenv app_pw DATADOG_DB_PASSWORD", ("unit",)),
    # --- deploy/: the promises of what the command never does (issue 27's two survivors)
    ("lock-of-another-host-judged-by-local-pid", "deploy/engine.ts",
     "alive: otherHost || pidAlive(l.pid)", "alive: pidAlive(l.pid)", ("deploy",)),
    ("doctor-matches-dashboard-title-by-substring", "deploy/datadog.ts",
     "        if (titles.has(d.title)) {", "        if (String(d.title).includes(env)) {", ("deploy",)),
    # --- container-src: the traffic mix, its pace and stop, the check
    ("traffic-mix-drifts-to-two-errors", "container-src/app/traffic.py",
     '+ ["/", "/api/error"]', '+ ["/api/error", "/api/error"]', ("traffic-fast", "traffic")),
    ("traffic-mix-drops-trace", "container-src/app/traffic.py",
     '["/api/items", "/api/apm", "/api/items", "/api/trace", "/api/items", "/api/items"] * 3',
     '["/api/items", "/api/apm", "/api/items", "/api/items", "/api/items", "/api/items"] * 3', ("traffic-fast", "traffic")),
    ("traffic-pace-off-by-one", "container-src/app/traffic.py",
     "interval = 1.0 / rate", "interval = 1.0 / (rate + 1)", ("traffic-fast", "traffic")),
    ("traffic-counts-http-errors-as-no-response", "container-src/app/traffic.py",
     "        return str(err.code)", '        return "error"', ("traffic",)),
    ("traffic-catches-up-in-bursts", "container-src/app/traffic.py",
     "next_at = max(next_at + interval, now)", "next_at = next_at + interval", ("traffic-fast", "traffic")),
    ("traffic-ignores-sigint", "container-src/app/traffic.py",
     "    for sig in (signal.SIGTERM, signal.SIGINT):\n        signal.signal(sig, _on_stop_signal)",
     "    for sig in (signal.SIGTERM,):\n        signal.signal(sig, _on_stop_signal)", ("traffic",)),
    ("traffic-imports-idna-in-its-loop", "container-src/app/traffic.py",
     "import encodings.idna  # noqa: F401\n", "", ("traffic",)),
    ("check-max-off-by-one", "container-src/agent/checks.d/custom_my_metric.py",
     "MAX_VALUE = 1000", "MAX_VALUE = 999", ("check", "unit")),
    ("check-tag-renamed", "container-src/agent/checks.d/custom_my_metric.py",
     "BASE_TAGS = ('metric:my_metric',)", "BASE_TAGS = ('check:my_metric',)", ("check",)),
    ("app-error-route-answers-200", "container-src/app/app.py",
     '    raise DemoError("GET /api/error fails on purpose (the demo\'s error route)")',
     '    return dict(error="GET /api/error fails on purpose (the demo\'s error route)")', ("app",)),
]


def copy_tree(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    (dest / "node_modules").symlink_to(REPO / "node_modules")
    (dest / ".mocharc.mutation.json").write_text('{"require": ["tsx/cjs"], "timeout": 20000, "reporter": "dot"}\n')


def run_suite(name: str, cwd: Path) -> tuple[bool, str]:
    env = dict(os.environ, PATH=f"{cwd / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}", CI="")
    if not (cwd / "node_modules" / ".bin" / "mocha").exists():  # `npm ci` in the work tree meanwhile: no verdict
        raise SystemExit("node_modules is gone (npm ci running?): run again when it is back")
    result = subprocess.run(SUITES[name], cwd=cwd, env=env, capture_output=True, text=True)
    return result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for fid, path, *_ , suites in FAULTS:
            print(f"{fid:48} {path:48} {','.join(suites)}")
        return 0
    faults = [f for f in FAULTS if not argv or f[0] in argv]
    unknown = set(argv) - {f[0] for f in FAULTS}
    if unknown:
        print(f"unknown fault(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = Path(tmp)
        copy_tree(copy)
        for name in sorted({s for f in faults for s in f[4]}):
            ok, out = run_suite(name, copy)
            if not ok:
                print(f"baseline: suite {name} fails without any fault; fix that first:\n{out}", file=sys.stderr)
                return 2
        print(f"baseline passes ({time.monotonic() - started:.0f} s); {len(faults)} faults")
        caught, survived, stale = [], [], []
        for fid, rel, old, new, suites in faults:
            target = copy / rel
            original = target.read_text()
            if original.count(old) != 1:
                stale.append(fid)
                print(f"  STALE     {fid}: its snippet is in {rel} {original.count(old)} times, not once")
                continue
            t0 = time.monotonic()
            target.write_text(original.replace(old, new))
            try:
                by = next((s for s in suites if not run_suite(s, copy)[0]), None)
            finally:
                target.write_text(original)
            took = time.monotonic() - t0
            (caught if by else survived).append(fid)
            print(f"  {'caught' if by else 'SURVIVED':9} {fid}" + (f" (by {by}, {took:.0f} s)" if by else f" ({took:.0f} s)"), flush=True)
    total = len(caught) + len(survived)
    print(f"caught {len(caught)}/{total} ({100 * len(caught) / max(total, 1):.1f} %), survived {len(survived)}"
          + (f", stale {len(stale)}" if stale else "") + f", in {time.monotonic() - started:.0f} s")
    for fid in survived:
        print(f"  survived: {fid}")
    return 1 if survived or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
