// The two-command deploy (`npm ci`, then `npm run deploy`) for real: the Automation API drives the
// real CLI on a temp copy of the project, with no Pulumi login and no passphrase, as a new user
// has, against the Datadog API and Docker daemon stand-ins. `up` targets the Datadog side, as the
// engine spec does (Docker resources are previewed, never created here).
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, RunResult, Toolchain, copyProject, findToolchain, hermeticEnv } from "./harness";

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
    const stateDir = () => path.join(dir, ".pulumi-state");
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
            const r = await deploy(["outputs", "dev"], { PULUMI_BACKEND_URL: `file://${own}` });
            const file = path.join(own, ".pulumi", "datadog-exercise.passphrase");
            assert.ok(r.stdout.includes(`The secrets passphrase for file://${own} is in ${file}: keep it.`), r.stdout + r.stderr);
            assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
            assert.match(r.stderr, /stack 'dev' does not exist in this backend yet/);
        });

        it("lists the known stacks for an unknown one", async () => {
            const r = await deploy(["preview", "staging"], { ...KEYS, NOTIFY_EMAIL: "oncall@example.com" });
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /unknown stack 'staging': there is no Pulumi\.staging\.yaml and no such stack\. Known stacks: dev, prod, qa\./);
        });

        it("destroy leaves the stand-in empty", async () => {
            const r = await deploy(["destroy", "dev"], {});
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.deepStrictEqual([api.monitors.size, api.dashboards.size, api.slos.size, api.downtimes.size], [0, 0, 0, 0]);
        });
    });
});
