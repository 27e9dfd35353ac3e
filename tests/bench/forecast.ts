// The live demo's figures (docs/live-demo.md), from the forecast at a stack's config: for each
// scenario, the monitor and the state it reaches, and the median and 90th-percentile minutes from
// the first point of the new scenario; e-mails per hour before (no recovery thresholds) and after;
// then the forecast's own time against a floor (an empty loop over as many evaluations), measured here.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/forecast.ts [warningThreshold criticalThreshold]
import { loadStackConfig } from "../../components/config/stackConfig";
import { monitorModel } from "../../deploy/waitState";
import { forecast, MetricModel, Percentiles, timeToState, windowShareTime, FORECAST_DAYS } from "../../components/datadog/forecast";

const [warning, critical] = process.argv.slice(2);
const load = (scenario: string) => {
    const values: Record<string, string | undefined> = {
        "datadog:apiKey": "0".repeat(32),
        "datadog:appKey": "0".repeat(40),
        "datadog-exercise:notifyEmail": "se@example.com",
        "datadog-exercise:downtimeStartDate": "2030-01-01",
        "datadog-exercise:scenario": scenario,
        "datadog-exercise:warningThreshold": warning,
        "datadog-exercise:criticalThreshold": critical,
    };
    return loadStackConfig({ stack: "dev", get: (k) => values[k], isSecret: () => true });
};
const c = load("exercise");
const metric = (s: string): MetricModel | undefined => {
    const r = load(s).scenario.myMetric;
    return r && { ...r, intervalSeconds: c.checkIntervalSeconds };
};
const monitor = monitorModel(c);
const exercise = metric("exercise")!;
const f = forecast(exercise, monitor);
const fmt = (p: Percentiles | undefined) => (p ? `${p.median.toFixed(1)} | ${p.p90.toFixed(1)}` : "not reached | -");
const W = c.monitor.evaluationWindowMinutes;
// The traffic container's cycle: 1 request in 20 is the error route.
const routeErrors = 5;
const errorsShare = (p: number) => p + ((100 - p) * routeErrors) / 100;
const rows: [string, string, string][] = [
    ["exercise", "my_metric: WARN (first warning)", fmt(f.warning)],
    ["exercise", "my_metric: ALERT (first alert)", fmt(f.alert)],
    ["alert", "my_metric: ALERT", fmt(timeToState(exercise, metric("alert"), monitor, "ALERT"))],
    ["warning (after alert)", "my_metric: WARN", fmt(timeToState(metric("alert")!, metric("warning"), monitor, "WARN"))],
    ["calm (after alert)", "my_metric: OK (recovery)", fmt(timeToState(metric("alert")!, metric("calm"), monitor, "OK"))],
    ["calm (after warning)", "my_metric: OK (recovery)", fmt(timeToState(metric("warning")!, metric("calm"), monitor, "OK"))],
    ["nodata", "my_metric: NO DATA", fmt(timeToState(exercise, undefined, monitor, "NO DATA"))],
    ["slow", "latency p95: ALERT", fmt(windowShareTime(W, 0, load("slow").scenario.slow!.sharePercent, 5))],
    ["errors", "error rate: ALERT (SLO burns from the start)", fmt(windowShareTime(W, routeErrors, errorsShare(load("errors").scenario.errorPercent!), c.apm.errorRateCriticalPercent))],
];
console.log(`thresholds ${monitor.warning} / ${monitor.critical}, recoveries ${monitor.warningRecovery} / ${monitor.criticalRecovery}, ${monitor.aggregation} over ${W} min, check every ${c.checkIntervalSeconds} s`);
console.log("| scenario | monitor: state | median min | p90 min |\n|---|---|---|---|");
for (const [s, m, t] of rows) console.log(`| ${s} | ${m} | ${t} |`);
const before = forecast(exercise, { ...monitor, warningRecovery: undefined, criticalRecovery: undefined });
console.log(`\ne-mails per hour (exercise): ${before.emailsPerHour.toFixed(1)} without recovery thresholds, ${f.emailsPerHour.toFixed(1)} with them`);
console.log(`alerts per day: ${f.alertsPerDay.toFixed(2)}; warnings per day: ${f.warningsPerDay.toFixed(1)}`);

const times: number[] = [];
const floors: number[] = [];
for (let i = 0; i < 7; i++) {
    let t = performance.now();
    forecast(exercise, monitor);
    times.push(performance.now() - t);
    t = performance.now();
    let x = 0;
    for (let j = 0; j < FORECAST_DAYS * 1440 * 8; j++) x += j & 7; // one pass per point of the window
    floors.push(performance.now() - t + (x < 0 ? 1 : 0));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`forecast: median ${median(times).toFixed(1)} ms (first call ${times[0].toFixed(1)} ms) for ${FORECAST_DAYS} simulated days; floor ${median(floors).toFixed(1)} ms`);
