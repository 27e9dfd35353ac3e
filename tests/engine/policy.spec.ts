// The policy pack (policy/) under the real Pulumi CLI: `pulumi preview --policy-pack policy` on the
// program (against the Datadog API and Docker daemon stand-ins), on a variant program that breaks
// every rule once (tests/engine/policy-variant/), and, as the README's Guardrails section says, on
// a user's own program outside this repository (tests/engine/policy-outside/).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, REPO, RunResult, Stack, Toolchain, copyProject, dateInDays, findToolchain, hermeticEnv, runCommand } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
if (typeof toolchain === "string") console.log(toolchain);

const PACK = path.join(REPO, "policy");
const VARIANT = path.join(__dirname, "policy-variant");
const OUTSIDE = path.join(__dirname, "policy-outside");

/** A program's files (Pulumi.yaml, package.json, index.ts) from a folder, to write into a stack's temp dir. */
const programFiles = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));

export interface Violation {
    level: string;
    rule: string;
    /** "<type>: <resource name>", as the CLI prints it. */
    resource: string;
    message: string;
}

/** The violations of the CLI's "Policies:" block: `- [level]  rule  (type: name)`, its description, then its message. */
export function violations(stdout: string): Violation[] {
    const lines = stdout.split("\n");
    const out: Violation[] = [];
    lines.forEach((line, i) => {
        const m = /^\s+- \[(\w+)\]\s+(\S+)\s+\((.+)\)\s*$/.exec(line);
        if (m) out.push({ level: m[1], rule: m[2], resource: m[3], message: (lines[i + 2] ?? "").trim() });
    });
    return out;
}

/** A stack (the harness puts the policy analyzer on PATH) with its own Docker daemon stand-in. */
async function stackWithPack(name: string, files?: Record<string, string>): Promise<{ stack: Stack; docker: DockerDaemonStandIn }> {
    const stack = await Stack.create(name, toolchain as Toolchain, {}, files);
    const docker = await DockerDaemonStandIn.start(path.join(stack.root, "docker.sock"));
    return { stack, docker };
}

/** Writes a policy pack config file into the stack's temp dir and returns its path. */
function packConfig(stack: Stack, name: string, config: object): string {
    const file = path.join(stack.root, name);
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

const MANDATORY = [
    "datadog-api-url-https",
    "docker-host-paths-agent-only",
    "docker-image-pinned",
    "docker-no-privileged",
    "downtime-names-timezone",
    "monitor-env-service-tags",
    "monitor-no-data-handled",
    "monitor-notifies-someone",
    "monitor-thresholds-consistent",
    "secrets-marked-secret",
];

const summary = (r: RunResult) => `exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;

describeEngine("the policy pack under the real Pulumi CLI", function () {
    this.timeout(180_000);

    // One program preview per hook: each is the cost of a whole program run.
    describe("on the program: pulumi preview --policy-pack policy of the dev stack", () => {
        let api: DatadogApiStandIn, stack: Stack, docker: DockerDaemonStandIn;
        let clean: RunResult;

        before(async () => {
            api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
            ({ stack, docker } = await stackWithPack("dev"));
            await stack.configure(
                { "datadog:apiUrl": api.url, "docker:host": docker.host, "datadog-exercise:downtimeStartDate": dateInDays(30) },
                { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
            );
            clean = await stack.run("preview", "--policy-pack", PACK);
        });
        after(async () => {
            await api?.close();
            await docker?.close();
            stack?.remove();
        });

        it("exits 0, with no violation, not even an advisory (the service dashboard is scoped by $env)", () => {
            assert.strictEqual(clean.code, 0, summary(clean));
            assert.match(clean.stdout, /datadog-exercise-guardrails@v0\.1\.0 \(local: /, "the pack ran");
            assert.deepStrictEqual(violations(clean.stdout), []);
        });
    });

    /** `npm run deploy -- <args>` on a fresh copy whose dev stack file opens the app's port on every interface. */
    function deployWideOpen(args: string[], cleanup: (() => Promise<void>)[]) {
        return async (): Promise<RunResult> => {
            const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-policy-deploy-"));
            const dir = copyProject(root);
            fs.mkdirSync(path.join(root, "home"));
            const docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
            cleanup.push(async () => {
                await api.close();
                await docker.close();
                fs.rmSync(root, { recursive: true, force: true });
            });
            const stackFile = path.join(dir, "Pulumi.dev.yaml");
            const dev = parseYaml(fs.readFileSync(stackFile, "utf8"));
            Object.assign(dev.config, { "datadog:apiUrl": api.url, "datadog-exercise:appBindAddress": "0.0.0.0" });
            fs.writeFileSync(stackFile, toYaml(dev));
            const env = { ...hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host }), DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
            return runCommand("npm", ["run", "-s", "deploy", "--", ...args], dir, env);
        };
    }

    describe("npm run deploy -- preview, with appBindAddress 0.0.0.0 in the stack file", () => {
        const cleanup: (() => Promise<void>)[] = [];
        let open: RunResult;
        before(async () => (open = await deployWideOpen(["preview", "dev"], cleanup)()));
        after(async () => {
            for (const c of cleanup) await c();
        });

        it("runs the pack by default: the app's port is a mandatory docker-ports-loopback violation, and the preview fails", () => {
            assert.notStrictEqual(open.code, 0, summary(open));
            const v = violations(open.stdout).filter((x) => x.level === "mandatory");
            assert.deepStrictEqual(
                v.map((x) => `${x.rule} ${x.resource}`),
                ["docker-ports-loopback docker:index:Container: host-app-container"],
                summary(open),
            );
            assert.match(v[0].message, /port 5050 is published on 0\.0\.0\.0/);
        });
    });

    describe("npm run deploy -- preview --no-policy, with appBindAddress 0.0.0.0 in the stack file", () => {
        const cleanup: (() => Promise<void>)[] = [];
        let skipped: RunResult;
        before(async () => (skipped = await deployWideOpen(["preview", "dev", "--no-policy"], cleanup)()));
        after(async () => {
            for (const c of cleanup) await c();
        });

        it("skips the pack: the same preview passes, and no pack runs", () => {
            assert.strictEqual(skipped.code, 0, summary(skipped));
            assert.doesNotMatch(skipped.stdout, /datadog-exercise-guardrails/);
        });
    });

    describe("on a variant program that breaks every rule once", () => {
        let stack: Stack, docker: DockerDaemonStandIn;
        let byDefault: RunResult, relaxed: RunResult;

        before(async () => {
            ({ stack, docker } = await stackWithPack("variant", programFiles(VARIANT)));
            await stack.configure({ "docker:host": docker.host });
            byDefault = await stack.run("preview", "--policy-pack", PACK);
            // Every mandatory rule advisory, and the stack opts in to public ports.
            const config = packConfig(stack, "relaxed.json", {
                ...Object.fromEntries(MANDATORY.map((r) => [r, "advisory"])),
                "docker-ports-loopback": { enforcementLevel: "advisory", allowPublicPorts: true },
            });
            relaxed = await stack.run("preview", "--policy-pack", PACK, "--policy-pack-config", config);
        });
        after(async () => {
            await docker?.close();
            stack?.remove();
        });

        it("each rule is reported by name, at its default level, on the resource that breaks it, and the preview fails", () => {
            assert.notStrictEqual(byDefault.code, 0, summary(byDefault));
            assert.deepStrictEqual(
                violations(byDefault.stdout)
                    .map((v) => `${v.level} ${v.rule} ${v.resource}`)
                    .sort(),
                [
                    "advisory dashboard-template-variable-scopes-widgets datadog:index:Dashboard: fixed",
                    "advisory downtime-starts-in-future datadog:index:DowntimeSchedule: past-utc",
                    "mandatory datadog-api-url-https pulumi:providers:datadog: plain-http",
                    "mandatory docker-host-paths-agent-only docker:index:Container: db",
                    "mandatory docker-image-pinned docker:index:Container: db",
                    "mandatory docker-image-pinned docker:index:RemoteImage: postgres",
                    "mandatory docker-no-privileged docker:index:Container: db",
                    "mandatory docker-ports-loopback docker:index:Container: db",
                    "mandatory downtime-names-timezone datadog:index:DowntimeSchedule: past-utc",
                    "mandatory monitor-env-service-tags datadog:index:Monitor: quiet",
                    "mandatory monitor-no-data-handled datadog:index:Monitor: quiet",
                    "mandatory monitor-notifies-someone datadog:index:Monitor: quiet",
                    "mandatory monitor-thresholds-consistent datadog:index:Monitor: quiet",
                    "mandatory secrets-marked-secret docker:index:Container: db",
                ],
            );
        });

        it("the plain-text password is named, never shown", () => {
            const v = violations(byDefault.stdout).find((x) => x.rule === "secrets-marked-secret");
            assert.match(v?.message ?? "", /POSTGRES_PASSWORD is in plain text/);
            assert.doesNotMatch(byDefault.stdout, /hunter2/);
        });

        it("with every rule advisory in the pack's config, and allowPublicPorts, the preview passes and the port is not reported", () => {
            assert.strictEqual(relaxed.code, 0, summary(relaxed));
            const v = violations(relaxed.stdout);
            assert.deepStrictEqual([...new Set(v.map((x) => x.level))], ["advisory"]);
            assert.strictEqual(v.length, 13);
            assert.ok(!v.some((x) => x.rule === "docker-ports-loopback"), summary(relaxed));
        });
    });

    describe("on a user's own program outside this repository: pulumi preview --policy-pack <repo>/policy", () => {
        let stack: Stack, docker: DockerDaemonStandIn;
        let outside: RunResult;

        before(async () => {
            ({ stack, docker } = await stackWithPack("outside", programFiles(OUTSIDE)));
            await stack.configure({ "docker:host": docker.host });
            outside = await stack.run("preview", "--policy-pack", PACK);
        });
        after(async () => {
            await docker?.close();
            stack?.remove();
        });

        it("runs from a folder outside the repository, the pack by its absolute path", () => {
            assert.ok(path.isAbsolute(PACK));
            assert.match(path.relative(REPO, stack.dir), /^\.\.\//, stack.dir);
            assert.match(outside.stdout, /datadog-exercise-guardrails@v0\.1\.0 \(local: /, summary(outside));
        });

        it("fails publishAllPorts and a +02:00 zone, naming each, and nothing else: no false alarm on tagKey, resourceKey, accessTokenUrl, *_FILE, dd-agent or defaultTags", () => {
            assert.notStrictEqual(outside.code, 0, summary(outside));
            const v = violations(outside.stdout);
            assert.deepStrictEqual(
                v.map((x) => `${x.level} ${x.rule} ${x.resource}`).sort(),
                ["mandatory docker-ports-loopback docker:index:Container: db", "mandatory downtime-names-timezone datadog:index:DowntimeSchedule: nightly"],
                summary(outside),
            );
            assert.match(v.find((x) => x.rule === "downtime-names-timezone")?.message ?? "", /timezone "\+02:00" is a UTC offset/);
            assert.match(v.find((x) => x.rule === "docker-ports-loopback")?.message ?? "", /publishAllPorts/);
        });
    });
});
