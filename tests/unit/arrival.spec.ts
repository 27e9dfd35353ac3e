// Every config value held where it arrives: the monitor's query, thresholds and message, the
// widget's request, the container's env and labels, the SLO. One run with a value other than the
// default for each key, so that a hard-coded default (or one key read for another) cannot pass.
import * as assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { DECLARED_KEYS } from "../../components/config/stackConfig";
import { envMap, labelMap, MOCK_DASHBOARD_PATH, PROJECT, ProgramRun, runProgram, T } from "./harness";

const key = (k: string) => `${PROJECT}:${k}`;

/** No value equals its Pulumi.yaml default (a spec below checks that), nor another key's value. */
const TUNED: Record<string, string> = {
    [key("env")]: "demo-7",
    [key("hostname")]: "box-1.example.internal",
    [key("site")]: "us5.datadoghq.com",
    [key("service")]: "shop",
    [key("appVersion")]: "2.3.4",
    [key("checkIntervalSeconds")]: "17",
    [key("warningThreshold")]: "430",
    [key("criticalThreshold")]: "770",
    [key("warningRecoveryThreshold")]: "205",
    [key("criticalRecoveryThreshold")]: "640",
    [key("evaluationWindowMinutes")]: "7",
    [key("noDataMinutes")]: "23",
    [key("monitorTimeAggregation")]: "max",
    [key("latencyP95WarningMs")]: "240",
    [key("latencyP95CriticalMs")]: "1250",
    [key("errorRateWarningPercent")]: "3",
    [key("errorRateCriticalPercent")]: "37",
    [key("sloTargetPercent")]: "97",
    [key("sloTimeframe")]: "90d",
    [key("trafficRequestsPerSecond")]: "11",
    [key("notifyEmail")]: "tuned@example.org",
    [key("appPort")]: "6061",
};

/** The text between {{#state}} and {{/state}}. */
function block(message: string, state: string): string {
    const found = new RegExp(`\\{\\{#${state}\\}\\}\\n(.+)\\n\\{\\{/${state}\\}\\}`).exec(message);
    assert.ok(found, `no ${state} block in:\n${message}`);
    return found[1];
}

describe("config values where they arrive (every key off its default)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ config: TUNED });
        assert.equal(run.error, undefined);
    });

    it("uses no default value: each tuned key differs from Pulumi.yaml's default", () => {
        for (const [k, v] of Object.entries(TUNED)) assert.notEqual(String(DECLARED_KEYS[k.split(":")[1]].default), v, k);
    });

    describe("my_metric's monitor", () => {
        let m: Record<string, any>;
        before(() => {
            m = run.get(T.monitor, "datadog-my-metric-monitor").inputs;
        });

        it("aggregates the configured window with the configured aggregation, against the critical threshold", () => {
            assert.equal(m.query, "max(last_7m):avg:my_metric{env:demo-7} by {host} > 770");
            assert.deepEqual(m.monitorThresholds, { warning: "430", critical: "770", warningRecovery: "205", criticalRecovery: "640" });
            assert.equal(m.noDataTimeframe, 23);
            assert.equal(m.name, "[demo-7] my_metric is high on {{host.name}}");
        });

        it("quotes the critical threshold in the alert and the warning threshold in the warning", () => {
            const alert = block(m.message, "is_alert");
            const warning = block(m.message, "is_warning");
            assert.match(alert, /above the critical threshold of \{\{threshold\}\}\.$/);
            assert.doesNotMatch(alert, /warn_threshold/);
            assert.match(warning, /above the warning threshold of \{\{warn_threshold\}\}\.$/);
            assert.doesNotMatch(warning, /\{\{threshold\}\}/);
        });

        it("says the configured aggregation and window in the alert and the warning, and the no-data time in NO DATA", () => {
            for (const state of ["is_alert", "is_warning"]) assert.match(block(m.message, state), /\(max over the last 7 minutes\)/, state);
            assert.match(block(m.message, "is_no_data"), /for 23 minutes\./);
            assert.match(block(m.message, "is_recovery"), /back under its thresholds \(\{\{value\}\}\)/);
            assert.match(m.message, /\n\n@tuned@example\.org$/);
        });

        it("quotes no default anywhere in its message", () => {
            assert.doesNotMatch(m.message, /\b(avg|5 minutes|10 minutes|500|800)\b/);
        });
    });

    describe("the app's monitors", () => {
        let latency: Record<string, any>;
        let errors: Record<string, any>;
        before(() => {
            latency = run.get(T.monitor, "datadog-service-latency").inputs;
            errors = run.get(T.monitor, "datadog-service-error-rate").inputs;
        });

        it("watch the configured service in the configured env, over the configured window", () => {
            assert.equal(latency.query, "percentile(last_7m):p95:trace.flask.request{env:demo-7,service:shop} > 1.25");
            assert.equal(
                errors.query,
                "sum(last_7m):(default_zero(sum:trace.flask.request.errors{env:demo-7,service:shop}.as_count()) / sum:trace.flask.request.hits{env:demo-7,service:shop}.as_count()) * 100 > 37",
            );
            assert.equal(latency.name, "[demo-7] shop: p95 latency is high");
            assert.equal(errors.name, "[demo-7] shop: error rate is high");
        });

        it("take each threshold from its own key: latency in seconds, error rate in percent", () => {
            assert.deepEqual(latency.monitorThresholds, { warning: "0.24", critical: "1.25" });
            assert.deepEqual(errors.monitorThresholds, { warning: "3", critical: "37" });
        });

        it("say the service, the unit, the window and the no-data time in their messages, and notify the configured address", () => {
            for (const [m, what, unit] of [
                [latency, "p95 latency", "s"],
                [errors, "error rate", "%"],
            ] as const) {
                assert.equal(block(m.message, "is_alert"), `ALERT: shop ${what} is {{value}}${unit} over the last 7 minutes, above the critical threshold of {{threshold}}${unit}.`);
                assert.equal(block(m.message, "is_warning"), `WARNING: shop ${what} is {{value}}${unit} over the last 7 minutes, above the warning threshold of {{warn_threshold}}${unit}.`);
                assert.match(block(m.message, "is_no_data"), /^NO DATA: shop has served no traced request for 23 minutes\./);
                assert.equal(block(m.message, "is_recovery"), `RECOVERED: shop ${what} is back under its thresholds ({{value}}${unit}).`);
                assert.match(m.message, /\n\n@tuned@example\.org$/);
                assert.equal(m.noDataTimeframe, 23);
                assert.deepEqual(m.tags, ["env:demo-7", "project:datadog-exercise", "managed-by:pulumi", "service:shop"]);
            }
        });
    });

    it("gives the SLO the configured target and window, on the configured service", () => {
        const slo = run.get(T.slo, "datadog-slo-slo").inputs;
        assert.deepEqual(slo.thresholds, [{ timeframe: "90d", target: 97 }]);
        assert.equal(slo.query.denominator, "sum:trace.flask.request.hits{env:demo-7,service:shop}.as_count()");
        assert.equal(slo.name, "[demo-7] shop: requests succeed");
    });

    it("points every widget of the service dashboard at the configured service and env, the SLO over its window", () => {
        const dash = run.get(T.dashboard, "datadog-service-dashboard-dashboard").inputs;
        assert.equal(dash.title, "Datadog exercise: shop (demo-7)");
        const defs = dash.widgets.map((w: Record<string, any>) => Object.values(w)[0]);
        assert.deepEqual(
            defs.filter((d: any) => d.requests?.[0]?.q).map((d: any) => d.requests[0].q),
            [
                "sum:trace.flask.request.hits{$env,service:shop}.as_rate()",
                "sum:trace.flask.request.errors{$env,service:shop}.as_rate()",
                "p95:trace.flask.request{$env,service:shop}",
                "sum:postgresql.queries.count{$env} by {user}.as_rate()",
            ],
        );
        const slo = defs.find((d: any) => d.sloId);
        assert.deepEqual([slo.sloId, slo.timeWindows], ["datadog-slo-slo-id", ["90d"]]);
        const logs = defs.find((d: any) => d.requests?.[0]?.query?.dataSource === "logs_stream");
        assert.equal(logs.requests[0].query.queryString, "service:shop $env");
        assert.equal(logs.title, "shop logs");
    });

    it("defaults the timeboard's host variable to the configured hostname and titles it with the env", () => {
        const dash = run.get(T.dashboard, "datadog-timeboard-dashboard").inputs;
        assert.equal(dash.title, "Datadog exercise (demo-7)");
        assert.deepEqual(dash.templateVariables, [{ name: "host", prefix: "host", defaults: ["box-1.example.internal"] }]);
    });

    it("scopes both downtimes to the env and the stack's monitor tags, and notifies the configured address", () => {
        for (const d of run.ofType(T.downtime)) {
            assert.equal(d.inputs.scope, "env:demo-7");
            assert.deepEqual(d.inputs.monitorIdentifier, { monitorTags: ["env:demo-7", "project:datadog-exercise"] });
            assert.match(d.inputs.message, /\n@tuned@example\.org$/);
        }
        assert.equal(run.ofType(T.downtime).length, 2);
    });

    it("sends the provider and every exported link to the configured site", () => {
        assert.equal(run.get(T.datadogProvider, "datadog-provider").inputs.apiUrl, "https://api.us5.datadoghq.com/");
        assert.equal(run.outputs.monitorUrl, "https://us5.datadoghq.com/monitors/4242");
        assert.equal(run.outputs.dashboardUrl, `https://us5.datadoghq.com${MOCK_DASHBOARD_PATH}`);
        assert.equal(run.outputs.serviceDashboardUrl, `https://us5.datadoghq.com${MOCK_DASHBOARD_PATH}`);
        assert.equal(run.outputs.appUrl, "http://localhost:6061");
    });

    describe("the containers", () => {
        it("name every Docker object after the env key, not the stack", () => {
            const names = [...run.ofType(T.container), ...run.ofType(T.network), ...run.ofType(T.volume)].map((r) => r.inputs.name).sort();
            assert.deepEqual(names, [
                "demo-7-datadog-agent",
                "demo-7-datadog-agent-run",
                "demo-7-exercise",
                "demo-7-exercise-app",
                "demo-7-exercise-traffic",
                "demo-7-postgres",
                "demo-7-postgres-data",
            ]);
        });

        it("give the Agent the site, hostname and env, watch this env's containers, and run the check at the configured interval", () => {
            const agent = run.get(T.container, "host-agent-container").inputs;
            const env = envMap(agent.envs);
            assert.deepEqual([env.DD_SITE, env.DD_HOSTNAME, env.DD_ENV], ["us5.datadoghq.com", "box-1.example.internal", "demo-7"]);
            assert.equal(env.DD_CONTAINER_INCLUDE, "name:^demo-7-postgres$ name:^demo-7-exercise-app$ name:^demo-7-exercise-traffic$");
            const conf = agent.uploads.find((u: any) => u.file === "/etc/datadog-agent/conf.d/custom_my_metric.yaml");
            assert.deepEqual(parseYaml(conf.content), { init_config: {}, instances: [{ min_collection_interval: 17 }] });
        });

        it("tag the app with the service, env and version, in its env and on every label, its logs under the service", () => {
            const app = run.get(T.container, "host-app-container").inputs;
            const env = envMap(app.envs);
            assert.deepEqual([env.DD_SERVICE, env.DD_ENV, env.DD_VERSION, env.PORT], ["shop", "demo-7", "2.3.4", "6061"]);
            const labels = labelMap(app.labels);
            assert.deepEqual(
                [labels["com.datadoghq.tags.env"], labels["com.datadoghq.tags.service"], labels["com.datadoghq.tags.version"]],
                ["demo-7", "shop", "2.3.4"],
            );
            assert.equal(JSON.parse(labels["com.datadoghq.ad.logs"])[0].service, "shop");
            assert.deepEqual(app.ports, [{ internal: 6061, external: 6061, ip: "127.0.0.1" }]);
            assert.equal(run.get(T.image, "host-app-image").inputs.imageName, "demo-7-exercise-app:2.3.4");
        });

        it("send the traffic at the configured rate to the app's port, logging under <service>-traffic in the env", () => {
            const traffic = run.get(T.container, "host-traffic-container").inputs;
            assert.deepEqual(envMap(traffic.envs), { TARGET_URL: "http://app:6061", REQUESTS_PER_SECOND: "11" });
            const labels = labelMap(traffic.labels);
            assert.equal(labels["com.datadoghq.tags.env"], "demo-7");
            assert.equal(labels["com.datadoghq.tags.service"], "shop-traffic");
            assert.deepEqual(JSON.parse(labels["com.datadoghq.ad.logs"]), [{ source: "python", service: "shop-traffic" }]);
        });

        it("tag PostgreSQL and its check's metrics with the env", () => {
            const labels = labelMap(run.get(T.container, "host-postgres-container").inputs.labels);
            assert.equal(labels["com.datadoghq.tags.env"], "demo-7");
            assert.deepEqual(JSON.parse(labels["com.datadoghq.ad.checks"]).postgres.instances[0].tags, ["env:demo-7", "service:postgres"]);
        });
    });
});
