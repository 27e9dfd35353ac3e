// The program under the real Pulumi engine: the CLI, the Node language host and the datadog,
// docker and random providers, against the Datadog API stand-in (datadogApi.ts) and the Docker
// daemon stand-in (dockerDaemon.ts). Docker resources are previewed, never created: `up` targets
// the Observability component and its dependents.
import * as assert from "assert";
import * as path from "path";
import { DatadogApiStandIn, ID_SEGMENT, Json } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, RunResult, Stack, Toolchain, dateInDays, findToolchain } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
if (typeof toolchain === "string") console.log(toolchain);

const START_DATE = dateInDays(30);
const PROJECT = "datadog-exercise";
const observabilityUrn = (stack: string) => `urn:pulumi:${stack}::${PROJECT}::${PROJECT}:datadog:Observability::datadog`;

/** The first date on or after `date` whose weekday (0 = Sunday) is accepted. */
function firstDay(date: string, accept: (weekday: number) => boolean): string {
    for (let i = 0; ; i++) {
        const d = new Date(Date.parse(`${date}T00:00:00Z`) + i * 86_400_000);
        if (accept(d.getUTCDay())) return d.toISOString().slice(0, 10);
    }
}

interface Env {
    stack: Stack;
    api: DatadogApiStandIn;
    docker: DockerDaemonStandIn;
}

/** A stack of the project (its committed Pulumi.<name>.yaml, if any) wired to its own stand-ins. */
async function setUp(name: string, config: Record<string, string> = {}, keys = { apiKey: API_KEY, appKey: APP_KEY }): Promise<Env> {
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const stack = await Stack.create(name, toolchain as Toolchain);
    const docker = await DockerDaemonStandIn.start(path.join(stack.root, "docker.sock"));
    await stack.configure(
        { "datadog:apiUrl": api.url, "docker:host": docker.host, [`${PROJECT}:downtimeStartDate`]: START_DATE, ...config },
        { "datadog:apiKey": keys.apiKey, "datadog:appKey": keys.appKey },
    );
    return { stack, api, docker };
}

async function tearDown(env: Env | undefined): Promise<void> {
    if (!env) return;
    await env.api.close();
    await env.docker.close();
    env.stack.remove();
}

interface Preview {
    readonly result: RunResult;
    readonly steps: { op: string; urn: string; type: string; inputs?: Json }[];
    /** Diagnostics at warning or error level, except the toolchain's "using pulumi-resource-X from $PATH". */
    readonly problems: { severity: string; message: string }[];
}

async function preview(stack: Stack, ...args: string[]): Promise<Preview> {
    const result = await stack.run("preview", "--json", ...args);
    const out = JSON.parse(result.stdout) as { steps?: Json[]; diagnostics?: Json[] };
    return {
        result,
        steps: (out.steps ?? []).map((s) => ({ op: s.op, urn: s.urn, type: (s.newState ?? s.oldState)?.type, inputs: s.newState?.inputs })),
        problems: (out.diagnostics ?? [])
            .filter((d) => d.severity === "warning" || d.severity === "error")
            .filter((d) => !/^warning: using pulumi-resource-\w+ from \$PATH/.test(d.message))
            .map((d) => ({ severity: d.severity, message: d.message })),
    };
}

function typeCounts(steps: Preview["steps"]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of steps) counts[s.type] = (counts[s.type] ?? 0) + 1;
    return counts;
}

/** Every resource the program registers, by type: the same for every stack. */
const PROGRAM_RESOURCES = {
    "pulumi:pulumi:Stack": 1,
    "pulumi:providers:datadog": 1,
    "datadog-exercise:datadog:Observability": 1,
    "datadog-exercise:datadog:ExerciseDashboard": 1,
    "datadog-exercise:datadog:MyMetricMonitor": 1,
    "datadog-exercise:datadog:MonitorDowntimes": 1,
    "datadog-exercise:datadog:ServiceMonitors": 1,
    "datadog-exercise:datadog:ServiceSlo": 1,
    "datadog-exercise:datadog:ServiceDashboard": 1,
    "datadog:index/dashboard:Dashboard": 2,
    "datadog:index/monitor:Monitor": 3,
    "datadog:index/serviceLevelObjective:ServiceLevelObjective": 1,
    "datadog:index/downtimeSchedule:DowntimeSchedule": 2,
    "datadog-exercise:docker:DockerHost": 1,
    "datadog-exercise:docker:AgentContainer": 1,
    "datadog-exercise:docker:PostgresContainer": 1,
    "datadog-exercise:docker:AppContainer": 1,
    "datadog-exercise:docker:TrafficContainer": 1,
    "docker:index/network:Network": 1,
    "docker:index/remoteImage:RemoteImage": 2,
    "docker:index/volume:Volume": 2,
    "docker:index/image:Image": 1,
    "docker:index/container:Container": 4,
    "random:index/randomPassword:RandomPassword": 3,
};

/** The committed dev stack's preview (scenario exercise), kept for the scenario test to compare with. */
let devPreview: Preview | undefined;
/** The planned inputs of each Docker resource, by URN, the temp copy's path (the image's build context) as <project>. */
const dockerInputs = (p: Preview): Record<string, Json> =>
    Object.fromEntries(
        p.steps
            .filter((s) => s.type.startsWith("docker:index/"))
            .map((s) => [s.urn, JSON.parse(JSON.stringify(s.inputs).replace(/\/[^"]*?\/engine-[a-z]+-[A-Za-z0-9]+\/project/g, "<project>"))]),
    );

describeEngine("the program under the real Pulumi engine", function () {
    this.timeout(180_000);

    describe("preview of the committed stacks, dev and prod, and of a bad config", () => {
        const envs: Env[] = [];
        let dev: Preview, prod: Preview, bad: Preview;
        let badEnv: Env;

        before(async () => {
            // Three stacks, each with its own backend and stand-ins: safe to preview side by side.
            const [d, p, b] = await Promise.all([
                setUp("dev"),
                setUp("prod"),
                setUp("bad", {
                    [`${PROJECT}:criticalThreshold`]: "2000",
                    [`${PROJECT}:notifyEmail`]: "not-an-address",
                    "datadog:apiUrl": "http://api.example.com/",
                }),
            ]);
            envs.push(d, p, b);
            badEnv = b;
            [dev, prod, bad] = await Promise.all([preview(d.stack), preview(p.stack), preview(b.stack)]);
            devPreview = dev;
        });
        after(async () => {
            for (const e of envs) await tearDown(e);
        });

        for (const [name, get] of [["dev", () => dev], ["prod", () => prod]] as const) {
            it(`${name}: exits 0, would create every resource of the program, and nothing warns`, () => {
                const p = get();
                assert.strictEqual(p.result.code, 0, JSON.stringify(p.problems));
                assert.ok(p.steps.every((s) => s.op === "create"), JSON.stringify(p.steps));
                assert.deepStrictEqual(typeCounts(p.steps), PROGRAM_RESOURCES);
                assert.deepStrictEqual(p.problems.filter((d) => d.severity !== "warning" || !d.message.startsWith("warning: criticalThreshold 900 on avg over 5 min: expected about once in")), []);
            });
        }

        it("prints when the my_metric monitor fires: dev's line, and prod's warning that its critical comes less than once a day", () => {
            const info = (p: Preview, start: string) =>
                (JSON.parse(p.result.stdout).diagnostics as Json[]).filter((d) => d.severity === "info" && d.message.startsWith(start)).map((d) => d.message.trim());
            assert.match(info(dev, "my_metric monitor")[0], /^my_metric monitor, scenario exercise \(avg over 5 min, warning 500 \/ critical 800, recoveries 250 \/ 650\): first warning in about .+; 1\.\d e-mails per hour\.$/);
            assert.deepStrictEqual(dev.problems, []);
            assert.deepStrictEqual(
                prod.problems.map((d) => [d.severity, d.message.trim().replace(/\d+ days/, "N days")]),
                [["warning", "warning: criticalThreshold 900 on avg over 5 min: expected about once in N days; `npm run deploy -- scenario alert` shows it now."]],
            );
            assert.match(info(prod, "The app's monitors")[0], /fires with `npm run deploy -- scenario slow`/);
        });

        it("plans each stack's monitor from its own committed config: the provider sends it to /api/v1/monitor/validate", () => {
            const myMetric = (e: Env) => e.api.bodies("POST", /^\/api\/v1\/monitor\/validate$/).filter((b) => b.query.includes("my_metric"));
            const [devMonitor] = myMetric(envs[0]);
            const [prodMonitor] = myMetric(envs[1]);
            assert.strictEqual(devMonitor.query, "avg(last_5m):avg:my_metric{env:dev} by {host} > 800");
            assert.deepStrictEqual(devMonitor.options.thresholds, { critical: 800, warning: 500, critical_recovery: 650, warning_recovery: 250 });
            assert.strictEqual(prodMonitor.query, "avg(last_5m):avg:my_metric{env:prod} by {host} > 900");
            assert.deepStrictEqual(prodMonitor.options.thresholds, { critical: 900, warning: 600, critical_recovery: 750, warning_recovery: 350 });
            assert.match(prodMonitor.message, /\n@oncall@example\.com$/);
        });

        it("the Docker daemon stand-in was only pinged: nothing was created on it", () => {
            for (const e of envs.slice(0, 2)) assert.deepStrictEqual(e.docker.unexpected, []);
        });

        it("bad config: preview exits non-zero, lists every problem, registers no resource", async () => {
            assert.notStrictEqual(bad.result.code, 0);
            const error = bad.problems.map((p) => p.message).join("\n");
            assert.match(error, /Invalid stack config for stack 'bad' \(3 problems\)/);
            assert.match(error, /datadog-exercise:criticalThreshold = "2000": must be at most 1000/);
            assert.match(error, /datadog-exercise:notifyEmail = "not-an-address": must be an e-mail address/);
            assert.match(error, /datadog:apiUrl = "http:\/\/api\.example\.com\/"/);
            assert.deepStrictEqual(bad.steps.map((s) => s.type), ["pulumi:pulumi:Stack"]);
            assert.deepStrictEqual(badEnv.api.requests, [], "no provider was configured");
            assert.deepStrictEqual(await badEnv.stack.resources(), []);
        });
    });

    describe("up of the Datadog side, no drift, a change, destroy", () => {
        let env: Env;
        const urn = observabilityUrn("dev");
        const targets = ["--target", urn, "--target-dependents"];
        const created = () => env.api.requests.filter((r) => r.method === "POST" && /^\/api\/v[12]\/(monitor|dashboard|downtime|slo)$/.test(r.path));
        const sizes = () => [env.api.monitors.size, env.api.dashboards.size, env.api.slos.size, env.api.downtimes.size];
        const myMetricId = () => [...env.api.monitors.values()].find((m) => String(m.query).includes("my_metric"))!.id as number;

        before(async () => {
            env = await setUp("dev");
        });
        after(async () => tearDown(env));

        it("up creates three monitors, two dashboards, the SLO and two downtime schedules, and the provider sends what the program means", async () => {
            await env.stack.ok("up", "--yes", ...targets);
            assert.deepStrictEqual(created().map((r) => r.path).sort(), [
                "/api/v1/dashboard",
                "/api/v1/dashboard",
                "/api/v1/monitor",
                "/api/v1/monitor",
                "/api/v1/monitor",
                "/api/v1/slo",
                "/api/v2/downtime",
                "/api/v2/downtime",
            ]);
            assert.deepStrictEqual(sizes(), [3, 2, 1, 2]);

            const monitor = env.api.bodies("POST", /^\/api\/v1\/monitor$/).find((m) => m.query.includes("my_metric"))!;
            assert.strictEqual(monitor.type, "metric alert");
            assert.strictEqual(monitor.query, "avg(last_5m):avg:my_metric{env:dev} by {host} > 800");
            // The recovery thresholds reach the API as Datadog's models spell them (the stand-in checks the body with them).
            assert.deepStrictEqual(monitor.options.thresholds, { critical: 800, warning: 500, critical_recovery: 650, warning_recovery: 250 });
            assert.strictEqual(monitor.options.notify_no_data, true);
            assert.strictEqual(monitor.options.no_data_timeframe, 10);
            assert.strictEqual(monitor.options.require_full_window, false);
            for (const block of ["is_alert", "is_warning", "is_no_data", "is_recovery"]) {
                assert.ok(monitor.message.includes(`{{#${block}}}`) && monitor.message.includes(`{{/${block}}}`), block);
            }
            assert.match(monitor.message, /\n@you@example\.com$/);
            assert.deepStrictEqual(monitor.tags, ["env:dev", "managed-by:pulumi", "project:datadog-exercise", "service:datadog-exercise"]);

            const dashboard = env.api.bodies("POST", /^\/api\/v1\/dashboard$/).find((d) => d.title === "Datadog exercise (dev)")!;
            assert.strictEqual(dashboard.title, "Datadog exercise (dev)");
            assert.deepStrictEqual(dashboard.template_variables, [{ name: "host", prefix: "host", defaults: ["dev-exercise-host"] }]);
            assert.deepStrictEqual(
                dashboard.widgets.map((w: Json) => [w.definition.type, w.definition.requests.map((r: Json) => r.q)]),
                [
                    ["timeseries", ["avg:my_metric{$host} by {host}"]],
                    ["timeseries", ["anomalies(avg:postgresql.max_connections{$host}, 'basic', 3)"]],
                    ["query_value", ["avg:my_metric{$host}.rollup(sum, 3600)"]],
                ],
            );
            assert.strictEqual(dashboard.widgets[2].definition.requests[0].aggregator, "sum");

            const monitorId = myMetricId();
            const downtimes = env.api.bodies("POST", /^\/api\/v2\/downtime$/).map((b) => b.data.attributes);
            const byRule = Object.fromEntries(downtimes.map((d: Json) => [d.schedule.recurrences[0].rrule, d]));
            assert.deepStrictEqual(Object.keys(byRule).sort(), ["FREQ=WEEKLY;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR"]);
            for (const d of downtimes) {
                assert.deepStrictEqual(d.monitor_identifier, { monitor_tags: ["env:dev", "project:datadog-exercise"] });
                assert.strictEqual(d.scope, "env:dev");
                assert.strictEqual(d.schedule.timezone, "America/Los_Angeles");
                assert.strictEqual(d.display_timezone, "America/Los_Angeles");
                assert.strictEqual(d.mute_first_recovery_notification, true);
                assert.match(d.message, /\n@you@example\.com$/);
            }
            assert.deepStrictEqual(byRule["FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR"].schedule.recurrences, [
                { rrule: "FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR", duration: "14h", start: `${firstDay(START_DATE, (d) => d !== 6)}T19:00:00` },
            ]);
            assert.deepStrictEqual(byRule["FREQ=WEEKLY;BYDAY=SA"].schedule.recurrences, [
                { rrule: "FREQ=WEEKLY;BYDAY=SA", duration: "2d", start: `${firstDay(START_DATE, (d) => d === 6)}T00:00:00` },
            ]);

            const outputs = JSON.parse((await env.stack.ok("stack", "output", "--json")).stdout);
            const stored = [...env.api.dashboards.values()].find((d) => d.title === "Datadog exercise (dev)")!;
            assert.strictEqual(outputs.dashboardUrl, `https://app.datadoghq.com${stored.url}`);
            assert.strictEqual(outputs.monitorUrl, `https://app.datadoghq.com/monitors/${monitorId}`);
            assert.deepStrictEqual(env.docker.unexpected, []);
        });

        it("the app's service: the provider sends its monitors, its SLO and its dashboard as the program means them", () => {
            const bodies = env.api.bodies("POST", /^\/api\/v1\/monitor$/);
            const latency = bodies.find((m) => m.query.startsWith("percentile("))!;
            assert.strictEqual(latency.type, "query alert");
            assert.strictEqual(latency.query, "percentile(last_5m):p95:trace.flask.request{env:dev,service:exercise-app} > 1");
            assert.deepStrictEqual(latency.options.thresholds, { critical: 1, warning: 0.3 });
            const errors = bodies.find((m) => m.query.includes("trace.flask.request.errors"))!;
            assert.strictEqual(errors.type, "query alert");
            assert.match(errors.query, / \* 100 > 15$/);
            assert.deepStrictEqual(errors.options.thresholds, { critical: 15, warning: 8 });
            for (const m of [latency, errors]) {
                assert.deepStrictEqual(m.tags, ["env:dev", "managed-by:pulumi", "project:datadog-exercise", "service:exercise-app"]);
                assert.strictEqual(m.options.notify_no_data, true);
            }

            const [slo] = env.api.bodies("POST", /^\/api\/v1\/slo$/);
            assert.strictEqual(slo.type, "metric");
            assert.deepStrictEqual(slo.query, {
                numerator: "sum:trace.flask.request.hits{env:dev,service:exercise-app}.as_count() - sum:trace.flask.request.errors{env:dev,service:exercise-app}.as_count()",
                denominator: "sum:trace.flask.request.hits{env:dev,service:exercise-app}.as_count()",
            });
            assert.deepStrictEqual(slo.thresholds, [{ target: 90, timeframe: "7d" }]);

            const service = env.api.bodies("POST", /^\/api\/v1\/dashboard$/).find((d) => d.title === "Datadog exercise: exercise-app (dev)")!;
            assert.deepStrictEqual(
                service.widgets.map((w: Json) => w.definition.type),
                ["timeseries", "timeseries", "timeseries", "slo", "timeseries", "list_stream"],
            );
            const [sloId] = env.api.slos.keys();
            assert.strictEqual(service.widgets[3].definition.slo_id, sloId);
        });

        it("no drift: preview and refresh expect no changes, reading back what the API returns", async () => {
            const before = env.api.requests.length;
            await env.stack.ok("preview", "--expect-no-changes", ...targets);
            // A targeted refresh fails with "unknown provider" for the explicit provider: refresh the stack.
            await env.stack.ok("refresh", "--yes", "--expect-no-changes");
            const reads = env.api.requests
                .slice(before)
                .filter((r) => r.method === "GET")
                .map((r) => r.path.replace(ID_SEGMENT, "/{id}"));
            assert.deepStrictEqual(
                [...new Set(reads)].sort(),
                ["/api/v1/dashboard/{id}", "/api/v1/monitor/{id}", "/api/v1/slo/{id}", "/api/v1/validate", "/api/v2/downtime/{id}"],
            );
        });

        it("a new criticalThreshold is an in-place update of the monitor alone, and up applies it", async () => {
            await env.stack.configure({ [`${PROJECT}:criticalThreshold`]: "900" });
            const change = await preview(env.stack, ...targets);
            assert.strictEqual(change.result.code, 0, change.result.stderr);
            assert.deepStrictEqual(
                change.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.type]),
                [["update", "datadog:index/monitor:Monitor"]],
            );
            const monitorId = myMetricId();
            const monitors = [...env.api.monitors.keys()];
            await env.stack.ok("up", "--yes", ...targets);
            const [put] = env.api.bodies("PUT", new RegExp(`^/api/v1/monitor/${monitorId}$`));
            assert.strictEqual(put.query, "avg(last_5m):avg:my_metric{env:dev} by {host} > 900");
            // The derived critical recovery follows: midway between 500 and 900.
            assert.deepStrictEqual(put.options.thresholds, { critical: 900, warning: 500, critical_recovery: 700, warning_recovery: 250 });
            const stored = env.api.monitors.get(monitorId)!;
            assert.strictEqual(stored.query, "avg(last_5m):avg:my_metric{env:dev} by {host} > 900");
            assert.deepStrictEqual(stored.options.thresholds, { critical: 900, warning: 500, critical_recovery: 700, warning_recovery: 250 });
            assert.deepStrictEqual([...env.api.monitors.keys()], monitors);
            assert.strictEqual(created().length, 8, "nothing was created again");
        });

        it("a change of scenario (alert) changes no Datadog object, and of the Docker side only the Agent container's planned inputs (its check's conf.d file)", async () => {
            assert.ok(devPreview, "the committed dev stack's preview ran first");
            // criticalThreshold is 900 here (the test above): alert sends 901..1000.
            await env.stack.configure({ [`${PROJECT}:scenario`]: "alert" });
            const change = await preview(env.stack);
            assert.strictEqual(change.result.code, 0, change.result.stderr);
            // What the state holds (the Datadog side, up above) is all "same": the preview lists no other step for it.
            const held = (await env.stack.resources()).map((r) => r.urn);
            assert.strictEqual(held.filter((urn) => /\$datadog:index\//.test(urn)).length, 8);
            assert.deepStrictEqual(change.steps.filter((s) => held.includes(s.urn) && s.op !== "same"), []);
            const [before, after] = [dockerInputs(devPreview), dockerInputs(change)];
            assert.deepStrictEqual(Object.keys(after).sort(), Object.keys(before).sort());
            const changed = Object.keys(after).filter((urn) => JSON.stringify(after[urn]) !== JSON.stringify(before[urn]));
            assert.deepStrictEqual(changed, [`urn:pulumi:dev::${PROJECT}::${PROJECT}:docker:DockerHost$${PROJECT}:docker:AgentContainer$docker:index/container:Container::host-agent-container`]);
            const conf = (inputs: Json) => inputs.uploads.find((u: Json) => u.file.endsWith("custom_my_metric.yaml")).content;
            assert.strictEqual(conf(after[changed[0]]!), "init_config: {}\ninstances:\n  - min_collection_interval: 45\n    min_value: 901\n    max_value: 1000\n");
            await env.stack.ok("config", "rm", `${PROJECT}:scenario`);
        });

        it("destroy leaves the stand-in empty, and the state too", async () => {
            await env.stack.ok("destroy", "--yes");
            assert.deepStrictEqual(sizes(), [0, 0, 0, 0]);
            assert.deepStrictEqual(await env.stack.resources(), []);
        });
    });

    describe("faults", () => {
        let env: Env;
        const targets = ["--target", observabilityUrn("dev"), "--target-dependents"];

        // The provider's client retries a 5xx three times with backoff (2 s, 4 s, 8 s), so a single
        // 500 would never reach the engine: DD_HTTP_CLIENT_RETRY_ENABLED=false (the provider's own
        // setting) lets the one failure through.
        before(async () => {
            env = await setUp("dev");
            env.stack.env.DD_HTTP_CLIENT_RETRY_ENABLED = "false";
        });
        after(async () => tearDown(env));

        it("a 500 on one downtime's create fails up with the provider's error; state keeps what was created; a rerun completes with nothing lost or duplicated", async () => {
            env.api.failNextCreate.add("downtime");
            const failed = await env.stack.run("up", "--yes", ...targets);
            assert.notStrictEqual(failed.code, 0);
            assert.match(failed.stdout, /error: error retrieving DowntimeSchedule: 500 Internal Server Error: \{"errors":\["Internal Server Error"\]\}/);
            // What else the engine had started runs to its end, so which objects exist depends on timing:
            // the state must hold exactly what the API created, and one downtime only.
            const apiIds = () => [...env.api.monitors.keys()].map(String).concat([...env.api.dashboards.keys()], [...env.api.slos.keys()], [...env.api.downtimes.keys()]);
            const kept = (await env.stack.resources()).filter((r) => r.type.startsWith("datadog:index/"));
            const createdBefore = apiIds();
            assert.deepStrictEqual(kept.map((r) => r.id).sort(), [...createdBefore].sort(), "the state holds exactly what the API created");
            assert.ok(env.api.downtimes.size < 2, "the failed downtime was not created");

            await env.stack.ok("up", "--yes", ...targets);
            assert.deepStrictEqual(
                [env.api.monitors.size, env.api.dashboards.size, env.api.slos.size, env.api.downtimes.size],
                [3, 2, 1, 2],
                "nothing duplicated",
            );
            assert.ok(createdBefore.every((id) => apiIds().includes(id)), "nothing lost: what the first up created is kept");
            await env.stack.ok("preview", "--expect-no-changes", ...targets);
        });

        it("keys the API refuses: preview fails, saying the credentials were refused", async () => {
            const refused = await setUp("refused", { [`${PROJECT}:notifyEmail`]: "you@example.com" }, { apiKey: "ffffffffffffffffffffffffffffffff", appKey: APP_KEY });
            try {
                const p = await preview(refused.stack);
                assert.notStrictEqual(p.result.code, 0);
                const error = p.problems.map((d) => d.message).join("\n");
                assert.match(error, /403 Forbidden/);
                assert.deepStrictEqual(refused.api.requests.map((r) => `${r.method} ${r.path}`), ["GET /api/v1/validate"]);
            } finally {
                await tearDown(refused);
            }
        });
    });
});
