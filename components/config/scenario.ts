// The live demo's keys: `scenario` and the my_metric monitor's recovery thresholds, their schema,
// the rule "this scenario is reachable with this config", and what each scenario sends where.
// stackConfig.ts merges SCENARIO_KEYS into its one schema, calls scenarioProblems() among its rules
// across keys and scenarioConfig() in build(): one loadStackConfig(), one ConfigError.
import { z } from "zod";

/** my_metric's range (container-src/agent/checks.d/custom_my_metric.py). */
const METRIC_MAX = 1000;

/** Every scenario, in the order the docs and the deploy command list them. */
export const SCENARIOS = ["exercise", "alert", "warning", "calm", "nodata", "slow", "errors"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** In `slow`, this share of the app's requests waits SLOW_FACTOR x latencyP95CriticalMs: its p95 is then that wait. */
export const SLOW_SHARE_PERCENT = 10;
export const SLOW_FACTOR = 1.25;
/**
 * The traffic container sends one request at a time and catches up after a slow one; it keeps its
 * rate while the slow requests take at most this share of its time.
 */
export const SLOW_TIME_BUDGET = 0.5;
/** In `errors`, the app fails this many points above the larger of the error-rate critical and the SLO's error budget. */
export const ERROR_MARGIN_PERCENT = 10;
/**
 * The warning recovery a stack gets when it sets none: this far under the warning (the 5-minute
 * average's spread is about 110, docs/live-demo.md). The critical recovery's: midway between the thresholds.
 */
export const WARNING_RECOVERY_MARGIN = 250;

const recovery = (which: string) =>
    z
        .preprocess(
            (v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
            z
                .number({ error: `must be a whole number from 0 to ${METRIC_MAX - 1}, below ${which}` })
                .int(`must be a whole number from 0 to ${METRIC_MAX - 1}`)
                .min(0, `must not be negative: my_metric's range is 0..${METRIC_MAX}`)
                .max(METRIC_MAX - 1, `must be below ${which}, which is at most ${METRIC_MAX}`),
        )
        .optional();

/** The schema's pieces for these keys (Pulumi.yaml declares them, with their defaults and descriptions). */
export const SCENARIO_KEYS = {
    scenario: z.enum(SCENARIOS, { error: `must be one of ${SCENARIOS.join(", ")}` }),
    warningRecoveryThreshold: recovery("warningThreshold"),
    criticalRecoveryThreshold: recovery("criticalThreshold"),
};

/** What the rules and the scenario read from the validated config. */
export interface ScenarioInput {
    scenario: ScenarioName;
    warningThreshold: number;
    criticalThreshold: number;
    warningRecoveryThreshold?: number;
    criticalRecoveryThreshold?: number;
    latencyP95CriticalMs: number;
    errorRateCriticalPercent: number;
    sloTargetPercent: number;
    trafficRequestsPerSecond: number;
}

/** The recovery thresholds in force: the ones set, else each margin under its threshold (none when that leaves no room). */
export function recoveryThresholds(c: Omit<ScenarioInput, "scenario" | "latencyP95CriticalMs" | "errorRateCriticalPercent" | "sloTargetPercent" | "trafficRequestsPerSecond">): {
    warningRecovery: number | undefined;
    criticalRecovery: number | undefined;
} {
    const warningRecovery = c.warningRecoveryThreshold ?? (c.warningThreshold > 0 ? Math.max(0, c.warningThreshold - WARNING_RECOVERY_MARGIN) : undefined);
    // Midway: above the warning, so that `warning` can bring an alert back to a warning.
    const derived = Math.ceil((c.warningThreshold + c.criticalThreshold) / 2);
    const criticalRecovery = c.criticalRecoveryThreshold ?? (derived < c.criticalThreshold ? derived : undefined);
    return { warningRecovery, criticalRecovery };
}

/** What a scenario sends: my_metric's range (none: the check sends nothing), and the app's failures. */
export interface Scenario {
    name: ScenarioName;
    /** The check's values, integers drawn uniformly from low..high; undefined: it submits nothing. */
    myMetric: { low: number; high: number } | undefined;
    /** In `slow`: the share of requests that wait, and how long (ms). */
    slow: { sharePercent: number; delayMs: number } | undefined;
    /** In `errors`: the share of requests the app fails (500). */
    errorPercent: number | undefined;
}

const slowDelayMs = (c: Pick<ScenarioInput, "latencyP95CriticalMs">) => Math.ceil(c.latencyP95CriticalMs * SLOW_FACTOR);

/** The scenario's values, from the stack's own thresholds. */
export function scenarioConfig(c: ScenarioInput): Scenario {
    const { warningRecovery, criticalRecovery } = recoveryThresholds(c);
    const none = { slow: undefined, errorPercent: undefined };
    const range = (low: number, high: number) => ({ name: c.scenario, myMetric: { low, high }, ...none });
    switch (c.scenario) {
        case "alert":
            return range(c.criticalThreshold + 1, METRIC_MAX);
        case "warning": // above warning, and at or below the critical recovery: an alert comes back to a warning
            return range(c.warningThreshold + 1, Math.min(c.criticalThreshold, criticalRecovery ?? c.criticalThreshold));
        case "calm": // at or below both recoveries: a warning and an alert both recover
            return range(0, Math.min(warningRecovery ?? c.warningThreshold, criticalRecovery ?? c.criticalThreshold));
        case "nodata":
            return { name: c.scenario, myMetric: undefined, ...none };
        case "slow":
            return { ...range(0, METRIC_MAX), slow: { sharePercent: SLOW_SHARE_PERCENT, delayMs: slowDelayMs(c) } };
        case "errors":
            return {
                ...range(0, METRIC_MAX),
                errorPercent: Math.min(100, Math.max(c.errorRateCriticalPercent, 100 - c.sloTargetPercent) + ERROR_MARGIN_PERCENT),
            };
        default:
            return range(0, METRIC_MAX);
    }
}

/**
 * The rules across these keys: the recovery thresholds below their threshold (Datadog rejects others),
 * and the scenario reachable with this config. `valid(...keys)` says whether those keys passed their
 * own rules; `add(key, message)` reports a problem on a key.
 */
export function scenarioProblems(c: ScenarioInput, valid: (...keys: string[]) => boolean, add: (key: string, message: string) => void): void {
    for (const [recoveryKey, thresholdKey] of [
        ["warningRecoveryThreshold", "warningThreshold"],
        ["criticalRecoveryThreshold", "criticalThreshold"],
    ] as const) {
        const value = c[recoveryKey];
        if (value !== undefined && valid(recoveryKey, thresholdKey) && value >= c[thresholdKey]) {
            add(recoveryKey, `must be lower than ${thresholdKey} (${c[thresholdKey]}): Datadog rejects a recovery at or above its threshold`);
        }
    }
    if (!valid("scenario", "warningThreshold", "criticalThreshold", "warningRecoveryThreshold", "criticalRecoveryThreshold")) return;
    const { criticalRecovery } = recoveryThresholds(c);
    const refuse = (message: string) => add("scenario", `cannot be reached with this config: ${message}`);
    if (c.scenario === "alert" && c.criticalThreshold >= METRIC_MAX) {
        refuse(`my_metric never goes above ${METRIC_MAX}, so nothing is above criticalThreshold ${c.criticalThreshold}; lower criticalThreshold`);
    }
    if (c.scenario === "warning" && criticalRecovery !== undefined && criticalRecovery <= c.warningThreshold) {
        refuse(`an alert only recovers at or below criticalRecoveryThreshold ${criticalRecovery}, which is not above warningThreshold ${c.warningThreshold}; raise criticalRecoveryThreshold`);
    }
    if ((c.scenario === "slow" || c.scenario === "errors") && valid("trafficRequestsPerSecond") && c.trafficRequestsPerSecond === 0) {
        refuse(`the app's monitors need requests, and trafficRequestsPerSecond is 0; set it to 3`);
    }
    if (c.scenario === "slow" && valid("trafficRequestsPerSecond", "latencyP95CriticalMs") && c.trafficRequestsPerSecond > 0) {
        const busy = (criticalMs: number) => (c.trafficRequestsPerSecond * SLOW_SHARE_PERCENT * slowDelayMs({ latencyP95CriticalMs: criticalMs })) / 100 / 1000;
        if (busy(c.latencyP95CriticalMs) > SLOW_TIME_BUDGET) {
            let maxMs = c.latencyP95CriticalMs;
            while (maxMs > 0 && busy(maxMs) > SLOW_TIME_BUDGET) maxMs--;
            refuse(
                `${SLOW_SHARE_PERCENT} % of requests waiting ${slowDelayMs(c)} ms would hold the traffic container below ${c.trafficRequestsPerSecond} requests/s; ` +
                    `lower latencyP95CriticalMs to ${maxMs} or less, or trafficRequestsPerSecond`,
            );
        }
    }
}
