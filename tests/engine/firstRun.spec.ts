// The README's set-up as a newcomer runs it: a fresh `git clone` of HEAD, `npm ci` as the only
// install step, then `npm run deploy`. PATH holds the system's directories only (no pulumi, no
// toolchain; the system's Node, 20 here), HOME and PULUMI_HOME are empty folders, and every proxy
// points at a dead loopback port, so the deploy command's download of the Pulumi CLI fails as it
// would offline. The one stand-in for the network: the toolchain's seven files copied into
// $PULUMI_HOME/versions/<pinned>/bin, as Pulumi's install script lays out a release (case b), and
// the kubernetes plugin installed with `pulumi plugin install --file` (the Kubernetes quick start).
// One clone and one npm ci serve every case.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { PINNED_VERSION } from "../../deploy/pulumiCli";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, REPO, RunResult, runCommand, toolchainFiles } from "./harness";
import { ControlPlane, OPERATOR_CHART_TGZ, findK8sToolchain } from "./kubeApiServer";

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(path.delimiter);
const DEAD = "http://127.0.0.1:9";
/** A stack frame of a JavaScript or Go trace: `at fn (file:line:col)`, `at file:line:col`. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

/** `cmd args` with its wall time. */
async function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult & { ms: number }> {
    const t0 = Date.now();
    const r = await runCommand(cmd, args, cwd, env);
    return { ...r, ms: Date.now() - t0 };
}

/** Merges `config` into the clone's Pulumi.<stack>.yaml. */
function addToStackFile(dir: string, stack: string, config: Record<string, string>): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    Object.assign(doc.config, config);
    fs.writeFileSync(file, toYaml(doc));
}

describe("the README's set-up on a fresh clone: npm ci, then npm run deploy, with no Pulumi CLI installed", function () {
    this.timeout(600_000);
    let root: string;
    let clone: string;
    let pulumiHome: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;
    let npmCi: RunResult & { ms: number };
    const deploy = (...args: string[]) => timed("npm", ["run", "deploy", "--", ...args], clone, env);

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-first-run-"));
        clone = path.join(root, "clone");
        const home = path.join(root, "home");
        pulumiHome = path.join(root, "pulumi-home");
        fs.mkdirSync(home);
        fs.mkdirSync(pulumiHome);
        for (const dir of SYSTEM_PATH.split(path.delimiter)) assert.ok(!fs.existsSync(path.join(dir, "pulumi")), `${dir}/pulumi: the system has a Pulumi CLI`);
        const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
        execFileSync("git", ["clone", "--quiet", "--no-checkout", REPO, clone]);
        execFileSync("git", ["checkout", "--quiet", head], { cwd: clone });
        // npm ci as the README gives it, with the system's PATH and an empty HOME; the npm cache is the machine's.
        const cache = execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();
        const base = { PATH: SYSTEM_PATH, HOME: home, PULUMI_HOME: pulumiHome, npm_config_cache: cache, npm_config_prefer_offline: "true", LANG: "C.UTF-8" };
        npmCi = await timed("npm", ["ci"], clone, base);
        assert.strictEqual(npmCi.code, 0, npmCi.stdout + npmCi.stderr);
        console.log(`      npm ci: ${npmCi.ms} ms`);

        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        addToStackFile(clone, "dev", { "datadog:apiUrl": api.url });
        env = {
            ...base,
            HTTPS_PROXY: DEAD,
            HTTP_PROXY: DEAD,
            https_proxy: DEAD,
            http_proxy: DEAD,
            NO_PROXY: "localhost,127.0.0.1,::1",
            no_proxy: "localhost,127.0.0.1,::1",
            DOCKER_HOST: docker.host,
            DD_API_KEY: API_KEY,
            DD_APP_KEY: APP_KEY,
        };
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("npm ci installs the policy pack's packages too, and warns of nothing but the engines line the README explains", () => {
        assert.ok(fs.existsSync(path.join(clone, "node_modules", "@pulumi", "policy", "package.json")), "@pulumi/policy");
        const warnings = (npmCi.stdout + npmCi.stderr).split("\n").filter((l) => /^npm warn/i.test(l) && !/EBADENGINE/.test(l));
        assert.deepStrictEqual(warnings, []);
    });

    it("(a) no CLI, and its download fails: one plain error within 5 s naming the CLI, its version, the cause and the fix", async () => {
        const r = await deploy("preview");
        const out = r.stdout + r.stderr;
        console.log(`      (a) npm run deploy -- preview: ${r.ms} ms, exit ${r.code}\n${out.replace(/^/gm, "        | ")}`);
        assert.notStrictEqual(r.code, 0);
        assert.ok(r.ms < 5000, `${r.ms} ms`);
        assert.match(r.stderr, new RegExp(`^error: Cannot preview stack 'dev': it needs the Pulumi CLI ${PINNED_VERSION.replace(/\./g, "\\.")} or newer, and PATH has no pulumi; downloading ${PINNED_VERSION.replace(/\./g, "\\.")} failed \\(https://get\\.pulumi\\.com/install\\.sh: connect ECONNREFUSED 127\\.0\\.0\\.1:9\\)\\.$`, "m"));
        assert.match(r.stderr, /^ {2}Install it: curl -fsSL https:\/\/get\.pulumi\.com \| sh -s -- --version .*; then rerun\.$/m);
        assert.doesNotMatch(out, STACK_FRAME);
        assert.ok(!fs.existsSync(path.join(clone, ".pulumi-state")), "nothing written");
    });

    it("(b) with the release's files in $PULUMI_HOME/versions/<pinned>/bin: preview exits 0, runs the policy pack and prints the forecast", async () => {
        const bin = path.join(pulumiHome, "versions", PINNED_VERSION, "bin");
        fs.mkdirSync(bin, { recursive: true });
        const toolchain = toolchainFiles();
        assert.strictEqual(toolchain.names.length, 7, toolchain.names.join(", "));
        for (const name of toolchain.names) fs.copyFileSync(path.join(toolchain.dir, name), path.join(bin, name), fs.constants.COPYFILE_FICLONE);
        const r = await deploy("preview");
        const out = r.stdout + r.stderr;
        console.log(`      (b) npm run deploy -- preview: ${r.ms} ms, exit ${r.code}; its last lines:\n${out.trimEnd().split("\n").slice(-12).join("\n").replace(/^/gm, "        | ")}`);
        assert.strictEqual(r.code, 0, out);
        assert.match(r.stdout, new RegExp(`^Pulumi CLI: ${PINNED_VERSION.replace(/\./g, "\\.")}, ${bin}/pulumi \\(pinned; PATH has no pulumi\\)\\.$`, "m"));
        assert.match(r.stdout, /datadog-exercise-guardrails@v0\.1\.0 \(local: /, "the policy pack ran");
        assert.match(r.stdout, /my_metric monitor, scenario exercise \(/, "the forecast");
        assert.doesNotMatch(out, STACK_FRAME);
    });

    it("the Kubernetes quick start as docs/kubernetes.md gives it: npm run deploy -- up k8s passes with no login and no pulumi config set", async function () {
        const k8s = findK8sToolchain();
        if (typeof k8s !== "string") this.skip();
        const cp = await ControlPlane.start(k8s as string);
        try {
            // The plugin a first `up` would download: installed from the toolchain, the CLI's own way.
            const pulumi = path.join(pulumiHome, "versions", PINNED_VERSION, "bin", "pulumi");
            execFileSync(pulumi, ["plugin", "install", "resource", "kubernetes", "4.25.0", "--file", path.join(k8s as string, "pulumi-resource-kubernetes")], { env });
            // What the test's cluster needs beside the shipped stack file: its kubeconfig, the chart offline, no kubelet.
            addToStackFile(clone, "k8s", {
                "datadog:apiUrl": api.url,
                "kubernetes:kubeconfig": cp.kubeconfig,
                "datadog-exercise:operatorChart": OPERATOR_CHART_TGZ,
                "datadog-exercise:skipAwait": "true",
            });
            const r = await deploy("up", "k8s");
            const out = r.stdout + r.stderr;
            console.log(`      npm run deploy -- up k8s: ${r.ms} ms, exit ${r.code}`);
            assert.strictEqual(r.code, 0, out);
            assert.doesNotMatch(out, STACK_FRAME);
            const dda = await cp.get("/apis/datadoghq.com/v2alpha1/namespaces/k8s-exercise/datadogagents/k8s-datadog");
            assert.strictEqual(dda.spec.global.clusterName, "k8s-exercise");
        } finally {
            await cp.stop();
        }
    });
});
