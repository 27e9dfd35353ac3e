// When will the my_metric monitor fire? A seeded simulation of Datadog's evaluation, pure and fast
// (tests/bench/forecast.ts times it; tests/unit/forecast.spec.ts checks it against a
// brute-force simulation of its own).
//
// The model: the check sends an integer drawn uniformly from [low, high] every intervalSeconds; the
// monitor evaluates once a minute the aggregation (avg, max or min) of the points of the last
// windowMinutes (requireFullWindow is off, the window is always full once the check has run a
// window long). States and their changes, with Datadog's recovery thresholds:
//   OK or WARN -> ALERT when the value is above critical;
//   OK -> WARN when it is above warning;
//   WARN -> OK when it is at or below warningRecovery;
//   ALERT -> WARN or OK (as the value says) when it is at or below criticalRecovery.
// Every change is one notification (the message @-mentions the address outside any state block).

export type Aggregation = "avg" | "max" | "min";
export type MonitorState = "OK" | "WARN" | "ALERT";

export interface MetricModel {
    /** The check's values: integers drawn uniformly from low..high (both included). */
    low: number;
    high: number;
    intervalSeconds: number;
}

export interface MonitorModel {
    windowMinutes: number;
    aggregation: Aggregation;
    warning: number;
    critical: number;
    /** Undefined: no recovery threshold, the state ends at or below its own threshold. */
    warningRecovery: number | undefined;
    criticalRecovery: number | undefined;
}

export interface Forecast {
    /** Minutes from a random instant to the first evaluation above the threshold: median and 90th percentile; undefined when never seen. */
    warning: Percentiles | undefined;
    alert: Percentiles | undefined;
    /** How often each state is entered, per day (0: never in the simulated days). */
    warningsPerDay: number;
    alertsPerDay: number;
    /** State changes (e-mails) per hour. */
    emailsPerHour: number;
    /** The simulated span, in days: a rate of 0 means "less than once in that many days". */
    simulatedDays: number;
}

export interface Percentiles {
    median: number;
    p90: number;
}

/** mulberry32: a small seeded generator, so a preview prints the same figures every time. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** The next state after an evaluation of value v. */
export function nextState(state: MonitorState, v: number, m: MonitorModel): MonitorState {
    if (state === "ALERT") return v > (m.criticalRecovery ?? m.critical) ? "ALERT" : v > m.warning ? "WARN" : "OK";
    if (v > m.critical) return "ALERT";
    if (state === "WARN") return v > (m.warningRecovery ?? m.warning) ? "WARN" : "OK";
    return v > m.warning ? "WARN" : "OK";
}

/**
 * The value of each of `evaluations` successive evaluations (one a minute), the window full of
 * points from the start. Points come every intervalSeconds, the first at a random phase.
 */
export function evaluationValues(metric: MetricModel, monitor: Pick<MonitorModel, "windowMinutes" | "aggregation">, evaluations: number, random: () => number): Float64Array {
    const windowS = monitor.windowMinutes * 60;
    const dt = metric.intervalSeconds;
    const span = metric.high - metric.low + 1;
    const draw = () => metric.low + Math.floor(random() * span);
    // Points at phase + k*dt; point k is in the window of evaluation j (at time windowS + 60 j) when
    // 60 j < phase + k dt <= windowS + 60 j.
    const phase = random() * dt;
    const totalPoints = Math.ceil((windowS + 60 * evaluations) / dt) + 1;
    const points = new Float64Array(totalPoints);
    for (let k = 0; k < totalPoints; k++) points[k] = draw();
    const values = new Float64Array(evaluations);
    let first = 0; // first point inside the window
    let end = 0; // one past the last point inside
    let sum = 0;
    for (let j = 0; j < evaluations; j++) {
        const t = windowS + 60 * j;
        while (end < totalPoints && phase + end * dt <= t) sum += points[end++];
        while (phase + first * dt <= t - windowS) sum -= points[first++];
        if (monitor.aggregation === "avg") values[j] = end > first ? sum / (end - first) : NaN;
        else {
            let v = monitor.aggregation === "max" ? -Infinity : Infinity;
            for (let k = first; k < end; k++) v = monitor.aggregation === "max" ? Math.max(v, points[k]) : Math.min(v, points[k]);
            values[j] = end > first ? v : NaN;
        }
    }
    return values;
}

function aggregate(vals: readonly number[], aggregation: Aggregation): number {
    if (aggregation === "max") return Math.max(...vals);
    if (aggregation === "min") return Math.min(...vals);
    return vals.reduce((a, b) => a + b, 0) / vals.length;
}

function percentiles(sorted: ArrayLike<number>): Percentiles {
    return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
}

/** Median and 90th percentile of waiting times (minutes) from each evaluation to the next one above `threshold`. */
function waits(values: Float64Array, threshold: number): Percentiles | undefined {
    const out: number[] = [];
    let next = -1;
    for (let j = values.length - 1; j >= 0; j--) {
        if (values[j] > threshold) next = j;
        // From a deploy at a random instant in the minute before evaluation j: j - next minutes, plus that part-minute.
        if (next >= 0) out.push(next - j + 0.5);
    }
    // Starts with no crossing left before the end are dropped: only an honest figure when crossings are common.
    if (out.length < values.length / 2) return undefined;
    return percentiles(out.sort((a, b) => a - b));
}

export const FORECAST_DAYS = 14;
/** Below this many entries in the simulated days, a state's rate comes from its exact chance per evaluation. */
const RARE_ENTRIES = 10;

/**
 * The chance that one evaluation is above `threshold`, exactly: the window holds n or n + 1 points
 * (as its length and the interval fall), whose sum has the n-fold convolution of the uniform law.
 */
export function chanceAbove(metric: MetricModel, monitor: Pick<MonitorModel, "windowMinutes" | "aggregation">, threshold: number): number {
    const span = metric.high - metric.low + 1;
    const perPoint = (v: number) => Math.min(1, Math.max(0, (metric.high - Math.floor(v)) / span)); // P(point > v)
    const ratio = (monitor.windowMinutes * 60) / metric.intervalSeconds;
    const n = Math.floor(ratio);
    const counts: [number, number][] = [
        [n, 1 - (ratio - n)],
        [n + 1, ratio - n],
    ];
    let chance = 0;
    for (const [k, weight] of counts) {
        if (weight === 0 || k === 0) continue;
        if (monitor.aggregation === "max") chance += weight * (1 - (1 - perPoint(threshold)) ** k);
        else if (monitor.aggregation === "min") chance += weight * perPoint(threshold) ** k;
        else {
            // Sum of k points, offset by k*low: distribution over 0..k*(span-1), by repeated box convolution (prefix sums).
            let dist = new Float64Array([1]);
            for (let i = 0; i < k; i++) {
                const next = new Float64Array(dist.length + span - 1);
                let running = 0;
                for (let s = 0; s < next.length; s++) {
                    running += s < dist.length ? dist[s] : 0;
                    if (s - span >= 0) running -= dist[s - span];
                    next[s] = running / span;
                }
                dist = next;
            }
            // avg > threshold  <=>  sum - k*low > k*(threshold - low)
            const limit = k * (threshold - metric.low);
            let above = 0;
            for (let s = Math.max(0, Math.floor(limit) + 1); s < dist.length; s++) above += dist[s];
            chance += weight * above;
        }
    }
    return chance;
}

/** The forecast for a steady metric under a monitor, from FORECAST_DAYS simulated days (seeded). */
export function forecast(metric: MetricModel, monitor: MonitorModel, days = FORECAST_DAYS, seed = 14): Forecast {
    const evaluations = days * 24 * 60;
    const values = evaluationValues(metric, monitor, evaluations, seededRandom(seed));
    let state: MonitorState = "OK";
    let changes = 0;
    let warnings = 0;
    let alerts = 0;
    for (let j = 0; j < evaluations; j++) {
        const next = nextState(state, values[j], monitor);
        if (next !== state) {
            changes++;
            if (next === "WARN") warnings++;
            if (next === "ALERT") alerts++;
        }
        state = next;
    }
    // A rare state: at most once per evaluation above its threshold (an upper bound: a run of them is one entry).
    const rate = (entries: number, threshold: number) => (entries >= RARE_ENTRIES ? entries / days : 24 * 60 * chanceAbove(metric, monitor, threshold));
    return {
        warning: waits(values, monitor.warning),
        alert: waits(values, monitor.critical),
        warningsPerDay: rate(warnings, monitor.warning),
        alertsPerDay: rate(alerts, monitor.critical),
        emailsPerHour: changes / (days * 24),
        simulatedDays: days,
    };
}

/**
 * Minutes from a change of the check's values (`before` -> `after`, at a random instant, the monitor
 * in the state `before` had left it there) until the monitor is in `target`: median and 90th
 * percentile over seeded trials, or undefined when some trial does not get there within maxMinutes.
 * `after` undefined: the check sends nothing from the change on; the target is then no data, reached
 * when the last point is noDataMinutes old at an evaluation.
 */
export function timeToState(
    before: MetricModel,
    after: MetricModel | undefined,
    monitor: MonitorModel & { noDataMinutes: number },
    target: MonitorState | "NO DATA",
    trials = 400,
    maxMinutes = 240,
    seed = 14,
): Percentiles | undefined {
    const random = seededRandom(seed);
    const draw = (m: MetricModel) => m.low + Math.floor(random() * (m.high - m.low + 1));
    const windowS = monitor.windowMinutes * 60;
    // The states the old metric leaves the monitor in, minute by minute over a day.
    const warm = evaluationValues(before, monitor, 24 * 60, random);
    const statesBefore: MonitorState[] = [];
    let s: MonitorState = "OK";
    for (const v of warm) statesBefore.push((s = nextState(s, v, monitor)));
    const out: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
        let state = statesBefore[Math.floor(random() * statesBefore.length)];
        // Old points up to the change (time 0), new ones after it from a random phase.
        const oldPhase = random() * before.intervalSeconds;
        const points: { t: number; v: number }[] = [];
        for (let t = -oldPhase; t > -windowS - before.intervalSeconds; t -= before.intervalSeconds) points.push({ t, v: draw(before) });
        if (after) for (let t = random() * after.intervalSeconds; t < maxMinutes * 60 + 60; t += after.intervalSeconds) points.push({ t, v: draw(after) });
        const firstEval = random() * 60; // the next evaluation, seconds after the change
        let reached: number | undefined;
        for (let j = 0; j < maxMinutes && reached === undefined; j++) {
            const t = firstEval + 60 * j;
            if (target === "NO DATA") {
                const last = Math.max(...points.filter((p) => p.t <= t).map((p) => p.t));
                if (t - last >= monitor.noDataMinutes * 60) reached = t / 60;
                continue;
            }
            const vals = points.filter((p) => p.t > t - windowS && p.t <= t).map((p) => p.v);
            if (vals.length === 0) continue;
            state = nextState(state, aggregate(vals, monitor.aggregation), monitor);
            if (state === target) reached = t / 60;
        }
        if (reached === undefined) return undefined;
        out.push(reached);
    }
    return percentiles(out.sort((a, b) => a - b));
}

/** A duration in minutes as a person says it: "40 s", "7 min", "6.6 h", "21 days". */
export function humanMinutes(minutes: number): string {
    if (minutes < 1) return `${Math.round(minutes * 60)} s`;
    if (minutes < 90) return `${Math.round(minutes)} min`;
    if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
    return `${Math.round(minutes / 1440)} days`;
}

/**
 * Minutes until a window-long ratio goes from `before` to above `threshold` once every new event
 * has `after` (a share: error rate, or the share of slow requests for a p95): the window must hold
 * (threshold - before) / (after - before) of new events, then the next evaluation (within a minute).
 */
export function windowShareTime(windowMinutes: number, before: number, after: number, threshold: number): Percentiles | undefined {
    if (after <= threshold) return undefined;
    const filled = (windowMinutes * Math.max(0, threshold - before)) / (after - before);
    return { median: filled + 0.5, p90: filled + 0.9 };
}

export interface ForecastLines {
    info: string[];
    warn: string[];
}

/** The preview's lines for the my_metric monitor and the app's two: when each fires, and how often it e-mails. */
export function forecastLines(a: {
    scenario: string;
    metric: MetricModel | undefined;
    monitor: MonitorModel & { noDataMinutes: number };
    latencyP95CriticalMs: number;
    errorRateCriticalPercent: number;
}): ForecastLines {
    const m = a.monitor;
    const over = `${m.aggregation} over ${m.windowMinutes} min`;
    const info: string[] = [];
    const warn: string[] = [];
    if (a.metric === undefined) {
        info.push(`my_metric monitor, scenario ${a.scenario}: the check sends nothing; NO DATA about ${m.noDataMinutes} min after its last point, then one e-mail.`);
    } else {
        const f = forecast(a.metric, m);
        const when = (p: Percentiles | undefined, perDay: number) =>
            p ? `in about ${humanMinutes(p.median)} (90 %: ${humanMinutes(p.p90)})` : perDay > 0 ? `about once in ${humanMinutes(1440 / perDay)}` : "never";
        const recoveries = `recoveries ${m.warningRecovery ?? "none"} / ${m.criticalRecovery ?? "none"}`;
        info.push(
            `my_metric monitor, scenario ${a.scenario} (${over}, warning ${m.warning} / critical ${m.critical}, ${recoveries}): ` +
                `first warning ${when(f.warning, f.warningsPerDay)}, first alert ${when(f.alert, f.alertsPerDay)}; ${f.emailsPerHour.toFixed(1)} e-mails per hour.`,
        );
        for (const [key, threshold, perDay, scenario] of [
            ["warningThreshold", m.warning, f.warningsPerDay, "warning"],
            ["criticalThreshold", m.critical, f.alertsPerDay, "alert"],
        ] as const) {
            if (perDay < 1) {
                const expected = perDay > 0 ? `about once in ${humanMinutes(1440 / perDay)}` : `not once in ${f.simulatedDays} simulated days`;
                warn.push(`${key} ${threshold} on ${over}: expected ${expected}; \`npm run deploy -- scenario ${scenario}\` shows it now.`);
            }
        }
    }
    info.push(
        `The app's monitors: latency (p95 above ${a.latencyP95CriticalMs} ms) fires with \`npm run deploy -- scenario slow\`, ` +
            `error rate (above ${a.errorRateCriticalPercent} %) with \`npm run deploy -- scenario errors\`` +
            (a.scenario === "slow" || a.scenario === "errors" ? `; scenario ${a.scenario} is on.` : `; scenario ${a.scenario} leaves both OK.`),
    );
    return { info, warn };
}
