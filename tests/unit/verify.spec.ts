import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig } from "../../components/config/stackConfig";
import { rehearsalSteps } from "../../deploy/rehearse";
import { StackContext } from "../../deploy/stackContext";
import { signals } from "../../deploy/verify";
import { stateForecast } from "../../deploy/waitState";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "live-demo.md"), "utf8");

/** A dev stack's context with `scenario`, its three monitors, as readStack makes it. */
function context(scenario: string, platform = "docker"): StackContext {
    const values: Record<string, string> = {
        "datadog:apiKey": "0".repeat(32),
        "datadog:appKey": "0".repeat(40),
        "datadog-exercise:notifyEmail": "se@example.com",
        "datadog-exercise:downtimeStartDate": "2030-01-01",
        "datadog-exercise:scenario": scenario,
        "datadog-exercise:platform": platform,
        ...(platform === "kubernetes" ? { "datadog-exercise:appImage": "exercise-app:1.0.0" } : {}),
    };
    const config = loadStackConfig({ stack: "dev", get: (k) => values[k], isSecret: () => true });
    const monitors = (["my_metric", "latency", "error rate"] as const).map((kind, i) => ({ id: i + 1, name: kind, kind }));
    return { stack: "dev", config, access: { url: "http://127.0.0.1:9", apiKey: "", appKey: "" }, lastUpdate: new Date(), monitors };
}

describe("read commands: what they ask and promise", () => {
    it("docs/live-demo.md's signal table has a row for every signal verify asks (each monitor in one row)", () => {
        const rows = [...doc.matchAll(/^\| ([^|]+?) \| `/gm)].map((m) => m[1]);
        const names = signals(context("exercise")).map((s) => (s.name.endsWith(" monitor") ? "each monitor" : s.name));
        assert.deepEqual([...new Set(names)], rows);
    });

    it("verify asks for no my_metric points in nodata, and by env on Kubernetes", () => {
        assert.ok(!signals(context("nodata")).some((s) => s.name === "my_metric"));
        assert.match(signals(context("exercise", "kubernetes"))[0].next, /^kubectl -n dev-exercise exec/);
    });

    it("scenario --wait's forecast is the live demo table's figure (alert after exercise: 4.2 / 5.1 min)", () => {
        const f = stateForecast(context("alert").config, "alert", "exercise")!;
        assert.deepEqual([f.median.toFixed(1), f.p90.toFixed(1)], ["4.2", "5.1"]);
        assert.match(doc, /\| `alert` \| .* \| 4\.2 min \| 5\.1 min \|/);
    });

    it("rehearse runs the app's two scenarios only when the traffic runs", () => {
        assert.deepEqual(rehearsalSteps(2), ["alert", "warning", "calm", "nodata", "slow", "errors"]);
        assert.deepEqual(rehearsalSteps(0), ["alert", "warning", "calm", "nodata"]);
    });
});
