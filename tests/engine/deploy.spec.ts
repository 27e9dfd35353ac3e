// The two-command deploy (`npm ci`, then `npm run deploy`) for real: the Automation API drives the
// real CLI on a temp copy of the project, with no Pulumi login and no passphrase, as a new user
// has, against the Datadog API and Docker daemon stand-ins. `up` targets the Datadog side, as the
// engine spec does (Docker resources are previewed, never created here).
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { USAGE } from "../../deploy/cli";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { startDeploy } from "./deployProcess";
import { API_KEY, APP_KEY, RunResult, Stack, Toolchain, copyProject, findToolchain, hermeticEnv } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;

const OBSERVABILITY = "urn:pulumi:dev::datadog-exercise::datadog-exercise:datadog:Observability::datadog";
const TARGET = ["--target", OBSERVABILITY, "--target-dependents"];
const KEYS = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Every file under `dir` except node_modules, with its text. */
function files(dir: string): [string, string][] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && !path.join(e.parentPath, e.name).includes(`${path.sep}node_modules`))
        .map((e) => [path.join(e.parentPath, e.name), fs.readFileSync(path.join(e.parentPath, e.name), "utf8")]);
}


/** The Datadog resource types of the program, and the stand-in's map of each. */
const DATADOG_TYPES = ["datadog:index/monitor:Monitor", "datadog:index/dashboard:Dashboard", "datadog:index/serviceLevelObjective:ServiceLevelObjective", "datadog:index/downtimeSchedule:DowntimeSchedule"];

/** The pids of the processes whose environment holds `marker` (the deploy command's and all it started). */
function processesWith(marker: string): number[] {
    return fs.readdirSync("/proc").flatMap((p) => {
        if (!/^\d+$/.test(p) || Number(p) === process.pid) return [];
        try {
            return fs.readFileSync(`/proc/${p}/environ`, "utf8").split("\0").includes(`DEPLOY_SPEC_RUN=${marker}`) ? [Number(p)] : [];
        } catch {
            return [];
        }
    });
}

describeEngine("deploy in two commands: npm run deploy", function () {
    this.timeout(180_000);
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;
    const outputs: string[] = [];

    /** `npm run deploy -- <args>` in the project copy, with these variables on top of the hermetic ones. */
    const deploy = (args: string[], vars: NodeJS.ProcessEnv): Promise<RunResult> =>
        new Promise((resolve, reject) => {
            const child = spawn("npm", ["run", "-s", "deploy", "--", ...args], { cwd: dir, env: { ...env, ...vars }, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", reject);
            child.on("close", (code) => {
                outputs.push(stdout, stderr);
                resolve({ code: code ?? -1, stdout, stderr });
            });
        });
    /** `npm run deploy -- <args>` as a terminal starts it (deployProcess.ts), its output kept for the key check. */
    const start = (args: string[], vars: NodeJS.ProcessEnv) => {
        const run = startDeploy(dir, { ...env, ...vars }, args);
        void run.done.then((r) => outputs.push(r.stdout, r.stderr));
        return run;
    };
    /** The node process of the deploy command that `start` began (npm's grandchild). */
    const deployPid = (marker: string): number => {
        const pid = processesWith(marker).find((p) => /deploy\/deploy\.ts/.test(fs.readFileSync(`/proc/${p}/cmdline`, "utf8")) && fs.readFileSync(`/proc/${p}/comm`, "utf8").trim() === "node");
        assert.ok(pid, "the deploy command's node process");
        return pid;
    };
    const stateDir = () => path.join(dir, ".pulumi-state");
    /** The checkpoint of a stack in the project's local backend: its resources and pending operations. */
    const checkpoint = (stack: string): { resources: { type: string; id?: string }[]; pending: unknown[] } => {
        const file = path.join(stateDir(), ".pulumi", "stacks", "datadog-exercise", `${stack}.json`);
        const latest = JSON.parse(fs.readFileSync(file, "utf8")).checkpoint.latest ?? {};
        return { resources: latest.resources ?? [], pending: latest.pending_operations ?? [] };
    };
    const locks = (stack: string): string[] => {
        const d = path.join(stateDir(), ".pulumi", "locks", "organization", "datadog-exercise", stack);
        return fs.existsSync(d) ? fs.readdirSync(d) : [];
    };
    /** The ids the stand-in holds for the objects of env `e`, by kind, sorted. */
    const standInIds = (e: string): string[] =>
        [
            ...[...api.monitors.values()].filter((m) => m.tags.includes(`env:${e}`)).map((m) => `datadog:index/monitor:Monitor ${m.id}`),
            ...[...api.dashboards.values()].filter((d) => String(d.title).endsWith(`(${e})`)).map((d) => `datadog:index/dashboard:Dashboard ${d.id}`),
            ...[...api.slos.values()].filter((o) => o.tags.includes(`env:${e}`)).map((o) => `datadog:index/serviceLevelObjective:ServiceLevelObjective ${o.id}`),
            ...[...api.downtimes.values()].filter((d) => d.attributes.monitor_identifier.monitor_tags.includes(`env:${e}`)).map((d) => `datadog:index/downtimeSchedule:DowntimeSchedule ${d.id}`),
        ].sort();
    const stateIds = (stack: string): string[] =>
        checkpoint(stack).resources.filter((r) => DATADOG_TYPES.includes(r.type)).map((r) => `${r.type} ${r.id}`).sort();
    /** After any run: no lock, no pending operation, no process left, and the stand-in holds what the state holds. */
    const assertSound = (stack: string, marker: string) => {
        assert.deepStrictEqual(locks(stack), [], "no lock");
        assert.deepStrictEqual(checkpoint(stack).pending, [], "no pending operation");
        assert.deepStrictEqual(processesWith(marker), [], "no process left");
        assert.deepStrictEqual(standInIds(stack), stateIds(stack), "the stand-in holds what the state holds");
    };
    /** A stack file like dev's (the stand-in's URL, the e-mail), for a stack of its own. */
    const stackFile = (name: string) => {
        const dev = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"));
        const config = Object.fromEntries(Object.entries(dev.config).filter(([k]) => !k.endsWith("Key") && !k.endsWith("downtimeStartDate")));
        fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), toYaml({ config }));
    };
    const targetOf = (stack: string) => ["--target", OBSERVABILITY.replace("urn:pulumi:dev::", `urn:pulumi:${stack}::`), "--target-dependents"];
    const spyLog = () => path.join(root, "pulumi-argv.log");
    // Writes only: a POST to .../validate is the provider's plan-time check, which every run makes.
    const mutations = () => api.requests.filter((r) => MUTATING.has(r.method) && !r.path.endsWith("/validate")).length;

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-deploy-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        // The stand-in's URL, as a user behind a proxy would set datadog:apiUrl in the stack file.
        const stackFile = path.join(dir, "Pulumi.dev.yaml");
        const dev = parseYaml(fs.readFileSync(stackFile, "utf8"));
        dev.config["datadog:apiUrl"] = api.url;
        fs.writeFileSync(stackFile, toYaml(dev));
        fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), toYaml({ config: { "datadog-exercise:timezone": "Europe/Paris" } }));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
        // A `pulumi` first on PATH that records the argv of every CLI process, then runs the real one.
        const spy = path.join(root, "spy");
        fs.mkdirSync(spy);
        const real = execFileSync("sh", ["-c", "command -v pulumi"], { env, encoding: "utf8" }).trim();
        fs.writeFileSync(path.join(spy, "pulumi"), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${spyLog()}'\necho '--' >> '${spyLog()}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
        env.PATH = `${spy}${path.delimiter}${env.PATH}`;
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("refuses a missing key, naming its variable, before any stack or request", async () => {
        const r = await deploy(["up", "dev", ...TARGET], { DD_APP_KEY: APP_KEY });
        assert.notStrictEqual(r.code, 0);
        assert.match(r.stderr, /DD_API_KEY is not set: it must be a Datadog API key: 32 hexadecimal characters/);
        assert.strictEqual(fs.existsSync(stateDir()), false, "no backend, no stack");
        assert.strictEqual(api.requests.length, 0);
    });

    it("refuses a malformed key without showing it", async () => {
        const malformed = "f".repeat(39) + "X";
        const r = await deploy(["up", "dev", ...TARGET], { ...KEYS, DD_APP_KEY: malformed });
        assert.notStrictEqual(r.code, 0);
        assert.match(r.stderr, /DD_APP_KEY is malformed \(40 characters\)/);
        assert.ok(!r.stdout.includes(malformed) && !r.stderr.includes(malformed));
        assert.strictEqual(fs.existsSync(stateDir()), false);
        assert.strictEqual(api.requests.length, 0);
    });

    it("refuses a stack whose e-mail is neither in NOTIFY_EMAIL nor in its stack file", async () => {
        const r = await deploy(["up", "qa"], KEYS);
        assert.notStrictEqual(r.code, 0);
        assert.match(r.stderr, /NOTIFY_EMAIL is not set, and Pulumi\.<stack>\.yaml has no datadog-exercise:notifyEmail/);
        assert.strictEqual(fs.existsSync(stateDir()), false);
        assert.strictEqual(api.requests.length, 0);
    });

    it("prints the usage for --help and -h, exit 0", async () => {
        for (const flag of ["--help", "-h"]) {
            const r = await deploy([flag], {});
            assert.strictEqual(r.code, 0);
            assert.strictEqual(r.stderr, "");
            assert.strictEqual(r.stdout, `${USAGE}\n`);
            assert.match(r.stdout, /^usage: npm run deploy -- \[up\|preview\|destroy\|outputs\|scenario\|doctor\|verify\|rehearse\] \[stack\] \[options\]\n/);
        }
    });

    it("refuses a typo'd subcommand and an unknown option, naming the valid ones, writing nothing", async () => {
        const typo = await deploy(["destory"], KEYS);
        assert.strictEqual(typo.code, 2);
        assert.strictEqual(
            typo.stderr,
            "error: unknown subcommand 'destory' (did you mean destroy?): one of up, preview, destroy, outputs, scenario, doctor, verify, rehearse.\n" +
                "usage: npm run deploy -- [up|preview|destroy|outputs|scenario|doctor|verify|rehearse] [stack] [options] (--help for more)\n",
        );
        const option = await deploy(["up", "--yes"], KEYS);
        assert.strictEqual(option.code, 2);
        assert.strictEqual(
            option.stderr.split("\n")[0],
            "error: Unknown option '--yes'. Options: --target, --target-dependents, --wait, --delete, --policy, --help.",
        );
        assert.strictEqual(fs.existsSync(stateDir()), false, "no backend, no passphrase file");
        assert.strictEqual(api.requests.length, 0);
    });

    it("refuses a dead Docker daemon within seconds, saying how to start or point at one, writing nothing", async () => {
        const dead = await DockerDaemonStandIn.start(path.join(root, "dead.sock"), { dead: true });
        try {
            const r = await deploy(["up", "dev", ...TARGET], { ...KEYS, DOCKER_HOST: dead.host });
            assert.strictEqual(r.code, 1);
            assert.strictEqual(
                r.stderr,
                `error: Cannot deploy stack 'dev': no Docker daemon answers at ${dead.host} (DOCKER_HOST; /_ping: no answer within 1.5 s).\n` +
                    "  Start Docker (sudo systemctl start docker, or open Docker Desktop), or point at a running daemon:\n" +
                    "  export DOCKER_HOST=unix:///path/to/docker.sock, or pulumi config set docker:host ssh://user@host --stack dev.\n",
            );
        } finally {
            await dead.close();
        }
        assert.strictEqual(fs.existsSync(stateDir()), false, "no backend, no passphrase file, no stack");
        assert.strictEqual(api.requests.length, 0);
    });

    it("refuses a well-formed key that Datadog refuses before storing it", async () => {
        const wrong = "0".repeat(32);
        const r = await deploy(["up", "dev", ...TARGET], { ...KEYS, DD_API_KEY: wrong });
        assert.strictEqual(r.code, 1);
        assert.strictEqual(
            r.stderr,
            "error: Cannot store the keys: Datadog refuses them, so nothing was written.\n" +
                `  - DD_API_KEY is refused by ${api.url} (403): it is not an API key of a datadoghq.com organization.\n` +
                "  Copy the keys from Organization Settings (API Keys, Application Keys) of your Datadog site, and set DD_SITE if it is not datadoghq.com.\n",
        );
        assert.ok(!r.stdout.includes(wrong) && !r.stderr.includes(wrong));
        assert.strictEqual(fs.existsSync(stateDir()), false, "no backend, no passphrase file, no stack");
        assert.doesNotMatch(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"), /apiKey/, "no key stored");
        assert.deepStrictEqual(api.requests.map((q) => `${q.method} ${q.path}`), ["GET /api/v1/validate"]);
        api.requests.length = 0;
    });

    describe("a first run with the variables set", () => {
        let first: RunResult;
        before(async () => {
            first = await deploy(["up", "dev", ...TARGET], KEYS);
        });

        it("creates the stack in a local backend, saying so, and ends with the URLs", () => {
            assert.strictEqual(first.code, 0, first.stdout + first.stderr);
            assert.match(first.stdout, /^No Pulumi login: the state goes to .*\.pulumi-state \(git-ignored\)\./m);
            assert.ok(fs.existsSync(path.join(stateDir(), ".pulumi", "stacks", "datadog-exercise", "dev.json")));
            assert.match(first.stdout, /\n {2}dashboardUrl: https:\/\/app\.datadoghq\.com\/dashboard\/[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}\//);
            assert.match(first.stdout, /\n {2}monitorUrl: https:\/\/app\.datadoghq\.com\/monitors\/\d+/);
            assert.match(first.stdout, /\n {2}serviceDashboardUrl: https:\/\/app\.datadoghq\.com\/dashboard\/[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}\//);
            assert.match(first.stdout, /\n {2}appUrl: http:\/\/localhost:5050\n/);
        });

        it("generates the passphrase into a file only its owner can read, and says where", () => {
            const file = path.join(stateDir(), "passphrase");
            assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
            assert.ok(first.stdout.includes(`Its secrets passphrase is in ${file}`));
        });

        it("stores both keys as secrets: ciphertext and the passphrase's salt in the stack file, neither key in any file", () => {
            const stackFile = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"));
            assert.match(stackFile.encryptionsalt, /^v1:/);
            const config = stackFile.config;
            assert.match(config["datadog:apiKey"].secure, /^v1:/);
            assert.match(config["datadog:appKey"].secure, /^v1:/);
            const leaks = files(root).filter(([, text]) => text.includes(API_KEY) || text.includes(APP_KEY)).map(([f]) => f);
            assert.deepStrictEqual(leaks, []);
        });

        it("sets downtimeStartDate once, to tomorrow in the stack's time zone", () => {
            const config = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).config;
            const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles" }).format(new Date());
            const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
            assert.strictEqual(config["datadog-exercise:downtimeStartDate"], tomorrow);
        });

        it("creates the Datadog side on the stand-in", () => {
            assert.deepStrictEqual([api.monitors.size, api.dashboards.size, api.slos.size, api.downtimes.size], [3, 2, 1, 2]);
        });

        it("shows neither key in its output", () => {
            assert.ok(outputs.every((o) => !o.includes(API_KEY) && !o.includes(APP_KEY)));
        });
    });

    // Mocha runs a describe's own its before its nested describes: these come after the first run.
    describe("then", () => {
        it("changes nothing on a second run", async () => {
            const before = mutations();
            const r = await deploy(["up", "dev", ...TARGET], KEYS);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.strictEqual(mutations(), before);
            assert.doesNotMatch(r.stdout, /Set datadog-exercise:downtimeStartDate/);
        });

        it("moves a passed downtime date to tomorrow when a new NOTIFY_EMAIL changes the downtimes, with no key in the environment", async () => {
            const stackFile = path.join(dir, "Pulumi.dev.yaml");
            const text = fs.readFileSync(stackFile, "utf8");
            const tomorrow = parseYaml(text).config["datadog-exercise:downtimeStartDate"];
            // Quoted, as `pulumi config set` writes it (unquoted, the CLI's YAML reads a timestamp).
            fs.writeFileSync(stackFile, text.replace(`downtimeStartDate: "${tomorrow}"`, 'downtimeStartDate: "2020-01-06"'));
            assert.strictEqual(parseYaml(fs.readFileSync(stackFile, "utf8")).config["datadog-exercise:downtimeStartDate"], "2020-01-06");
            const r = await deploy(["preview", "dev", ...TARGET], { NOTIFY_EMAIL: "sre@example.org" });
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, /^Changed datadog-exercise:notifyEmail from you@example\.com to sre@example\.org\.$/m);
            assert.ok(r.stdout.includes(`Moved datadog-exercise:downtimeStartDate from 2020-01-06 to ${tomorrow}: the downtimes change`), r.stdout);
            assert.strictEqual(parseYaml(fs.readFileSync(stackFile, "utf8")).config["datadog-exercise:downtimeStartDate"], tomorrow);
        });

        it("refuses outputs of a stack that was never deployed, creating none", async () => {
            const r = await deploy(["outputs", "prod"], {});
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /stack 'prod' does not exist in this backend yet: npm run deploy -- up prod creates it\./);
            assert.strictEqual(fs.existsSync(path.join(stateDir(), ".pulumi", "stacks", "datadog-exercise", "prod.json")), false);
        });

        it("gives your own file backend a passphrase too, beside its state", async () => {
            const own = path.join(root, "own-backend");
            fs.mkdirSync(own);
            // Nothing is written for a command that stops at a check.
            const refused = await deploy(["outputs", "dev"], { PULUMI_BACKEND_URL: `file://${own}` });
            assert.match(refused.stderr, /stack 'dev' does not exist in this backend yet/);
            assert.deepStrictEqual(fs.readdirSync(own), []);
            stackFile("own");
            const r = await deploy(["preview", "own", ...targetOf("own")], { ...KEYS, PULUMI_BACKEND_URL: `file://${own}` });
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            const file = path.join(own, ".pulumi", "datadog-exercise.passphrase");
            assert.ok(r.stdout.includes(`The secrets passphrase for file://${own} is in ${file}: keep it.`), r.stdout + r.stderr);
            assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        });

        it("refuses destroy of a stack that was never deployed, creating none", async () => {
            const r = await deploy(["destroy", "prod"], {});
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /stack 'prod' does not exist in this backend yet: npm run deploy -- up prod creates it\./);
            assert.strictEqual(fs.existsSync(path.join(stateDir(), ".pulumi", "stacks", "datadog-exercise", "prod.json")), false);
        });

        it("runs two deploys of one stack started together: the second waits for the first's lock, naming it", async () => {
            const marker = randomUUID();
            const [a, b] = await Promise.all([deploy(["up", "dev", ...TARGET], { DEPLOY_SPEC_RUN: marker }), deploy(["up", "dev", ...TARGET], { DEPLOY_SPEC_RUN: marker })]);
            assert.strictEqual(a.code, 0, a.stdout + a.stderr);
            assert.strictEqual(b.code, 0, b.stdout + b.stderr);
            const waited = [a, b].filter((r) => /^stack 'dev' is locked by another deploy: pid \d+ \(.+@.+\), since .+ ago\): waiting for it to finish/m.test(r.stdout));
            assert.strictEqual(waited.length, 1, a.stdout + b.stdout);
            assertSound("dev", marker);
        });

        it("with --no-wait, fails at once naming the deploy that holds the lock", async () => {
            const first = start(["up", "dev", ...TARGET], {});
            await new Promise<void>((resolve) => {
                const poll = () => (locks("dev").length > 0 ? resolve() : setImmediate(poll));
                poll();
            });
            const second = await deploy(["up", "dev", "--no-wait", ...TARGET], {});
            const r = await first.done;
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.strictEqual(second.code, 1);
            assert.match(second.stderr, /^error: stack 'dev' is locked by another deploy: pid \d+ \(.+\), since .* ago\), still running\. Wait for it to finish, or rerun without --no-wait to wait for it\.$/m);
            assertSound("dev", first.marker);
        });

        it("never puts a key on a command line: the argv of every pulumi process", () => {
            const argv = fs.readFileSync(spyLog(), "utf8");
            assert.match(argv, /^config\nset\n--secret\n--stack\ndev\ndatadog:apiKey\n--$/m, "the spy saw the keys being stored");
            assert.ok(!argv.includes(API_KEY) && !argv.includes(APP_KEY));
        });

        it("lists the known stacks for an unknown one", async () => {
            const r = await deploy(["preview", "staging"], { ...KEYS, NOTIFY_EMAIL: "oncall@example.com" });
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /unknown stack 'staging': there is no Pulumi\.staging\.yaml and no such stack\. Known stacks: dev, own, prod, qa\./);
        });

        it("destroy leaves the stand-in empty", async () => {
            const r = await deploy(["destroy", "dev"], {});
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.deepStrictEqual([api.monitors.size, api.dashboards.size, api.slos.size, api.downtimes.size], [0, 0, 0, 0]);
        });
    });
    describe("interrupted", () => {
        before(() => {
            for (const name of ["early", "cancel", "inflight", "dup", "crash"]) stackFile(name);
        });
        afterEach(() => {
            api.delays.clear();
            api.storeThen504.clear();
        });

        it("Ctrl-C before any create: exit 130, nothing created, no lock, no process left", async () => {
            // The provider's own key check (the second GET /api/v1/validate, after preflight's) is held:
            // no create can start before it is answered.
            api.delays.set("GET /api/v1/validate", 3000);
            const before = api.requests.length;
            const run = start(["up", "early", ...targetOf("early")], KEYS);
            await api.waitFor((q) => q.path === "/api/v1/validate" && api.requests.indexOf(q) >= before && api.requests.slice(before, api.requests.indexOf(q)).some((p) => p.path === "/api/v1/validate"));
            run.interrupt();
            const r = await run.done;
            assert.strictEqual(r.code, 130, r.stdout + r.stderr);
            assert.match(r.stderr, /^SIGINT received: cancelling: waiting for \d+ operations? in flight; Ctrl-C again to stop at once\.$/m);
            assert.match(r.stderr, /^Cancelled: the state holds every object created so far, and no lock is left\. npm run deploy -- up early continues\.$/m);
            assertSound("early", run.marker);
            assert.deepStrictEqual(standInIds("early"), []);
        });

        it("Ctrl-C mid-create: waits for the creates in flight, then a rerun completes with no duplicate", async () => {
            api.delays.set("POST /api/v1/dashboard", 3000);
            const run = start(["up", "cancel", ...targetOf("cancel")], KEYS);
            // This stack's own create: the stand-in has seen other stacks' dashboards before.
            await api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/dashboard" && String((q.body as any).title).endsWith("(cancel)"));
            run.interrupt();
            const r = await run.done;
            assert.strictEqual(r.code, 130, r.stdout + r.stderr);
            assert.match(r.stderr, /^SIGINT received: cancelling: waiting for [1-9]\d* operations? in flight/m);
            assert.ok(stateIds("cancel").some((i) => i.startsWith("datadog:index/dashboard:Dashboard")), "the dashboard in flight is in the state");
            assertSound("cancel", run.marker);
            assert.match(r.stdout, /^doctor: stack 'cancel': (\d+) Datadog objects carry its tags or titles; its state holds \1\.$/m);

            api.delays.clear();
            const rerun = start(["up", "cancel", ...targetOf("cancel")], {});
            const again = await rerun.done;
            assert.strictEqual(again.code, 0, again.stdout + again.stderr);
            assertSound("cancel", rerun.marker);
            assert.strictEqual(standInIds("cancel").length, 8, "3 monitors, 2 dashboards, an SLO, 2 downtimes: no duplicate");
        });

        it("Ctrl-C with every create in flight: all of them end in the state, and a rerun creates nothing twice", async () => {
            for (const route of ["POST /api/v1/monitor", "POST /api/v1/dashboard", "POST /api/v1/slo", "POST /api/v2/downtime"]) api.delays.set(route, 4000);
            const run = start(["up", "inflight", ...targetOf("inflight")], KEYS);
            await Promise.all([
                api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/dashboard" && (q.body as any).title === "Datadog exercise (inflight)"),
                api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/dashboard" && String((q.body as any).title).startsWith("Datadog exercise: ")),
                api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/monitor" && (q.body as any).tags.includes("env:inflight")),
            ]);
            run.interrupt();
            const r = await run.done;
            assert.strictEqual(r.code, 130, r.stdout + r.stderr);
            assertSound("inflight", run.marker);

            api.delays.clear();
            const rerun = start(["up", "inflight", ...targetOf("inflight")], {});
            const again = await rerun.done;
            assert.strictEqual(again.code, 0, again.stdout + again.stderr);
            assertSound("inflight", rerun.marker);
            assert.strictEqual(standInIds("inflight").length, 8, "no duplicate");
        });

        it("a create Datadog refuses: up fails with the provider's error and what to do, and no follow-up of the program's", async () => {
            stackFile("refusedcreate");
            api.failNextCreate.add("monitor");
            // The provider's client would retry the 500 (engine.spec.ts): its own setting lets it through.
            const failed = await deploy(["up", "refusedcreate", ...targetOf("refusedcreate")], { ...KEYS, DD_HTTP_CLIENT_RETRY_ENABLED: "false" });
            const out = failed.stdout + failed.stderr;
            assert.strictEqual(failed.code, 1, out);
            assert.match(failed.stderr, /500 Internal Server Error/, out);
            assert.match(failed.stderr, /^What to do: /m, out);
            assert.doesNotMatch(out, /unhandled exception|[Rr]esource monitor|^\s+at .+:\d+:\d+\)?$/m, out);
        });

        it("a create answered 504 after Datadog stored it: doctor names the orphan, and --delete leaves the stand-in equal to the state", async () => {
            api.storeThen504.set("dashboard", 1);
            const run = start(["up", "dup", ...targetOf("dup")], KEYS);
            await run.done;
            const state = stateIds("dup");
            const extra = standInIds("dup").filter((i) => !state.includes(i));
            assert.strictEqual(extra.length, 1, "the dashboard stored before its 504");

            const found = await deploy(["doctor", "dup"], {});
            assert.strictEqual(found.code, 1, found.stdout + found.stderr);
            for (const e of extra) assert.match(found.stdout, new RegExp(`^ {2}orphan: \\S+ ${e.split(" ")[1]} .*: (a duplicate of .+ in the state|not in the state)`, "m"));
            assert.match(found.stdout, new RegExp(`^ {2}Delete the ${extra.length} orphans?: npm run deploy -- doctor dup --delete$`, "m"));

            const fixed = await deploy(["doctor", "dup", "--delete"], {});
            assert.strictEqual(fixed.code, 0, fixed.stdout + fixed.stderr);
            assert.deepStrictEqual(standInIds("dup"), stateIds("dup"));
        });

        it("SIGKILL mid-create: the next run names the dead process's lock, clears it, imports the pending creates, and ends with no duplicate", async () => {
            api.delays.set("POST /api/v1/dashboard", 3000);
            const run = start(["up", "crash", ...targetOf("crash")], KEYS);
            await api.waitFor((q) => q.method === "POST" && q.path === "/api/v1/dashboard" && String((q.body as any).title).endsWith("(crash)"));
            process.kill(deployPid(run.marker), "SIGKILL");
            await run.done;
            // The CLI dies of its closed output pipe at its next write; its lock stays behind.
            await new Promise<void>((resolve) => {
                const poll = () => (processesWith(run.marker).every((p) => fs.readFileSync(`/proc/${p}/comm`, "utf8").trim() !== "pulumi") ? resolve() : setTimeout(poll, 100));
                poll();
            });
            assert.ok(locks("crash").length >= 1, "the killed deploy's lock");
            api.delays.clear();

            const rerun = start(["up", "crash", ...targetOf("crash")], {});
            const r = await rerun.done;
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, /^stack 'crash' is locked by pid \d+ \(.+\), since .+ \(.+ ago\), which no longer runs: a deploy that crashed or was killed\.$/m);
            assert.match(r.stdout, /^ {2}cleared its lock \(pulumi cancel\)$/m);
            assert.match(r.stdout, /^ {2}imported datadog-(timeboard|service-dashboard)-dashboard \(dashboard .+\): found in Datadog$/m);
            assertSound("crash", rerun.marker);
            assert.deepStrictEqual(processesWith(run.marker), [], "the killed run's plugins are stopped too");
            assert.strictEqual(standInIds("crash").length, 8, "no duplicate");
        });
    });
});

describeEngine("a config error under plain pulumi preview", function () {
    this.timeout(180_000);
    let stack: Stack;
    before(async () => {
        stack = await Stack.create("cfg", toolchain as Toolchain);
        await stack.configure(
            { "datadog-exercise:notifyEmail": "ops", "datadog-exercise:criticalThreshold": "1200", "datadog-exercise:downtimeStartDate": "2099-01-05" },
            { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
        );
    });
    after(() => stack?.remove());

    it("prints the problem list once, as plain lines, with no stack trace", async () => {
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0);
        const out = r.stdout + r.stderr;
        const diagnostics = out.slice(out.indexOf("Diagnostics:")).split("\n").filter((l) => /^ {4}error: | {6}- /.test(l));
        assert.deepStrictEqual(diagnostics, [
            "    error: Invalid stack config for stack 'cfg' (2 problems):",
            '      - datadog-exercise:criticalThreshold = "1200": must be at most 1000: my_metric never goes higher, so the monitor would never fire. Fix: pulumi config set criticalThreshold 800',
            '      - datadog-exercise:notifyEmail = "ops": must be an e-mail address such as you@example.com. Fix: pulumi config set notifyEmail you@example.com',
        ]);
        assert.strictEqual(out.split('criticalThreshold = "1200"').length, 2, "the list, once");
        assert.doesNotMatch(out, /unhandled exception|ConfigError|\n\s+at /);
    });
});
