import * as assert from "node:assert/strict";
import { parseArgs } from "../../deploy/cli";
import { scenarioConfig } from "../../deploy/scenario";

describe("deploy command: the scenario subcommand", () => {
    it("takes `scenario <name> [stack] [options]`: the name, the stack (dev by default) and the options", () => {
        const inv = parseArgs(["scenario", "nodata", "prod", "--target-dependents"]);
        assert.deepEqual([inv.command, inv.scenario, inv.stack, inv.targetDependents], ["scenario", "nodata", "prod", true]);
        assert.equal(parseArgs(["scenario", "slow"]).stack, "dev");
    });

    it("writes the scenario key, as plain config", () => {
        assert.deepEqual(scenarioConfig("nodata", "dev", {}), { "datadog-exercise:scenario": { value: "nodata", secret: false } });
    });

    it("refuses a missing or unknown scenario as a usage error, naming every one", () => {
        const usage = (re: RegExp) => (e: Error & { exitCode?: number }) => re.test(e.message) && e.exitCode === 2;
        assert.throws(() => scenarioConfig(parseArgs(["scenario"]).scenario, "dev", {}), usage(/^scenario: which one\? One of exercise, alert, warning, calm, nodata, slow, errors\./));
        assert.throws(() => scenarioConfig("Alert", "dev", {}), usage(/^unknown scenario 'Alert': the scenarios are exercise, alert, warning, calm, nodata, slow, errors\./));
    });

    it("refuses, before anything is written, a scenario that the stack file's values cannot reach, with the config error's line", () => {
        const noTraffic = { "datadog-exercise:trafficRequestsPerSecond": "0" };
        assert.throws(
            () => scenarioConfig("slow", "dev", noTraffic),
            (e: Error) =>
                /^Cannot set the scenario of stack 'dev' \(nothing was written\):\n {2}- datadog-exercise:scenario = "slow": cannot be reached with this config: the app's monitors need requests, and trafficRequestsPerSecond is 0/.test(e.message) &&
                e.message.split("\n").length === 2,
        );
        assert.throws(() => scenarioConfig("alert", "dev", { "datadog-exercise:criticalThreshold": 1000 }), /datadog-exercise:scenario = "alert": cannot be reached/);
        assert.deepEqual(scenarioConfig("slow", "dev", { "datadog-exercise:trafficRequestsPerSecond": "3" }), { "datadog-exercise:scenario": { value: "slow", secret: false } });
    });

    it("takes no third word", () => {
        assert.throws(() => parseArgs(["scenario", "alert", "dev", "prod"]), /^Error: too many arguments: dev prod\./);
    });
});
