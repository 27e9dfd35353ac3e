import * as assert from "node:assert/strict";
import { dashboardTemplateVariables, widgetQueries } from "../../policy/datadog";
import { readInputs } from "../../policy/inputs";
import { MOCK_DASHBOARD_PATH, PROJECT, ProgramRun, envMap, labelMap, runProgram, T } from "./harness";

const key = (k: string) => `${PROJECT}:${k}`;

describe("ServiceMonitors", () => {
    let run: ProgramRun;
    let latency: Record<string, any>;
    let errors: Record<string, any>;
    before(async () => {
        run = await runProgram();
        latency = run.get(T.monitor, "datadog-service-latency").inputs;
        errors = run.get(T.monitor, "datadog-service-error-rate").inputs;
    });

    it("watches the p95 of the app's flask.request, in seconds, over the evaluation window", () => {
        assert.equal(latency.type, "query alert");
        assert.equal(latency.query, "percentile(last_5m):p95:trace.flask.request{env:dev,service:exercise-app} > 1");
        assert.deepEqual(latency.monitorThresholds, { warning: "0.3", critical: "1" });
    });

    it("watches the app's errors per hundred requests, a window without errors counting as 0", () => {
        assert.equal(errors.type, "query alert");
        assert.equal(
            errors.query,
            "sum(last_5m):(default_zero(sum:trace.flask.request.errors{env:dev,service:exercise-app}.as_count()) / sum:trace.flask.request.hits{env:dev,service:exercise-app}.as_count()) * 100 > 15",
        );
        assert.deepEqual(errors.monitorThresholds, { warning: "8", critical: "15" });
    });

    it("follows the configured service, thresholds and window, the query's number staying the critical one", async () => {
        const tuned = await runProgram({
            config: {
                [key("service")]: "shop",
                [key("latencyP95WarningMs")]: "250",
                [key("latencyP95CriticalMs")]: "750",
                [key("errorRateWarningPercent")]: "2",
                [key("errorRateCriticalPercent")]: "40",
                [key("evaluationWindowMinutes")]: "15",
                [key("noDataMinutes")]: "45",
            },
        });
        const l = tuned.get(T.monitor, "datadog-service-latency").inputs;
        const e = tuned.get(T.monitor, "datadog-service-error-rate").inputs;
        assert.equal(l.query, "percentile(last_15m):p95:trace.flask.request{env:dev,service:shop} > 0.75");
        assert.deepEqual(l.monitorThresholds, { warning: "0.25", critical: "0.75" });
        assert.match(e.query, /^sum\(last_15m\):.*\{env:dev,service:shop\}.* \* 100 > 40$/);
        assert.deepEqual(e.monitorThresholds, { warning: "2", critical: "40" });
        assert.equal(l.noDataTimeframe, 45);
    });

    it("has a message for every state, and notifies the configured address", () => {
        for (const m of [latency, errors]) {
            for (const state of ["is_alert", "is_warning", "is_no_data", "is_recovery"]) assert.match(m.message, new RegExp(`\\{\\{#${state}\\}\\}\\n.+\\n\\{\\{/${state}\\}\\}`));
            assert.match(m.message, /\n@oncall@example\.com$/);
            assert.equal(m.notifyNoData, true);
            assert.equal(m.noDataTimeframe, 10);
        }
    });

    it("does not alert on no data when there is no traffic container, whose silence is then normal", async () => {
        const quiet = await runProgram({ config: { [key("trafficRequestsPerSecond")]: "0" } });
        for (const name of ["datadog-service-latency", "datadog-service-error-rate"]) {
            const m = quiet.get(T.monitor, name).inputs;
            assert.equal(m.notifyNoData, false);
            assert.equal(m.noDataTimeframe, undefined);
        }
    });

    it("is tagged for the stack's downtimes and with the app's service", () => {
        for (const m of [latency, errors]) assert.deepEqual(m.tags, ["env:dev", "project:datadog-exercise", "managed-by:pulumi", "service:exercise-app"]);
    });
});

describe("ServiceSlo", () => {
    it("counts the app's requests that do not fail, against a target over a window from config", async () => {
        const run = await runProgram({ config: { [key("sloTargetPercent")]: "95", [key("sloTimeframe")]: "30d" } });
        const slo = run.get(T.slo, "datadog-slo-slo").inputs;
        assert.equal(slo.type, "metric");
        assert.deepEqual(slo.query, {
            numerator: "sum:trace.flask.request.hits{env:dev,service:exercise-app}.as_count() - sum:trace.flask.request.errors{env:dev,service:exercise-app}.as_count()",
            denominator: "sum:trace.flask.request.hits{env:dev,service:exercise-app}.as_count()",
        });
        assert.deepEqual(slo.thresholds, [{ timeframe: "30d", target: 95 }]);
        assert.deepEqual(slo.tags, ["env:dev", "project:datadog-exercise", "managed-by:pulumi", "service:exercise-app"]);
    });
});

describe("ServiceDashboard", () => {
    let run: ProgramRun;
    let widgets: Record<string, any>[];
    before(async () => {
        run = await runProgram();
        widgets = run.get(T.dashboard, "datadog-service-dashboard-dashboard").inputs.widgets;
    });

    it("graphs the app's requests, errors and p95 latency", () => {
        const queries = widgets.filter((w) => w.timeseriesDefinition).map((w) => w.timeseriesDefinition.requests[0].q);
        assert.deepEqual(queries.slice(0, 3), [
            "sum:trace.flask.request.hits{$env,service:exercise-app}.as_rate()",
            "sum:trace.flask.request.errors{$env,service:exercise-app}.as_rate()",
            "p95:trace.flask.request{$env,service:exercise-app}",
        ]);
    });

    it("shows the SLO the program creates, over its window", () => {
        const slo = widgets.find((w) => w.serviceLevelObjectiveDefinition)?.serviceLevelObjectiveDefinition;
        assert.equal(slo.sloId, "datadog-slo-slo-id");
        assert.deepEqual(slo.timeWindows, ["7d"]);
    });

    it("graphs PostgreSQL's query rate by role, from Database Monitoring", () => {
        const queries = widgets.filter((w) => w.timeseriesDefinition).map((w) => w.timeseriesDefinition.requests[0].q);
        assert.ok(queries.includes("sum:postgresql.queries.count{$env} by {user}.as_rate()"), queries.join("\n"));
    });

    it("streams the app's logs", () => {
        const list = widgets.find((w) => w.listStreamDefinition)?.listStreamDefinition;
        assert.deepEqual(list.requests[0].query, { dataSource: "logs_stream", queryString: "service:exercise-app $env", indexes: [] });
        assert.equal(list.requests[0].responseFormat, "event_list");
    });

    it("is scoped by an env template variable, the stack's env by default, that every query uses: the pack's dashboard rule passes it", () => {
        const dash = run.get(T.dashboard, "datadog-service-dashboard-dashboard").inputs;
        assert.deepEqual(dash.templateVariables, [{ name: "env", prefix: "env", defaults: ["dev"] }]);
        const messages: string[] = [];
        dashboardTemplateVariables.check(readInputs(T.dashboard, "service-dashboard", dash), (m) => messages.push(m), {});
        assert.deepEqual(messages, []);
        assert.ok(widgetQueries(dash.widgets).length >= 4, "the rule saw the queries");
        const logs = widgets.find((w) => w.listStreamDefinition)?.listStreamDefinition;
        assert.match(logs.requests[0].query.queryString, /\$env\b/, "the log stream too, which the rule does not read");
    });

    it("is exported as a full URL", () => {
        assert.equal(run.outputs.serviceDashboardUrl, `https://app.datadoghq.com${MOCK_DASHBOARD_PATH}`);
    });
});

describe("TrafficContainer", () => {
    let run: ProgramRun;
    let traffic: Record<string, any>;
    before(async () => {
        run = await runProgram();
        traffic = run.get(T.container, "host-traffic-container").inputs;
    });

    it("runs the generator that ships in the app's image", () => {
        assert.equal(traffic.image, run.get(T.container, "host-app-container").inputs.image);
        assert.deepEqual(traffic.command, ["python", "traffic.py"]);
    });

    it("calls the app by its alias on the stack's network at the configured rate", async () => {
        assert.deepEqual(envMap(traffic.envs), { TARGET_URL: "http://app:5050", REQUESTS_PER_SECOND: "3" });
        const tuned = await runProgram({ config: { [key("trafficRequestsPerSecond")]: "20", [key("appPort")]: "5051" } });
        assert.deepEqual(envMap(tuned.get(T.container, "host-traffic-container").inputs.envs), { TARGET_URL: "http://app:5051", REQUESTS_PER_SECOND: "20" });
    });

    it("logs under its own service, so the app's service stays the app's", () => {
        const labels = labelMap(traffic.labels);
        assert.equal(labels["com.datadoghq.tags.service"], "exercise-app-traffic");
        assert.deepEqual(JSON.parse(labels["com.datadoghq.ad.logs"]), [{ source: "python", service: "exercise-app-traffic" }]);
    });

    it("starts after the app", () => {
        assert.ok(run.get(T.container, "host-traffic-container").dependencies.includes(run.get(T.container, "host-app-container").urn));
    });

    it("is not created when trafficRequestsPerSecond is 0", async () => {
        const quiet = await runProgram({ config: { [key("trafficRequestsPerSecond")]: "0" } });
        assert.deepEqual(
            quiet.ofType(T.container).map((c) => c.inputs.name).sort(),
            ["dev-datadog-agent", "dev-exercise-app", "dev-postgres"],
        );
    });
});
