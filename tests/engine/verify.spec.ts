// verify, scenario --wait and rehearse for real: `npm run deploy -- …` processes against the Datadog
// API stand-in, whose read endpoints answer from a timeline each case scripts (datadogReads.ts).
// One up (the Datadog side, as deployScenario.spec.ts) is shared by the cases. Time is shortened
// with EXERCISE_MINUTE_MS (a minute lasts a second) and EXERCISE_POLL_MS: no sleep here, each case
// awaits the process's exit or a line it prints.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, RunResult, Toolchain, copyProject, findToolchain, hermeticEnv } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
const TARGET = ["--target", "urn:pulumi:dev::datadog-exercise::datadog-exercise:datadog:Observability::datadog", "--target-dependents"];
const HOST = "dev-exercise-host";
const NEVER = Infinity;
/** scenario --wait and rehearse: a minute lasts 4 s, so that the up's read-back (a few CLI calls) stays well inside a forecast. */
const MINUTE_MS = 4000;

describeEngine("npm run deploy -- verify, scenario --wait, rehearse", function () {
    this.timeout(180_000);
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;
    /** When the shared up ended: every scripted signal arrives after it. */
    let updated: number;

    /**
     * `npm run deploy -- <args>` in a process group of its own (as a terminal starts it); `onLine`
     * sees each line of its stdout as it comes.
     */
    const start = (args: string[], onLine: (line: string, child: ChildProcess) => void = () => {}, minuteMs = 1000) => {
        const child = spawn("npm", ["run", "-s", "deploy", "--", ...args], {
            cwd: dir,
            env: { ...env, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, EXERCISE_MINUTE_MS: String(minuteMs), EXERCISE_POLL_MS: "200" },
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        let stdout = "";
        let stderr = "";
        let partial = "";
        child.stdout!.on("data", (d) => {
            stdout += d;
            const lines = (partial + d).split("\n");
            partial = lines.pop()!;
            for (const l of lines) onLine(l, child);
        });
        child.stderr!.on("data", (d) => (stderr += d));
        return new Promise<RunResult>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => {
                resolve({ code: code ?? 128 + os.constants.signals[signal as NodeJS.Signals], stdout, stderr });
            });
        });
    };
    const stackFile = () => path.join(dir, "Pulumi.dev.yaml");
    const scenarioKey = () => parseYaml(fs.readFileSync(stackFile(), "utf8")).config["datadog-exercise:scenario"] ?? "exercise";
    const locks = () => {
        const d = path.join(dir, ".pulumi-state", ".pulumi", "locks", "organization", "datadog-exercise", "dev");
        return fs.existsSync(d) ? fs.readdirSync(d) : [];
    };
    /** Every signal of the stack arrives at `at`, except those named in `except` (signal -> arrival). */
    const script = (except: Record<string, number> = {}) => {
        const at = (name: string) => except[name] ?? updated;
        const t = api.telemetry;
        t.reset();
        t.hosts = [{ name: HOST, tagsBySource: { Datadog: ["env:dev", "team:solutions-engineering", "purpose:demo"], Docker: ["image_name:datadog/agent"] }, at: at("host") }];
        t.series = [
            { metric: "my_metric", tags: [`host:${HOST}`, "env:dev"], intervalSeconds: 1, low: 0, high: 1000, at: at("my_metric") },
            { metric: "postgresql.connections", tags: [`host:${HOST}`, "env:dev", "service:postgres"], intervalSeconds: 15, low: 3, high: 9, at: at("postgres") },
            { metric: "postgresql.queries.count", tags: [`host:${HOST}`, "env:dev", "service:postgres"], intervalSeconds: 10, low: 1, high: 40, at: at("dbm") },
            { metric: "trace.flask.request.hits", tags: [`host:${HOST}`, "env:dev", "service:exercise-app"], intervalSeconds: 10, low: 5, high: 20, at: at("traces") },
        ];
        t.logs = [
            { service: "postgres", tags: ["env:dev"], message: "LOG:  database system is ready to accept connections", at: at("postgres logs") },
            { service: "exercise-app", tags: ["env:dev"], message: "Booting worker with pid: 7", at: at("app logs") },
            { service: "exercise-app", tags: ["env:dev"], message: "GET /api/trace 200", traceId: "6155375712718231520", at: at("trace id") },
        ];
        t.states = [{ name: /./, state: "OK", at: at("monitors") }];
    };

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-verify-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        const dev = parseYaml(fs.readFileSync(stackFile(), "utf8"));
        dev.config["datadog:apiUrl"] = api.url;
        dev.config["datadog-exercise:checkIntervalSeconds"] = "1"; // points come every second: a few seconds hold several
        fs.writeFileSync(stackFile(), toYaml(dev));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
        const r = await start(["up", "dev", ...TARGET]);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        updated = Date.now();
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("verify --wait: polls while a signal is on its way, then every signal has arrived: exit 0", async () => {
        script({ traces: NEVER });
        let sent = false;
        const r = await start(["verify", "dev", "--wait", "2"], (line) => {
            // The traces arrive once the command has said it waits for them.
            if (!sent && /waiting for traces/.test(line)) {
                sent = true;
                api.telemetry.series.find((s) => s.metric === "trace.flask.request.hits")!.at = Date.now();
            }
        });
        assert.ok(sent, r.stdout + r.stderr);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^\d+\/11 arrived; waiting for traces \(\d+ s of 2 min 00 s\)$/m, "a plain progress line (not a terminal)");
        assert.ok(!r.stdout.includes("\r"), "no carriage return outside a terminal");
        for (const signal of ["Agent host", "my_metric", "PostgreSQL metrics", "DBM query metrics", "traces", "PostgreSQL logs", "app logs", "app log with a trace id", "my_metric monitor", "latency monitor", "error rate monitor"]) {
            assert.match(r.stdout, new RegExp(`^${signal} +arrived +\\+\\d`, "m"), signal);
        }
        assert.match(r.stdout, /^my_metric +arrived .* points, every 1 s, \d+\.\.\d+ \(exercise: 0\.\.1000\)$/m);
        assert.match(r.stdout, /^Every signal has arrived \(11\)\.$/m);
        // The queries, as the client sent them.
        const queries = api.requests.filter((q) => q.path === "/api/v2/logs/events/search").map((q) => (q.body as { filter: { query: string } }).filter.query);
        assert.deepStrictEqual([...new Set(queries)].sort(), ["service:exercise-app env:dev", "service:exercise-app env:dev @dd.trace_id:*", "service:postgres env:dev"]);
    });

    it("verify: a signal that never arrives is missing, its row names the next check: exit 1", async () => {
        script({ traces: NEVER });
        const r = await start(["verify", "dev"]);
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^traces +missing +- +no point yet +docker exec dev-datadog-agent agent status \(APM Agent\); README Troubleshooting, No traces in APM$/m);
        assert.match(r.stdout, /^1 of 11 signals have not arrived: see their next check above, or docs\/live-demo\.md\.$/m);
    });

    it("verify: keys the API refuses (403) are one plain error, no stack trace: exit 1", async () => {
        const other = await DatadogApiStandIn.start({ apiKey: "f".repeat(32), appKey: "e".repeat(40) });
        const text = fs.readFileSync(stackFile(), "utf8");
        fs.writeFileSync(stackFile(), text.replace(api.url, other.url));
        try {
            const r = await start(["verify", "dev"]);
            assert.strictEqual(r.code, 1, r.stdout + r.stderr);
            assert.match(r.stderr, /^error: Datadog refused the stack's keys \(403 Forbidden at http:\/\/127\.0\.0\.1:\d+\/\): the API key or the application key is wrong, or belongs to another site\.$/m);
            assert.doesNotMatch(r.stderr, /\bat .*\.(ts|js):\d+/, "no stack trace");
        } finally {
            fs.writeFileSync(stackFile(), text);
            await other.close();
        }
    });

    it("verify: a 429 is a plain line, then the retry succeeds: exit 0", async () => {
        script();
        api.telemetry.rateLimited = 1;
        const r = await start(["verify", "dev"]);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stderr, /^Datadog answered 429 \(rate limited\): retrying in 1 s\.$/m);
        assert.strictEqual(api.telemetry.rateLimited, 0);
    });

    it("scenario alert --wait: polls the my_metric monitor until Alert comes, then prints the time it took: exit 0", async () => {
        script();
        let turned = false;
        const r = await start(["scenario", "alert", "dev", "--wait", ...TARGET], (line) => {
            // The monitor turns Alert once the command has said it is waiting.
            if (!turned && /^scenario alert: my_metric monitor OK, waiting for Alert; .* since the containers changed; forecast median .*, 90 % .*$/.test(line)) {
                turned = true;
                api.telemetry.states.push({ name: /my_metric/, state: "Alert", at: Date.now() });
            }
        }, MINUTE_MS);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.ok(turned, "a progress line came before the state");
        assert.match(r.stdout, /^scenario alert: the my_metric monitor is Alert after .* \(forecast median .*, 90 % .*\)\.$/m);
        assert.strictEqual(scenarioKey(), "alert");
    });

    it("scenario slow --wait: a state that never comes fails past twice the forecast's p90, pointing to verify: exit 1", async () => {
        script();
        const r = await start(["scenario", "slow", "dev", "--wait", ...TARGET], undefined, MINUTE_MS);
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^scenario slow: latency monitor OK, waiting for Alert; /m);
        const [, after, p90] = /^scenario slow: the latency monitor is still OK, not Alert, after (.*): past twice the forecast's 90th percentile \(forecast median .*, 90 % (.*)\)\.$/m.exec(r.stdout) ?? [];
        const minutes = (d: string) => Number(/(\d+) min/.exec(d)?.[1] ?? 0) + Number(/(\d+) s/.exec(d)?.[1] ?? 0) / 60;
        // Both figures print rounded to the second (p90 doubled, 2 s at most): the command stops once past twice the p90.
        assert.ok(minutes(after) + 2 / 60 >= 2 * minutes(p90), `${after} is past twice ${p90}`);
        assert.match(r.stdout, /^What to do: check what arrives with npm run deploy -- verify dev\.$/m);
    });

    it("rehearse, interrupted by SIGINT mid-step: the stack is back on its first scenario, no lock is left", async () => {
        script();
        const first = scenarioKey();
        assert.notStrictEqual(first, "alert", "the rehearsal's first step changes the scenario");
        let interrupted = false;
        const r = await start(["rehearse", "dev", ...TARGET], (line, child) => {
            if (!interrupted && /^scenario alert: my_metric monitor OK, waiting for Alert/.test(line)) {
                interrupted = true;
                process.kill(-child.pid!, "SIGINT"); // a Ctrl-C: the whole process group
            }
        }, MINUTE_MS);
        assert.ok(interrupted, r.stdout + r.stderr);
        assert.strictEqual(r.code, 130, r.stdout + r.stderr);
        assert.match(r.stdout, /^Expected: about .* of waiting \(90 %: .*\), plus an up per step and one to restore\. Ctrl-C stops and restores\.$/m);
        assert.match(r.stderr, new RegExp(`^SIGINT received: stopping the rehearsal; the stack goes back to scenario ${first}\\.$`, "m"));
        assert.match(r.stdout, new RegExp(`^== restoring scenario ${first}$`, "m"));
        assert.match(r.stdout, /^alert +my_metric monitor +OK \(not Alert\) +\d/m);
        assert.strictEqual(scenarioKey(), first);
        assert.deepStrictEqual(locks(), []);
    });

    it("rehearse: every step until its monitor's state, the table, then the scenario it found: exit 0", async () => {
        script();
        const first = scenarioKey();
        const names = { my_metric: /my_metric/, latency: /p95 latency/, "error rate": /error rate/ } as const;
        const r = await start(["rehearse", "dev", ...TARGET], (line) => {
            // Each monitor reaches the promised state once the command has said it waits for it.
            const m = /^scenario \w+: (my_metric|latency|error rate) monitor .*, waiting for (Alert|Warn|OK|No Data);/.exec(line);
            if (m) api.telemetry.states.push({ name: names[m[1] as keyof typeof names], state: m[2] as "Alert", at: Date.now() });
        }, MINUTE_MS);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        const rows = [...r.stdout.matchAll(/^(alert|warning|calm|nodata|slow|errors) +(my_metric|latency|error rate) monitor +(\S+(?: Data)?) +\d+ (?:min|s)/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
        assert.deepStrictEqual(rows, ["alert my_metric Alert", "warning my_metric Warn", "calm my_metric OK", "nodata my_metric No Data", "slow latency Alert", "errors error rate Alert"]);
        assert.match(r.stdout, new RegExp(`^== restoring scenario ${first}$`, "m"));
        assert.strictEqual(scenarioKey(), first);
        assert.deepStrictEqual(locks(), []);
    });
});
