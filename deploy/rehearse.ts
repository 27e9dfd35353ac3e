// `npm run deploy -- rehearse [stack]`: the live demo's sequence, each scenario with --wait, timed
// against the forecast; the stack is put back on the scenario it was on, whatever happens.
import { ScenarioName } from "../components/config/scenario";
import { Invocation } from "./cli";
import { readStackFile } from "./inputs";
import { duration, table } from "./report";
import { SCENARIO_KEY, scenarioConfig } from "./scenario";
import { readStack } from "./stackContext";
import { timing } from "./timing";
import { stateForecast, TARGETS, waitForState, WaitResult } from "./waitState";

/** The sequence: each my_metric state, then the app's two when the traffic runs. */
export function rehearsalSteps(trafficRequestsPerSecond: number): ScenarioName[] {
    return ["alert", "warning", "calm", "nodata", ...(trafficRequestsPerSecond > 0 ? (["slow", "errors"] as const) : [])];
}

const currentScenario = (projectDir: string, stack: string) => String(readStackFile(projectDir, stack)?.[SCENARIO_KEY] ?? "exercise") as ScenarioName;

export async function rehearse(inv: Invocation, projectDir: string, env: NodeJS.ProcessEnv): Promise<number> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { run } = require("./run") as typeof import("./run");
    const t = timing(env);
    const first = currentScenario(projectDir, inv.stack);
    const start = await readStack(projectDir, env, inv.stack);
    const steps = rehearsalSteps(start.config.trafficRequestsPerSecond);
    const forecasts = steps.map((s, i) => stateForecast(start.config, s, i === 0 ? first : steps[i - 1]));
    const sum = (k: "median" | "p90") => forecasts.reduce((a, f) => a + (f?.[k] ?? 0), 0);
    console.log(
        `rehearse ${inv.stack}: ${steps.join(", ")}, each until its monitor's state; then back to ${first}.\n` +
            `Expected: about ${duration(sum("median") * 60)} of waiting (90 %: ${duration(sum("p90") * 60)}), plus an up per step and one to restore. Ctrl-C stops and restores.`,
    );
    const stop = new AbortController();
    const onSignal = (name: NodeJS.Signals) => {
        if (stop.signal.aborted) return;
        console.error(`\n${name} received: stopping the rehearsal; the stack goes back to scenario ${first}.`);
        stop.abort();
    };
    const signalNames: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signalNames) process.on(s, onSignal);
    const up = (name: ScenarioName) => run({ ...inv, command: "up" }, projectDir, env, scenarioConfig(name, inv.stack, readStackFile(projectDir, inv.stack)));
    const results: [ScenarioName, WaitResult | undefined][] = [];
    let failed = false;
    try {
        for (const [i, step] of steps.entries()) {
            if (stop.signal.aborted) break;
            console.log(`\n== step ${i + 1}/${steps.length}: scenario ${step}`);
            const code = await up(step);
            if (code !== 0 || stop.signal.aborted) {
                failed ||= code !== 0;
                results.push([step, undefined]);
                break;
            }
            const r = await waitForState(await readStack(projectDir, env, inv.stack), i === 0 ? first : steps[i - 1], t, process.stdout, stop.signal);
            results.push([step, r]);
            if (!r.reached) {
                failed = true;
                break;
            }
        }
    } finally {
        for (const s of signalNames) process.off(s, onSignal);
        if (currentScenario(projectDir, inv.stack) !== first) {
            console.log(`\n== restoring scenario ${first}`);
            const code = await up(first);
            if (code !== 0) console.error(`The stack is still on scenario ${currentScenario(projectDir, inv.stack)}: rerun npm run deploy -- scenario ${first} ${inv.stack}.`);
        }
    }
    const fmt = (m: number | undefined) => (m === undefined ? "-" : duration(m * 60));
    console.log(
        `\n${table(
            ["step", "monitor", "state", "measured", "forecast median / p90"],
            results.map(([step, r]) => [
                step,
                `${TARGETS[step]!.kind} monitor`,
                r ? `${r.state}${r.reached ? "" : ` (not ${TARGETS[step]!.state})`}` : "up did not finish",
                r ? fmt(r.minutes) : "-",
                r?.forecast ? `${fmt(r.forecast.median)} / ${fmt(r.forecast.p90)}` : "-",
            ]),
        )}`,
    );
    if (stop.signal.aborted) return 130;
    return failed || results.length < steps.length ? 1 : 0;
}
