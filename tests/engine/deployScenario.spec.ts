// `npm run deploy -- scenario <name> [stack]` for real, as deploy.spec.ts runs the deploy command: on
// a temp copy of the project, no Pulumi login, against the Datadog API and Docker daemon stand-ins
// (`up` targets the Datadog side: Docker resources are previewed, never created here).
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
const TARGET = ["--target", "urn:pulumi:dev::datadog-exercise::datadog-exercise:datadog:Observability::datadog", "--target-dependents"];
const KEYS = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

describeEngine("npm run deploy -- scenario <name> [stack]", function () {
    this.timeout(180_000);
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;

    const deploy = (args: string[]): Promise<RunResult & { seconds: number }> =>
        new Promise((resolve, reject) => {
            const started = Date.now();
            const child = spawn("npm", ["run", "-s", "deploy", "--", ...args], { cwd: dir, env: { ...env, ...KEYS }, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
        });
    const stackConfig = () => parseYaml(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).config;
    const mutations = () => api.requests.filter((r) => MUTATING.has(r.method) && !r.path.endsWith("/validate"));

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-scenario-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        const stackFile = path.join(dir, "Pulumi.dev.yaml");
        const dev = parseYaml(fs.readFileSync(stackFile, "utf8"));
        dev.config["datadog:apiUrl"] = api.url;
        fs.writeFileSync(stackFile, toYaml(dev));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("refuses a typo'd scenario, naming the valid ones, before any backend, stack, file or request", async () => {
        const before = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
        const r = await deploy(["scenario", "alret", "dev"]);
        assert.strictEqual(r.code, 2, "a usage error, as the deploy command's other argument errors");
        assert.strictEqual(r.stderr.trim(), "error: unknown scenario 'alret': the scenarios are exercise, alert, warning, calm, nodata, slow, errors.\nusage: npm run deploy -- scenario <exercise|alert|warning|calm|nodata|slow|errors> [stack]");
        assert.strictEqual(fs.existsSync(path.join(dir, ".pulumi-state")), false);
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"), before);
        assert.deepStrictEqual(api.requests, []);
        console.log(`      (answered in ${r.seconds.toFixed(1)} s)`);
    });

    it("sets the scenario and runs up: the stack file holds it, the Datadog side is created", async () => {
        const r = await deploy(["scenario", "alert", "dev", ...TARGET]);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.strictEqual(stackConfig()["datadog-exercise:scenario"], "alert");
        assert.match(r.stdout, /my_metric monitor, scenario alert \(avg over 5 min, warning 500 \/ critical 800, recoveries 250 \/ 650\): first warning in about .*, first alert in about/);
        assert.deepStrictEqual([api.monitors.size, api.dashboards.size, api.slos.size, api.downtimes.size], [3, 2, 1, 2]);
    });

    it("another scenario changes the key, says so, and no Datadog object", async () => {
        const before = mutations().length;
        const r = await deploy(["scenario", "calm", "dev", ...TARGET]);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^Changed datadog-exercise:scenario from alert to calm\.$/m);
        assert.strictEqual(stackConfig()["datadog-exercise:scenario"], "calm");
        assert.strictEqual(mutations().length, before);
    });

    it("refuses a scenario the config cannot reach with the config error, changing nothing on the Datadog side", async () => {
        // Edited as text: re-serialized, the quoted date would become a YAML timestamp to the CLI.
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^config:\n/m, 'config:\n  datadog-exercise:trafficRequestsPerSecond: "0"\n'));
        assert.strictEqual(stackConfig()["datadog-exercise:trafficRequestsPerSecond"], "0");
        const before = mutations().length;
        const r = await deploy(["scenario", "slow", "dev", ...TARGET]);
        assert.notStrictEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /datadog-exercise:scenario = "slow": cannot be reached with this config: the app's monitors need requests, and trafficRequestsPerSecond is 0/);
        assert.strictEqual(mutations().length, before);
        assert.strictEqual(stackConfig()["datadog-exercise:scenario"], "calm", "the refused scenario is not written");
    });
});
