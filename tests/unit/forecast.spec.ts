// components/datadog/forecast.ts against a brute-force simulation of its own, written independently
// here: a clock ticking every second, the check's points as they come, Datadog's evaluation once a
// minute over the points of the window, and the states with their recovery thresholds.
import * as assert from "node:assert/strict";
import { chanceAbove, forecast, forecastLines, MetricModel, MonitorModel, timeToState, windowShareTime } from "../../components/datadog/forecast";

/** xorshift32, a generator unrelated to the module's. */
function xorshift(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x / 4294967296;
    };
}

interface Brute {
    emailsPerHour: number;
    warningsPerDay: number;
    alertsPerDay: number;
    /** Share of evaluations above warning and above critical. */
    aboveWarning: number;
    aboveCritical: number;
    /** Median minutes from a start (each minute) to the next evaluation above warning. */
    warningWaitMedian: number;
}

function bruteForce(metric: MetricModel, m: MonitorModel, days: number, seed: number): Brute {
    const random = xorshift(seed);
    const points: { t: number; v: number }[] = [];
    const phase = Math.floor(random() * metric.intervalSeconds);
    let state = "OK";
    let changes = 0, warnings = 0, alerts = 0, aboveW = 0, aboveC = 0;
    const evals: number[] = [];
    const end = days * 86400 + m.windowMinutes * 60;
    for (let t = 0; t <= end; t++) {
        if ((t - phase) % metric.intervalSeconds === 0 && t >= phase) points.push({ t, v: metric.low + Math.floor(random() * (metric.high - metric.low + 1)) });
        if (t % 60 !== 0 || t < m.windowMinutes * 60) continue;
        while (points.length > 0 && points[0].t <= t - m.windowMinutes * 60) points.shift();
        const vs = points.map((p) => p.v);
        const v = m.aggregation === "max" ? Math.max(...vs) : m.aggregation === "min" ? Math.min(...vs) : vs.reduce((a, b) => a + b) / vs.length;
        evals.push(v);
        if (v > m.warning) aboveW++;
        if (v > m.critical) aboveC++;
        let next = state;
        if (state === "OK") next = v > m.critical ? "ALERT" : v > m.warning ? "WARN" : "OK";
        else if (state === "WARN") next = v > m.critical ? "ALERT" : v <= (m.warningRecovery ?? m.warning) ? "OK" : "WARN";
        else if (v <= (m.criticalRecovery ?? m.critical)) next = v > m.warning ? "WARN" : "OK";
        if (next !== state) {
            changes++;
            if (next === "WARN") warnings++;
            if (next === "ALERT") alerts++;
        }
        state = next;
    }
    const waits: number[] = [];
    for (let i = 0; i < evals.length; i++) {
        const j = evals.findIndex((v, k) => k >= i && v > m.warning);
        if (j < 0) break;
        waits.push(j - i + 0.5);
    }
    waits.sort((a, b) => a - b);
    return {
        emailsPerHour: changes / (days * 24),
        warningsPerDay: warnings / days,
        alertsPerDay: alerts / days,
        aboveWarning: aboveW / evals.length,
        aboveCritical: aboveC / evals.length,
        warningWaitMedian: waits[Math.floor(waits.length / 2)],
    };
}

const exercise: MetricModel = { low: 0, high: 1000, intervalSeconds: 45 };
const close = (actual: number, expected: number, relative: number, what: string) =>
    assert.ok(Math.abs(actual - expected) <= relative * expected, `${what}: ${actual} vs brute force ${expected} (tolerance ${relative * 100} %)`);

const CONFIGS: { title: string; metric: MetricModel; monitor: MonitorModel }[] = [
    { title: "the defaults (dev: 500 / 800, recoveries 250 / 650, avg over 5 min)", metric: exercise, monitor: { windowMinutes: 5, aggregation: "avg", warning: 500, critical: 800, warningRecovery: 250, criticalRecovery: 650 } },
    { title: "prod's thresholds (600 / 900, recoveries 350 / 750)", metric: exercise, monitor: { windowMinutes: 5, aggregation: "avg", warning: 600, critical: 900, warningRecovery: 350, criticalRecovery: 750 } },
    { title: "no recovery thresholds (the old defaults: 500 / 800)", metric: exercise, monitor: { windowMinutes: 5, aggregation: "avg", warning: 500, critical: 800, warningRecovery: undefined, criticalRecovery: undefined } },
    { title: "max over 3 min of a 20 s check (950 / 995, recoveries 900 / 990)", metric: { ...exercise, intervalSeconds: 20 }, monitor: { windowMinutes: 3, aggregation: "max", warning: 950, critical: 995, warningRecovery: 900, criticalRecovery: 990 } },
];

describe("forecast of the my_metric monitor, against a brute-force simulation", () => {
    for (const c of CONFIGS) {
        describe(c.title, () => {
            const days = 8;
            let brute: Brute;
            before(() => {
                brute = bruteForce(c.metric, c.monitor, days, 2026);
            });
            const f = () => forecast(c.metric, c.monitor);

            it("e-mails per hour and warnings per day within 20 %", () => {
                close(f().emailsPerHour, brute.emailsPerHour, 0.2, "e-mails per hour");
                close(f().warningsPerDay, brute.warningsPerDay, 0.2, "warnings per day");
            });

            it("the median wait for the first warning within a minute", () => {
                const w = f().warning;
                assert.ok(w !== undefined);
                assert.ok(Math.abs(w.median - brute.warningWaitMedian) <= 1, `${w.median} vs ${brute.warningWaitMedian}`);
            });

            it("the chance of an evaluation above each threshold, exactly computed, within 10 % of the brute force's share", () => {
                close(chanceAbove(c.metric, c.monitor, c.monitor.warning), brute.aboveWarning, 0.1, "above warning");
                if (brute.aboveCritical * days * 1440 >= 30) close(chanceAbove(c.metric, c.monitor, c.monitor.critical), brute.aboveCritical, 0.25, "above critical");
            });
        });
    }

    it("the defaults' alerts per day within 35 % of the brute force over 20 days", () => {
        const c = CONFIGS[0];
        close(forecast(c.metric, c.monitor).alertsPerDay, bruteForce(c.metric, c.monitor, 20, 7).alertsPerDay, 0.35, "alerts per day");
    });

    it("the recovery thresholds bring the defaults from 12.5 e-mails per hour to at most 3, the first warning still within 15 minutes (90 %)", () => {
        const [withRecovery, , without] = [CONFIGS[0], CONFIGS[1], CONFIGS[2]].map((c) => forecast(c.metric, c.monitor));
        assert.ok(without.emailsPerHour > 11 && without.emailsPerHour < 14, String(without.emailsPerHour));
        assert.ok(withRecovery.emailsPerHour <= 3, String(withRecovery.emailsPerHour));
        assert.ok(withRecovery.warning!.p90 <= 15, String(withRecovery.warning!.p90));
    });
});

describe("forecast: time to each scenario's state, and the preview's lines", () => {
    const dev: MonitorModel & { noDataMinutes: number } = { windowMinutes: 5, aggregation: "avg", warning: 500, critical: 800, warningRecovery: 250, criticalRecovery: 650, noDataMinutes: 10 };

    it("alert (801..1000): the average passes 800 once most of the window is new points, 3 to 6 minutes", () => {
        const t = timeToState(exercise, { ...exercise, low: 801 }, dev, "ALERT")!;
        assert.ok(t.median > 2 && t.median < 6 && t.p90 <= 7, JSON.stringify(t));
    });

    it("nodata: no data noDataMinutes after the last point, whatever the values", () => {
        const t = timeToState(exercise, undefined, { ...dev, noDataMinutes: 20 }, "NO DATA")!;
        assert.ok(t.median >= 19 && t.median <= 21 && t.p90 <= 21, JSON.stringify(t));
    });

    it("a state never reached within the limit is undefined, not a number", () => {
        assert.equal(timeToState(exercise, { ...exercise, high: 100 }, dev, "ALERT", 20, 30), undefined);
    });

    it("a window's share passes its threshold after the window holds enough new events", () => {
        assert.deepEqual(windowShareTime(10, 5, 25, 15), { median: 5.5, p90: 5.9 });
        assert.equal(windowShareTime(10, 5, 10, 15), undefined);
    });

    it("warns, with the scenario that shows it, when a state comes less than once a day (prod's critical), and not otherwise (dev)", () => {
        const lines = (warning: number, critical: number) =>
            forecastLines({ scenario: "exercise", metric: exercise, monitor: { ...dev, warning, critical, warningRecovery: warning - 250, criticalRecovery: (warning + critical) / 2 }, latencyP95CriticalMs: 1000, errorRateCriticalPercent: 15 });
        const prod = lines(600, 900);
        assert.equal(prod.warn.length, 1);
        assert.match(prod.warn[0], /^criticalThreshold 900 on avg over 5 min: expected about once in \d+ days; `npm run deploy -- scenario alert` shows it now\.$/);
        assert.deepEqual(lines(500, 800).warn, []);
        assert.match(prod.info[0], /first warning in about \d+ min \(90 %: \d+ min\), first alert about once in \d+ days; [23]\.\d e-mails per hour\./);
    });

    it("names, with the stack's own thresholds, the scenarios that make the app's monitors fire", () => {
        const { info } = forecastLines({ scenario: "slow", metric: exercise, monitor: dev, latencyP95CriticalMs: 1234, errorRateCriticalPercent: 27 });
        assert.match(info[1], /latency \(p95 above 1234 ms\) fires with `npm run deploy -- scenario slow`, error rate \(above 27 %\) with `npm run deploy -- scenario errors`; scenario slow is on\./);
    });
});
