import * as assert from "node:assert/strict";
import { MOCK_DASHBOARD_PATH, PROJECT, ProgramRun, runProgram, T } from "./harness";

describe("ExerciseDashboard", () => {
    let run: ProgramRun;
    let dash: Record<string, any>;
    before(async () => {
        run = await runProgram();
        dash = run.get(T.dashboard, "datadog-timeboard-dashboard").inputs;
    });

    it("is an ordered timeboard with a host template variable defaulting to the Agent's hostname", () => {
        assert.equal(dash.layoutType, "ordered");
        assert.equal(dash.title, "Datadog exercise (dev)");
        assert.deepEqual(dash.templateVariables, [{ name: "host", prefix: "host", defaults: ["dev-exercise-host"] }]);
    });

    it("follows a configured hostname", async () => {
        const other = await runProgram({ config: { [`${PROJECT}:hostname`]: "demo-box.example.internal" } });
        const vars = other.get(T.dashboard, "datadog-timeboard-dashboard").inputs.templateVariables;
        assert.deepEqual(vars[0].defaults, ["demo-box.example.internal"]);
    });

    it("graphs my_metric, anomalies on max_connections and my_metric's hourly sum, in that order", () => {
        const queries = dash.widgets.map((w: any) => {
            const [kind, def] = Object.entries(w)[0] as [string, any];
            return [kind, def.requests.map((r: any) => r.q)];
        });
        assert.deepEqual(queries, [
            ["timeseriesDefinition", ["avg:my_metric{$host} by {host}"]],
            ["timeseriesDefinition", ["anomalies(avg:postgresql.max_connections{$host}, 'basic', 3)"]],
            ["queryValueDefinition", ["avg:my_metric{$host}.rollup(sum, 3600)"]],
        ]);
    });

    it("draws one my_metric line per host, as the first widget's title says", () => {
        const first = dash.widgets[0].timeseriesDefinition;
        assert.equal(first.title, "my_metric by host");
        assert.match(first.requests[0].q, / by \{host\}$/);
    });

    it("sums the hour's rollup buckets over the last hour in the query value", () => {
        const qv = dash.widgets[2].queryValueDefinition;
        assert.equal(qv.liveSpan, "1h");
        assert.equal(qv.requests[0].aggregator, "sum");
    });

    it("sits in ExerciseDashboard, under Observability", () => {
        assert.deepEqual(run.get(T.dashboard, "datadog-timeboard-dashboard").parentTypes, ["datadog-exercise:datadog:ExerciseDashboard"]);
        assert.deepEqual(run.get("datadog-exercise:datadog:ExerciseDashboard", "datadog-timeboard").parentTypes, ["datadog-exercise:datadog:Observability"]);
    });

    it("exports the dashboard's full URL on the configured site", async () => {
        assert.equal(run.outputs.dashboardUrl, `https://app.datadoghq.com${MOCK_DASHBOARD_PATH}`);
        const eu = await runProgram({ config: { [`${PROJECT}:site`]: "datadoghq.eu" } });
        assert.equal(eu.outputs.dashboardUrl, `https://app.datadoghq.eu${MOCK_DASHBOARD_PATH}`);
    });
});

describe("Observability provider", () => {
    it("is the provider of every Datadog resource, so none falls back to the default provider's site", async () => {
        const run = await runProgram();
        const provider = run.get(T.datadogProvider, "datadog-provider");
        const datadogResources = run.resources.filter((r) => r.type.startsWith("datadog:index/"));
        // two dashboards, three monitors, the SLO, two downtimes
        assert.equal(datadogResources.length, 8);
        for (const r of datadogResources) assert.equal(r.provider, `${provider.urn}::datadog-provider-id`, r.name);
    });

    it("points one explicit provider at the site's API with both keys", async () => {
        const run = await runProgram({ config: { [`${PROJECT}:site`]: "us3.datadoghq.com" } });
        const providers = run.ofType(T.datadogProvider);
        assert.equal(providers.length, 1);
        assert.equal(providers[0].name, "datadog-provider");
        assert.equal(providers[0].inputs.apiUrl, "https://api.us3.datadoghq.com/");
        assert.equal(providers[0].inputs.apiKey, "0123456789abcdef0123456789abcdef");
        assert.equal(providers[0].inputs.appKey, "fedcba9876543210fedcba9876543210fedcba98");
    });
});
