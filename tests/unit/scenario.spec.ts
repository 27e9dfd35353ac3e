// The live demo's keys (components/config/scenario.ts): what each scenario sends where, from the
// stack's own thresholds, and the config errors of a scenario the config cannot reach.
import * as assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { SCENARIOS } from "../../components/config/scenario";
import { ConfigError, loadStackConfig } from "../../components/config/stackConfig";
import { envMap, PROJECT, runProgram, T, validConfig } from "./harness";

const key = (k: string) => `${PROJECT}:${k}`;
const load = (overrides: Record<string, string> = {}, stack = "dev") => {
    const values: Record<string, string | undefined> = { ...validConfig(), ...overrides };
    return loadStackConfig({ stack, get: (k) => values[k], isSecret: () => true });
};
function problems(overrides: Record<string, string>): string[] {
    try {
        load(overrides);
    } catch (e) {
        assert.ok(e instanceof ConfigError);
        return [...e.problems];
    }
    assert.fail("accepted");
}
/** Non-default thresholds everywhere, so a value that reaches a container comes from config. */
const tuned = {
    [key("warningThreshold")]: "300",
    [key("criticalThreshold")]: "700",
    [key("warningRecoveryThreshold")]: "120",
    [key("criticalRecoveryThreshold")]: "450",
    [key("latencyP95CriticalMs")]: "800",
    [key("latencyP95WarningMs")]: "400",
    [key("errorRateCriticalPercent")]: "30",
    [key("sloTargetPercent")]: "95",
};

describe("scenario config", () => {
    it("defaults to exercise: my_metric uniform over 0..1000, the app as it is", () => {
        assert.deepEqual(load().scenario, { name: "exercise", myMetric: { low: 0, high: 1000 }, slow: undefined, errorPercent: undefined });
    });

    it("derives the recovery thresholds: warning - 250, and midway between the thresholds (dev 250 / 650, prod 350 / 750)", () => {
        assert.deepEqual([load().monitor.warningRecovery, load().monitor.criticalRecovery], [250, 650]);
        const prod = load({ [key("warningThreshold")]: "600", [key("criticalThreshold")]: "900" }, "prod");
        assert.deepEqual([prod.monitor.warningRecovery, prod.monitor.criticalRecovery], [350, 750]);
        const low = load({ [key("warningThreshold")]: "100", [key("criticalThreshold")]: "101" });
        assert.deepEqual([low.monitor.warningRecovery, low.monitor.criticalRecovery], [0, undefined], "no room under 101 above 100: none");
    });

    const expected: Record<string, object> = {
        alert: { myMetric: { low: 701, high: 1000 } },
        warning: { myMetric: { low: 301, high: 450 } },
        calm: { myMetric: { low: 0, high: 120 } },
        nodata: { myMetric: undefined },
        slow: { myMetric: { low: 0, high: 1000 }, slow: { sharePercent: 10, delayMs: 1000 } },
        errors: { myMetric: { low: 0, high: 1000 }, errorPercent: 40 },
    };
    for (const [name, want] of Object.entries(expected)) {
        it(`${name}: its values come from the stack's own thresholds`, () => {
            const s = load({ ...tuned, [key("scenario")]: name }).scenario;
            assert.deepEqual({ ...s }, { name, myMetric: undefined, slow: undefined, errorPercent: undefined, ...want });
        });
    }

    it("errors: above the SLO's error budget when that is the larger (target 60 %: 50 % of requests fail)", () => {
        assert.equal(load({ [key("scenario")]: "errors", [key("sloTargetPercent")]: "60" }).scenario.errorPercent, 50);
    });

    it("refuses a typo'd scenario, naming the valid ones", () => {
        assert.deepEqual(problems({ [key("scenario")]: "alrt" }), [
            `${PROJECT}:scenario = "alrt": must be one of ${SCENARIOS.join(", ")}. Fix: pulumi config set scenario exercise`,
        ]);
    });

    it("refuses alert with criticalThreshold 1000: nothing is above it", () => {
        const [p] = problems({ [key("scenario")]: "alert", [key("criticalThreshold")]: "1000" });
        assert.match(p, /^datadog-exercise:scenario = "alert": cannot be reached with this config: my_metric never goes above 1000, so nothing is above criticalThreshold 1000; lower criticalThreshold\. Fix: /);
    });

    it("refuses warning when an alert could not come back to a warning (criticalRecoveryThreshold at or below warningThreshold)", () => {
        const [p] = problems({ [key("scenario")]: "warning", [key("criticalRecoveryThreshold")]: "500" });
        assert.match(p, /scenario = "warning": cannot be reached with this config: an alert only recovers at or below criticalRecoveryThreshold 500, which is not above warningThreshold 500/);
        assert.equal(load({ [key("scenario")]: "warning", [key("criticalRecoveryThreshold")]: "501" }).scenario.myMetric?.high, 501);
    });

    for (const name of ["slow", "errors"]) {
        it(`refuses ${name} without traffic (trafficRequestsPerSecond 0)`, () => {
            const [p] = problems({ [key("scenario")]: name, [key("trafficRequestsPerSecond")]: "0" });
            assert.match(p, new RegExp(`scenario = "${name}": cannot be reached with this config: the app's monitors need requests, and trafficRequestsPerSecond is 0`));
        });
    }

    it("refuses slow when its waits would slow the traffic container down, naming the largest critical that fits", () => {
        // 3 requests/s x 10 % x ceil(1.25 x critical) ms <= 0.5 s a second: critical <= 1332 ms.
        assert.equal(load({ [key("scenario")]: "slow", [key("latencyP95CriticalMs")]: "1332" }).scenario.slow?.delayMs, 1665);
        const [p] = problems({ [key("scenario")]: "slow", [key("latencyP95CriticalMs")]: "1333" });
        assert.match(p, /10 % of requests waiting 1667 ms would hold the traffic container below 3 requests\/s; lower latencyP95CriticalMs to 1332 or less, or trafficRequestsPerSecond/);
    });

    it("refuses recovery thresholds at or above their threshold, with the fix, among the other problems", () => {
        const ps = problems({ [key("warningRecoveryThreshold")]: "500", [key("criticalRecoveryThreshold")]: "900", [key("notifyEmail")]: "nope" });
        assert.equal(ps.length, 3);
        assert.ok(ps.includes(`${PROJECT}:warningRecoveryThreshold = "500": must be lower than warningThreshold (500): Datadog rejects a recovery at or above its threshold. Fix: pulumi config set warningRecoveryThreshold <a whole number below warningThreshold> (or pulumi config rm warningRecoveryThreshold)`), ps.join("\n"));
        assert.ok(ps.some((p) => p.startsWith(`${PROJECT}:criticalRecoveryThreshold = "900": must be lower than criticalThreshold (800)`)));
        assert.deepEqual(problems({ [key("criticalRecoveryThreshold")]: "-1" }).map((p) => p.split(":").slice(0, 3).join(":")), [`${PROJECT}:criticalRecoveryThreshold = "-1": must not be negative`]);
    });
});

describe("scenario: what reaches the containers and the monitor", () => {
    const agentYaml = async (config: Record<string, string>) =>
        parseYaml((await runProgram({ config })).get(T.container, "host-agent-container").inputs.uploads.find((u: any) => u.file.endsWith("custom_my_metric.yaml")).content);
    const appEnv = async (config: Record<string, string>) => envMap((await runProgram({ config })).get(T.container, "host-app-container").inputs.envs);

    it("alert: the check's instance gets the range above the critical (non-default thresholds)", async () => {
        assert.deepEqual(await agentYaml({ ...tuned, [key("scenario")]: "alert" }), { init_config: {}, instances: [{ min_collection_interval: 45, min_value: 701, max_value: 1000 }] });
    });

    it("nodata: the check's instance says submit: false", async () => {
        assert.deepEqual((await agentYaml({ [key("scenario")]: "nodata" })).instances, [{ min_collection_interval: 45, submit: false }]);
    });

    it("exercise, slow and errors: the check's file is the exercise's, unchanged (the Agent is not replaced)", async () => {
        for (const name of ["exercise", "slow", "errors"]) assert.deepEqual((await agentYaml({ [key("scenario")]: name })).instances, [{ min_collection_interval: 45 }]);
    });

    it("slow and errors reach the app's environment with the stack's values; the other scenarios leave it as exercise has it", async () => {
        const base = await appEnv({});
        assert.ok(!Object.keys(base).some((k) => k.startsWith("DEMO_")));
        assert.deepEqual(await appEnv({ ...tuned, [key("scenario")]: "slow" }), { ...base, DEMO_SLOW_PERCENT: "10", DEMO_SLOW_MS: "1000" });
        assert.deepEqual(await appEnv({ ...tuned, [key("scenario")]: "errors" }), { ...base, DEMO_ERROR_PERCENT: "40" });
        for (const name of ["alert", "warning", "calm", "nodata"]) assert.deepEqual(await appEnv({ [key("scenario")]: name }), base);
    });

    it("the traffic container's environment is the same in every scenario", async () => {
        const traffic = async (name: string) => (await runProgram({ config: { [key("scenario")]: name } })).get(T.container, "host-traffic-container").inputs.envs;
        const base = await traffic("exercise");
        for (const name of SCENARIOS) assert.deepEqual(await traffic(name), base);
    });

    it("the monitor carries the recovery thresholds, set or derived", async () => {
        const monitor = async (config: Record<string, string>) => (await runProgram({ config })).get(T.monitor, "datadog-my-metric-monitor").inputs.monitorThresholds;
        assert.deepEqual(await monitor({}), { warning: "500", critical: "800", warningRecovery: "250", criticalRecovery: "650" });
        assert.deepEqual(await monitor(tuned), { warning: "300", critical: "700", warningRecovery: "120", criticalRecovery: "450" });
    });

    it("the program logs the forecast at preview: prod's thresholds get the warning, dev's do not", async () => {
        const dev = await runProgram();
        assert.deepEqual(dev.logs.warn, []);
        assert.ok(dev.logs.info.some((l) => l.startsWith("my_metric monitor, scenario exercise (avg over 5 min, warning 500 / critical 800, recoveries 250 / 650)")), dev.logs.info.join("\n"));
        const prod = await runProgram({ stack: "prod", config: { [key("warningThreshold")]: "600", [key("criticalThreshold")]: "900" } });
        assert.equal(prod.logs.warn.length, 1);
        assert.match(prod.logs.warn[0], /^criticalThreshold 900 on avg over 5 min: expected about once in \d+ days; `npm run deploy -- scenario alert` shows it now\.$/);
    });
});
