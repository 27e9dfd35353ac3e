// `scenario <name> --wait`: after the up, polls the monitor the scenario names until it reaches the
// promised state, beside the forecast's median and 90th percentile for it (docs/live-demo.md).
import { ScenarioName, scenarioConfig, ScenarioInput } from "../components/config/scenario";
import { StackConfig } from "../components/config/stackConfig";
import { MetricModel, MonitorModel, Percentiles, timeToState, windowShareTime } from "../components/datadog/forecast";
import { datadogApi, plainError } from "./datadogClient";
import { duration, Output, ProgressLine } from "./report";
import { MonitorKind, StackContext } from "./stackContext";
import { pause, Timing } from "./timing";

/** The monitor each scenario names, and the state (overall_state, as the API spells it) it promises. */
export const TARGETS: Partial<Record<ScenarioName, { kind: MonitorKind; state: "Alert" | "Warn" | "OK" | "No Data" }>> = {
    alert: { kind: "my_metric", state: "Alert" },
    warning: { kind: "my_metric", state: "Warn" },
    calm: { kind: "my_metric", state: "OK" },
    nodata: { kind: "my_metric", state: "No Data" },
    slow: { kind: "latency", state: "Alert" },
    errors: { kind: "error rate", state: "Alert" },
};

/** The traffic container's cycle: 1 request in 20 is the error route (container-src/app/traffic.py; tests/bench/forecast.ts). */
const ROUTE_ERRORS_PERCENT = 5;
/** p95 is above the critical once more than 5 % of the window's requests are slow. */
const SLOW_SHARE_FOR_P95 = 5;

/** The my_metric monitor as the forecast models it, from the stack's config. */
export function monitorModel(c: StackConfig): MonitorModel & { noDataMinutes: number } {
    return {
        windowMinutes: c.monitor.evaluationWindowMinutes,
        aggregation: c.monitor.timeAggregation,
        warning: c.monitor.warningThreshold,
        critical: c.monitor.criticalThreshold,
        warningRecovery: c.monitor.warningRecovery,
        criticalRecovery: c.monitor.criticalRecovery,
        noDataMinutes: c.monitor.noDataMinutes,
    };
}

/** The forecast's minutes to the scenario's state, from the scenario the stack was on (docs/live-demo.md's table). */
export function stateForecast(c: StackConfig, scenario: ScenarioName, previous: ScenarioName): Percentiles | undefined {
    const input: ScenarioInput = {
        scenario,
        warningThreshold: c.monitor.warningThreshold,
        criticalThreshold: c.monitor.criticalThreshold,
        warningRecoveryThreshold: c.monitor.warningRecovery,
        criticalRecoveryThreshold: c.monitor.criticalRecovery,
        latencyP95CriticalMs: c.apm.latencyP95CriticalMs,
        errorRateCriticalPercent: c.apm.errorRateCriticalPercent,
        sloTargetPercent: c.apm.sloTargetPercent,
        trafficRequestsPerSecond: c.trafficRequestsPerSecond,
    };
    const metric = (name: ScenarioName): MetricModel | undefined => {
        const r = scenarioConfig({ ...input, scenario: name }).myMetric;
        return r && { ...r, intervalSeconds: c.checkIntervalSeconds };
    };
    const window = c.monitor.evaluationWindowMinutes;
    const s = scenarioConfig(input);
    if (scenario === "slow") return windowShareTime(window, 0, s.slow!.sharePercent, SLOW_SHARE_FOR_P95);
    if (scenario === "errors") {
        const share = s.errorPercent! + ((100 - s.errorPercent!) * ROUTE_ERRORS_PERCENT) / 100;
        return windowShareTime(window, ROUTE_ERRORS_PERCENT, share, c.apm.errorRateCriticalPercent);
    }
    const target = TARGETS[scenario];
    if (!target) return undefined;
    const state = ({ Alert: "ALERT", Warn: "WARN", OK: "OK", "No Data": "NO DATA" } as const)[target.state];
    return timeToState(metric(previous) ?? metric("exercise")!, metric(scenario), monitorModel(c), state);
}

const minutes = (m: number) => duration(m * 60);

export interface WaitResult {
    reached: boolean;
    /** Minutes from the change to the state (or to giving up). */
    minutes: number;
    state: string;
    monitor: string;
    forecast: Percentiles | undefined;
}

/**
 * Polls the monitor the scenario names from the moment the containers changed (the stack's last
 * update), until it is in the promised state, or twice the forecast's 90th percentile has passed.
 */
export async function waitForState(ctx: StackContext, previous: ScenarioName, t: Timing, out: Output, signal?: AbortSignal): Promise<WaitResult> {
    const scenario = ctx.config.scenario.name;
    const target = TARGETS[scenario]!;
    const monitor = ctx.monitors.find((m) => m.kind === target.kind);
    const label = `${target.kind} monitor`;
    const forecast = stateForecast(ctx.config, scenario, previous);
    const result = (reached: boolean, state: string, m: number): WaitResult => ({ reached, minutes: m, state, monitor: label, forecast });
    if (!monitor) {
        console.log(`scenario ${scenario}: the stack has no ${label} in its state; npm run deploy -- up ${ctx.stack} creates it.`);
        return result(false, "absent", 0);
    }
    const api = datadogApi(ctx.access, (line) => console.error(line));
    const limit = forecast ? 2 * forecast.p90 : 30;
    const told = forecast ? `forecast median ${minutes(forecast.median)}, 90 % ${minutes(forecast.p90)}` : "no forecast for this config";
    const progress = new ProgressLine(out);
    for (;;) {
        let state: string;
        try {
            state = String((await api.monitors.getMonitor({ monitorId: monitor.id })).overallState ?? "unknown");
        } catch (e) {
            progress.done();
            throw plainError(e, ctx.access, ctx.stack);
        }
        const since = (Date.now() - ctx.lastUpdate.getTime()) / t.minuteMs;
        if (state === target.state) {
            progress.done();
            console.log(`scenario ${scenario}: the ${label} is ${state} after ${minutes(since)} (${told}).`);
            return result(true, state, since);
        }
        if (since > limit || signal?.aborted) {
            progress.done();
            if (!signal?.aborted) {
                console.log(
                    `scenario ${scenario}: the ${label} is still ${state}, not ${target.state}, after ${minutes(since)}: past twice the forecast's 90th percentile (${told}).\n` +
                        `What to do: check what arrives with npm run deploy -- verify ${ctx.stack}.`,
                );
            }
            return result(false, state, since);
        }
        progress.update(`scenario ${scenario}: ${label} ${state}, waiting for ${target.state}; ${minutes(since)} since the containers changed; ${told}`);
        await pause(t.pollMs, signal);
    }
}
