import * as assert from "node:assert/strict";
import { parseArgs } from "../../deploy/deploy";
import { scenarioArgs } from "../../deploy/scenario";

describe("deploy command: the scenario subcommand", () => {
    it("turns `scenario <name> [stack] [options]` into up on that stack, with the key to write", () => {
        const { argv, config } = scenarioArgs(["scenario", "nodata", "prod", "--target-dependents"]);
        assert.deepEqual(parseArgs(argv), { command: "up", stack: "prod", targets: [], targetDependents: true });
        assert.deepEqual(config, { "datadog-exercise:scenario": { value: "nodata", secret: false } });
        assert.equal(parseArgs(scenarioArgs(["scenario", "slow"]).argv).stack, "dev");
    });

    it("leaves other arguments as they are", () => {
        assert.deepEqual(scenarioArgs(["preview", "prod"]), { argv: ["preview", "prod"], config: {} });
    });

    it("refuses a missing or unknown scenario, naming every one", () => {
        assert.throws(() => scenarioArgs(["scenario"]), /^Error: scenario: which one\? One of exercise, alert, warning, calm, nodata, slow, errors\./);
        assert.throws(() => scenarioArgs(["scenario", "Alert"]), /unknown scenario 'Alert': the scenarios are exercise, alert, warning, calm, nodata, slow, errors\./);
    });
});
