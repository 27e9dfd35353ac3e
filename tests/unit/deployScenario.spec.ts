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
        assert.deepEqual(scenarioConfig("nodata"), { "datadog-exercise:scenario": { value: "nodata", secret: false } });
    });

    it("refuses a missing or unknown scenario as a usage error, naming every one", () => {
        const usage = (re: RegExp) => (e: Error & { exitCode?: number }) => re.test(e.message) && e.exitCode === 2;
        assert.throws(() => scenarioConfig(parseArgs(["scenario"]).scenario), usage(/^scenario: which one\? One of exercise, alert, warning, calm, nodata, slow, errors\./));
        assert.throws(() => scenarioConfig("Alert"), usage(/^unknown scenario 'Alert': the scenarios are exercise, alert, warning, calm, nodata, slow, errors\./));
    });

    it("takes no third word", () => {
        assert.throws(() => parseArgs(["scenario", "alert", "dev", "prod"]), /^Error: too many arguments: dev prod\./);
    });
});
