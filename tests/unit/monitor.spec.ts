import * as assert from "node:assert/strict";
import { PROJECT, ProgramRun, runProgram, T } from "./harness";

const key = (k: string) => `${PROJECT}:${k}`;

describe("MyMetricMonitor", () => {
    let run: ProgramRun;
    let monitor: Record<string, any>;
    before(async () => {
        run = await runProgram();
        monitor = run.get(T.monitor, "datadog-my-metric-monitor").inputs;
    });

    it("is a metric alert on my_metric, per host, over the last 5 minutes, critical above 800", () => {
        assert.equal(monitor.type, "metric alert");
        assert.equal(monitor.query, "avg(last_5m):avg:my_metric{env:dev} by {host} > 800");
    });

    it("sets warning 500 and critical 800 as strings, and alerts after 10 minutes without data", () => {
        assert.deepEqual(monitor.monitorThresholds, { warning: "500", critical: "800", warningRecovery: "250", criticalRecovery: "650" });
        assert.equal(monitor.notifyNoData, true);
        assert.equal(monitor.noDataTimeframe, 10);
    });

    // Thresholds 800 apart: dev's and prod's are both 300 apart, so a critical derived from the
    // warning (warning + 300) would pass with those.
    const tuned = () =>
        runProgram({
            stack: "prod",
            config: {
                [key("warningThreshold")]: "150",
                [key("criticalThreshold")]: "950",
                [key("evaluationWindowMinutes")]: "15",
                [key("noDataMinutes")]: "45",
                [key("monitorTimeAggregation")]: "max",
            },
        });

    it("carries non-default thresholds and windows into the query and thresholds", async () => {
        const m = (await tuned()).get(T.monitor, "datadog-my-metric-monitor").inputs;
        assert.equal(m.query, "max(last_15m):avg:my_metric{env:prod} by {host} > 950");
        assert.deepEqual(m.monitorThresholds, { warning: "150", critical: "950", warningRecovery: "0", criticalRecovery: "550" });
        assert.equal(m.noDataTimeframe, 45);
        assert.match(m.message, /\(max over the last 15 minutes\)/);
    });

    it("puts the critical threshold itself in the query, however far the warning sits below it", async () => {
        const m = (await tuned()).get(T.monitor, "datadog-my-metric-monitor").inputs;
        assert.equal(m.query.split(" > ")[1], m.monitorThresholds.critical);
        assert.notEqual(Number(m.monitorThresholds.critical) - Number(m.monitorThresholds.warning), 300);
    });

    it("writes one message block per state, with value and host IP in the alert", () => {
        const block = (tag: string) => new RegExp(`\\{\\{#${tag}\\}\\}\\n(.+)\\n\\{\\{/${tag}\\}\\}`).exec(monitor.message)?.[1] ?? "";
        const alert = block("is_alert");
        const warning = block("is_warning");
        const noData = block("is_no_data");
        assert.match(alert, /\{\{value\}\}/);
        assert.match(alert, /\{\{host\.ip\}\}/);
        assert.match(alert, /critical threshold of \{\{threshold\}\}/);
        assert.match(warning, /\{\{value\}\}.*warning threshold of \{\{warn_threshold\}\}/);
        assert.match(noData, /reported nothing .* for 10 minutes/);
        assert.equal(new Set([alert, warning, noData]).size, 3, "each state has its own text");
    });

    it("notifies the configured e-mail address", async () => {
        assert.match(monitor.message, /\n@oncall@example\.com$/);
        const other = await runProgram({ config: { [key("notifyEmail")]: "sre-team@example.org" } });
        assert.match(other.get(T.monitor, "datadog-my-metric-monitor").inputs.message, /\n@sre-team@example\.org$/);
    });

    it("is tagged with env, the project the downtimes select, its manager, and the demo as its service (not the app's APM service)", async () => {
        assert.deepEqual(monitor.tags, ["env:dev", "project:datadog-exercise", "managed-by:pulumi", "service:datadog-exercise"]);
        const shop = await runProgram({ config: { [`${PROJECT}:service`]: "shop" } });
        assert.deepEqual(shop.get(T.monitor, "datadog-my-metric-monitor").inputs.tags, monitor.tags);
    });

    it("does not wait for a full window on a sparse metric", () => {
        assert.equal(monitor.requireFullWindow, false);
    });

    it("exports the monitor's URL on the configured site", async () => {
        assert.equal(run.outputs.monitorUrl, "https://app.datadoghq.com/monitors/4242");
        const eu = await runProgram({ config: { [`${PROJECT}:site`]: "datadoghq.eu" } });
        assert.equal(eu.outputs.monitorUrl, "https://app.datadoghq.eu/monitors/4242");
    });
});
