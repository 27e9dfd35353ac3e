// What the deploy command promises never to do (docs/deploy.md), on the real command: it never
// clears another host's lock, never touches another env's objects, never misses an object past a
// list's first page; a second Ctrl-C stops it at once and the next run recovers with no duplicate;
// the key preflight goes through the environment's proxy. One project copy, one Datadog stand-in
// serving pages of 2, and three stacks whose envs contain each other's names: dev, dev2, prod-dev.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { startDeploy } from "./deployProcess";
import { API_KEY, APP_KEY, Toolchain, copyProject, findToolchain, hermeticEnv, runCommand } from "./harness";
import { LoopbackProxy } from "./loopbackProxy";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
const KEYS = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
const ENVS = ["dev", "dev2", "prod-dev"];
const DASHBOARD = "datadog:index/dashboard:Dashboard";
const DATADOG_TYPES = ["datadog:index/monitor:Monitor", DASHBOARD, "datadog:index/serviceLevelObjective:ServiceLevelObjective", "datadog:index/downtimeSchedule:DowntimeSchedule"];

describeEngine("what the deploy command never does", function () {
    this.timeout(240_000);
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;

    const start = (args: string[], vars: NodeJS.ProcessEnv = {}) => startDeploy(dir, { ...env, ...vars }, args);
    const deploy = (args: string[], vars: NodeJS.ProcessEnv = {}) => start(args, vars).done;

    const checkpointFile = (stack: string) => path.join(dir, ".pulumi-state", ".pulumi", "stacks", "datadog-exercise", `${stack}.json`);
    const checkpoint = (stack: string): { resources: { urn: string; type: string; id?: string; inputs?: Record<string, unknown> }[]; pending: unknown[] } => {
        const latest = JSON.parse(fs.readFileSync(checkpointFile(stack), "utf8")).checkpoint.latest ?? {};
        return { resources: latest.resources ?? [], pending: latest.pending_operations ?? [] };
    };
    const lockDir = (stack: string) => path.join(dir, ".pulumi-state", ".pulumi", "locks", "organization", "datadog-exercise", stack);
    const locks = (stack: string): string[] => (fs.existsSync(lockDir(stack)) ? fs.readdirSync(lockDir(stack)) : []);
    /** The ids the stand-in holds for env `e`'s objects: its exact tags, or a title ending in exactly `(e)`. */
    const standInIds = (e: string): string[] =>
        [
            ...[...api.monitors.values()].filter((m) => m.tags.includes(`env:${e}`)).map((m) => `datadog:index/monitor:Monitor ${m.id}`),
            ...[...api.dashboards.values()].filter((d) => String(d.title).endsWith(`(${e})`)).map((d) => `${DASHBOARD} ${d.id}`),
            ...[...api.slos.values()].filter((o) => o.tags.includes(`env:${e}`)).map((o) => `datadog:index/serviceLevelObjective:ServiceLevelObjective ${o.id}`),
            ...[...api.downtimes.values()].filter((d) => d.attributes.monitor_identifier.monitor_tags.includes(`env:${e}`)).map((d) => `datadog:index/downtimeSchedule:DowntimeSchedule ${d.id}`),
        ].sort();
    const stateIds = (stack: string): string[] => checkpoint(stack).resources.filter((r) => DATADOG_TYPES.includes(r.type)).map((r) => `${r.type} ${r.id}`).sort();
    const target = (stack: string) => ["--target", `urn:pulumi:${stack}::datadog-exercise::datadog-exercise:datadog:Observability::datadog`, "--target-dependents"];
    /** A copy of one of `e`'s dashboards in the stand-in, with an id of its own: an orphan of env `e`. */
    const orphanOf = (e: string): string => {
        const original = [...api.dashboards.values()].find((d) => String(d.title).endsWith(`(${e})`))!;
        const id = `orp-han-${String(api.dashboards.size).padStart(3, "0")}`;
        api.dashboards.set(id, { ...original, id });
        return id;
    };

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-never-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        api.maxPageSize = 2; // 3 monitors and 2 downtimes per env, 2 dashboards each: every list has pages past the first
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
        const dev = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"));
        for (const name of ENVS) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), toYaml({ config: { ...dev.config, "datadog:apiUrl": api.url } }));
        // dev2 and dev now; prod-dev last, by the second Ctrl-C's case, so that its objects lie past the first page.
        for (const r of await Promise.all(["dev2", "dev"].map((s) => deploy(["up", s, ...target(s)], KEYS)))) assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("a second Ctrl-C stops at once, before the create in flight is answered; the next run recovers with no duplicate", async () => {
        const HELD_MS = 30_000;
        api.delays.set("POST /api/v1/dashboard", HELD_MS);
        const run = start(["up", "prod-dev", ...target("prod-dev")], KEYS);
        const post = await api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/dashboard" && String((q.body as { title: string }).title).endsWith("(prod-dev)"));
        const posted = Date.now();
        run.interrupt();
        await run.printed(/^SIGINT received: cancelling: waiting for [1-9]\d* operations? in flight; Ctrl-C again to stop at once\.$/m);
        // Signals closer than 1 s are one Ctrl-C (npm forwards the terminal's own): the second comes after.
        await new Promise((r) => setTimeout(r, 1100));
        run.interrupt();
        const r = await run.done;
        const took = Date.now() - posted;
        api.delays.clear();
        assert.strictEqual(r.code, 130, r.stdout + r.stderr);
        assert.match(r.stderr, /^SIGINT received again: stopping at once; the next deploy resolves what was in flight\.$/m);
        assert.match(r.stderr, /^Stopped at once\. The next npm run deploy -- up prod-dev clears the lock and resolves what was in flight\.$/m);
        assert.ok(took < HELD_MS, `stopped ${took} ms after the create was sent, before its answer (${HELD_MS} ms)`);
        const title = (post.body as { title: string }).title;
        assert.ok(!checkpoint("prod-dev").resources.some((res) => res.type === DASHBOARD && res.inputs?.title === title && res.id), "the dashboard in flight is not in the state");

        const again = await deploy(["up", "prod-dev", ...target("prod-dev")]);
        assert.strictEqual(again.code, 0, again.stdout + again.stderr);
        assert.ok(again.stdout.includes(`(dashboard `) && again.stdout.includes(`"${title}"): found in Datadog`), again.stdout);
        assert.deepStrictEqual(locks("prod-dev"), []);
        assert.deepStrictEqual(checkpoint("prod-dev").pending, []);
        assert.strictEqual(standInIds("prod-dev").length, 8, "3 monitors, 2 dashboards, an SLO, 2 downtimes: no duplicate");
        assert.deepStrictEqual(standInIds("prod-dev"), stateIds("prod-dev"));
    });

    it("doctor reads every page of every list: each env's 8 objects, Datadog and the state agreeing", async () => {
        const [first, last] = [api.requests.length, () => api.requests.slice(first)];
        for (const e of ENVS) {
            const r = await deploy(["doctor", e]);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, new RegExp(`^doctor: stack '${e}': 8 Datadog objects carry its tags or titles; its state holds 8\\.$`, "m"));
        }
        // 6 dashboards and 6 downtimes in pages of 2: 4 requests each (the last page empty), per doctor.
        assert.strictEqual(last().filter((q) => q.path === "/api/v1/dashboard").length, 4 * ENVS.length);
        assert.strictEqual(last().filter((q) => q.path === "/api/v2/downtime").length, 4 * ENVS.length);
    });

    it("doctor --delete on each of dev, dev2, prod-dev deletes its own orphan and leaves the others' objects untouched", async () => {
        const orphans = Object.fromEntries(ENVS.map((e) => [e, orphanOf(e)]));
        for (const e of ENVS) {
            const others = ENVS.filter((o) => o !== e).map((o) => standInIds(o));
            const r = await deploy(["doctor", e, "--delete"]);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, new RegExp(`^ {2}deleted dashboard ${orphans[e]} `, "m"));
            assert.deepStrictEqual(r.stdout.match(/^ {2}deleted /gm), ["  deleted "], "one object deleted");
            assert.deepStrictEqual(ENVS.filter((o) => o !== e).map((o) => standInIds(o)), others, "the other envs' objects");
            assert.deepStrictEqual(standInIds(e), stateIds(e));
        }
    });

    it("never clears a lock of another host, even one whose pid runs nowhere here: fails with --no-wait, waits without, and never imports", async () => {
        // A lock of host build-host-7 whose pid is dead on this host, and a pending create that an import would resolve.
        const pid = spawnSync("true").pid!;
        const since = new Date(Date.now() - 10 * 60_000).toISOString();
        fs.writeFileSync(path.join(lockDir("dev"), `${randomUUID()}.json`), JSON.stringify({ pid, username: "ops", hostname: "build-host-7", timestamp: since }));
        const saved = fs.readFileSync(checkpointFile("dev"), "utf8");
        const file = JSON.parse(saved);
        const timeboard = file.checkpoint.latest.resources.find((r: { type: string }) => r.type === DASHBOARD);
        const lost = { ...timeboard, urn: `${timeboard.urn}-lost`, id: "" };
        file.checkpoint.latest.pending_operations = [{ resource: lost, type: "creating" }];
        fs.writeFileSync(checkpointFile("dev"), JSON.stringify(file));
        const orphan = orphanOf("dev");
        const writes = api.requests.length;
        try {
            const refused = await deploy(["up", "dev", "--no-wait", ...target("dev")]);
            assert.strictEqual(refused.code, 1, refused.stdout + refused.stderr);
            assert.ok(
                refused.stderr.includes(
                    `error: stack 'dev' is locked by another deploy: pid ${pid} (ops@build-host-7), since ${since} (10 min ago).\n` +
                        `  It was taken on another host (build-host-7): this host cannot tell whether pid ${pid} still runs there, so it never clears that lock.\n` +
                        `  If no deploy of 'dev' runs on build-host-7 any more (check that host first), clear it by hand: PULUMI_BACKEND_URL=file://${path.join(dir, ".pulumi-state")} pulumi cancel --stack dev --yes\n`,
                ),
                refused.stderr,
            );

            const waiting = start(["up", "dev", ...target("dev")]);
            await waiting.printed(/^stack 'dev' is locked by another deploy: pid \d+ \(ops@build-host-7\), since .+: waiting for it to finish/m);
            // Three of its 500 ms polls: still waiting, the lock still there.
            await new Promise((r) => setTimeout(r, 1500));
            assert.strictEqual(locks("dev").length, 1);
            waiting.interrupt();
            await waiting.done;

            assert.strictEqual(locks("dev").length, 1, "the lock is never cleared");
            assert.deepStrictEqual(checkpoint("dev").pending, [{ resource: lost, type: "creating" }], "the pending create is neither imported nor dropped");
            assert.ok(!stateIds("dev").some((i) => i.endsWith(orphan)), "the orphan is not imported");
            assert.deepStrictEqual(api.requests.slice(writes).filter((q) => q.method !== "GET"), [], "nothing written to Datadog");
        } finally {
            for (const f of locks("dev")) fs.rmSync(path.join(lockDir("dev"), f));
            fs.writeFileSync(checkpointFile("dev"), saved);
            api.dashboards.delete(orphan);
        }
    });
});

describeEngine("the deploy command behind a proxy", function () {
    this.timeout(60_000);
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let proxy: LoopbackProxy;
    let env: NodeJS.ProcessEnv;
    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-proxy-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        proxy = await LoopbackProxy.start();
        const stackFile = path.join(dir, "Pulumi.dev.yaml");
        const dev = parseYaml(fs.readFileSync(stackFile, "utf8"));
        fs.writeFileSync(stackFile, toYaml({ config: { ...dev.config, "datadog:apiUrl": api.url } }));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
    });
    after(async () => {
        await Promise.all([api?.close(), docker?.close(), proxy?.close()]);
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });
    /** `npm run deploy -- up dev` with every proxy variable at `url`, and none bypassed. */
    const up = (url: string, vars: NodeJS.ProcessEnv) =>
        runCommand("npm", ["run", "-s", "deploy", "--", "up", "dev"], dir, { ...env, ...vars, HTTP_PROXY: url, http_proxy: url, HTTPS_PROXY: url, https_proxy: url, NO_PROXY: "", no_proxy: "" });

    it("the key preflight goes through HTTP_PROXY: the proxy carries its requests to the stand-in", async () => {
        const r = await up(proxy.url, { ...KEYS, DD_API_KEY: "0".repeat(32) });
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /DD_API_KEY is refused by http:\/\/127\.0\.0\.1:\d+\/ \(403\)/);
        assert.deepStrictEqual(proxy.carried, [`CONNECT ${new URL(api.url).host}`]);
        assert.deepStrictEqual(api.requests.map((q) => `${q.method} ${q.path}`), ["GET /api/v1/validate"]);
    });

    it("doctor's and crash recovery's lists go through it too, under the node flags npm run deploy uses", async () => {
        const flags = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).scripts.deploy.split(" deploy/deploy.ts")[0].split(" ").slice(1);
        const script = `require("./deploy/datadog").stackObjects({ url: "${api.url}", apiKey: "${API_KEY}", appKey: "${APP_KEY}" }, "dev", new Set()).then((o) => console.log(o.length))`;
        const vars = { HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: "", no_proxy: "" };
        const carried = proxy.carried.length;
        const r = await runCommand("node", [...flags, "-e", script], dir, { ...env, ...vars });
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.strictEqual(r.stdout, "0\n");
        assert.ok(proxy.carried.length > carried, "the proxy carried the list requests");
        assert.ok(proxy.carried.slice(carried).every((c) => c === `CONNECT ${new URL(api.url).host}`), proxy.carried.join("\n"));
    });

    it("verify's Datadog client goes through it too, under the same node flags", async () => {
        const flags = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).scripts.deploy.split(" deploy/deploy.ts")[0].split(" ").slice(1);
        const access = JSON.stringify({ url: api.url, apiKey: API_KEY, appKey: APP_KEY });
        const script = `require("./deploy/datadogClient").datadogApi(${access}, console.log).hosts.listHosts({ filter: "dev" }).then((h) => console.log(h.hostList.length))`;
        const vars = { HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: "", no_proxy: "" };
        const carried = proxy.carried.length;
        const r = await runCommand("node", [...flags, "-e", script], dir, { ...env, ...vars });
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.strictEqual(r.stdout, "0\n");
        assert.deepStrictEqual(proxy.carried.slice(carried), [`CONNECT ${new URL(api.url).host}`]);
    });

    it("a dead proxy is a plain error that names it, and nothing is written", async () => {
        const dead = "http://127.0.0.1:9";
        const before = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
        const r = await up(dead, KEYS);
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.strictEqual(
            r.stderr,
            `error: Cannot check the keys at ${api.url}: the proxy ${dead} (http_proxy) does not carry the request: connect ECONNREFUSED 127.0.0.1:9. Nothing was written.\n` +
                "  Start that proxy or fix http_proxy; or, if 127.0.0.1 needs no proxy, add it to NO_PROXY.\n",
        );
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"), before);
        assert.strictEqual(fs.existsSync(path.join(dir, ".pulumi-state")), false, "no backend, no passphrase file");
    });
});
