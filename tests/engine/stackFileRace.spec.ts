// Issue 29: two first deploys of a new stack, started together, beside a CPU hog, many times over.
// The stack file the user wrote (comments, hostTags, a hand-added datadog:apiUrl) must come out of
// every race with every line and key it had, plus each deploy's own (one of them also sets the
// site), and the salt the backend holds; exactly one deploy creates the stack, the other waits
// and then finishes; no Datadog object is made twice. Each round is a fresh stack on the same
// stand-ins and backend, and targets one small resource (the SLO), so that the stack file's writes
// and the lock race happen in full while the round stays cheap. RACE_ROUNDS sets the count (20).
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DatadogApiStandIn } from "./datadogApi";
import { DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, REPO, RunResult, Toolchain, copyProject, findToolchain, hermeticEnv, runCommand } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 20);

const OBSERVABILITY = "datadog-exercise:datadog:Observability";
/** The SLO and what it needs (its provider, its parents): one Datadog object per round. */
const targets = (stack: string) =>
    [
        `${OBSERVABILITY}::datadog`,
        `${OBSERVABILITY}$pulumi:providers:datadog::datadog-provider`,
        `${OBSERVABILITY}$datadog-exercise:datadog:ServiceSlo::datadog-slo`,
        `${OBSERVABILITY}$datadog-exercise:datadog:ServiceSlo$datadog:index/serviceLevelObjective:ServiceLevelObjective::datadog-slo-slo`,
    ].flatMap((t) => ["--target", `urn:pulumi:${stack}::datadog-exercise::${t}`]);

/** The top-level and config keys of a stack file, with their values. */
function keys(text: string): Record<string, unknown> {
    const doc = (parseYaml(text) ?? {}) as Record<string, unknown> & { config?: Record<string, unknown> };
    const { config = {}, ...top } = doc;
    return { ...top, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`config.${k}`, v])) };
}

describeEngine("two first deploys of a new stack at once, beside a CPU hog (issue 29)", function () {
    this.timeout(60_000 + ROUNDS * 240_000); // a round takes about a minute on a machine loaded as CI can be
    let root: string;
    let dir: string;
    let api: DatadogApiStandIn;
    let docker: DockerDaemonStandIn;
    let env: NodeJS.ProcessEnv;
    let hogs: ChildProcess[] = [];
    /** The user's stack file: dev's, with its comments, plus a hand-added datadog:apiUrl and a comment of theirs. */
    let original: string;

    const deploy = (stack: string, vars: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
        runCommand("npm", ["run", "-s", "deploy", "--", "up", stack, "--no-policy", ...targets(stack)], dir, { ...env, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, ...vars });

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-race-"));
        dir = copyProject(root);
        fs.mkdirSync(path.join(root, "home"));
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
        env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host });
        original = `${fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")}  # our proxy to Datadog, added by hand\n  datadog:apiUrl: ${api.url}\n`;
        assert.match(original, /^# .*\n(.*\n)*config:\n(.*\n)* {2}datadog-exercise:hostTags:\n {4}- team:solutions-engineering\n/);
        // The hog: two busy loops, as a laptop sharing its screen in a demo has.
        // Each stops by itself once this process is gone, should `after` never run.
        const loop = `for (let i = 0; ; i++) if (i % 1e8 === 0 && process.ppid !== ${process.pid}) process.exit();`;
        hogs = [0, 1].map(() => spawn(process.execPath, ["-e", loop], { stdio: "ignore" }));
    });
    after(async () => {
        for (const h of hogs) h.kill("SIGKILL");
        await api?.close();
        await docker?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it(`${ROUNDS} rounds: the stack file keeps every line and key, one deploy creates the stack, the other waits, nothing is duplicated`, async () => {
        const failures: string[] = [];
        const started = Date.now();
        for (let round = 1; round <= ROUNDS; round++) {
            const stack = `race${round}`;
            const file = path.join(dir, `Pulumi.${stack}.yaml`);
            fs.writeFileSync(file, original);
            // B also sets a key of its own (the site): a write made from a stale read would drop it.
            const [a, b] = await Promise.all([deploy(stack), deploy(stack, { DD_SITE: "datadoghq.eu" })]);
            const text = fs.readFileSync(file, "utf8");
            const problems: string[] = [];
            for (const r of [a, b]) if (r.code !== 0) problems.push(`a deploy exited ${r.code}: ${(r.stdout + r.stderr).split("\n").filter((l) => /^\s*(error: |- )/.test(l)).slice(0, 4).join(" | ")}`);
            // Every line of the user's file, in its order.
            let at = 0;
            const lines = text.split("\n");
            const lost = original.split("\n").filter((l) => {
                const i = lines.indexOf(l, at);
                if (i < 0) return true;
                at = i + 1;
                return false;
            });
            if (lost.length > 0) problems.push(`the stack file lost ${lost.length} line(s): ${lost.slice(0, 3).join(" / ")}`);
            const now = keys(text);
            const lostKeys = Object.entries(keys(original)).filter(([k, v]) => JSON.stringify(now[k]) !== JSON.stringify(v)).map(([k]) => k);
            if (lostKeys.length > 0) problems.push(`keys lost or changed: ${lostKeys.join(", ")}`);
            for (const k of ["encryptionsalt", "config.datadog:apiKey", "config.datadog:appKey", "config.datadog-exercise:downtimeStartDate"]) {
                if (now[k] === undefined) problems.push(`no ${k} in the stack file`);
            }
            if (now["config.datadog-exercise:site"] !== "datadoghq.eu") problems.push(`the site one deploy set is ${String(now["config.datadog-exercise:site"])}`);
            const checkpoint = path.join(dir, ".pulumi-state", ".pulumi", "stacks", "datadog-exercise", `${stack}.json`);
            const saved = fs.existsSync(checkpoint) ? JSON.parse(fs.readFileSync(checkpoint, "utf8")).checkpoint.latest?.secrets_providers?.state?.salt : undefined;
            if (saved !== now.encryptionsalt) problems.push(`the backend's salt ${saved} is not the stack file's ${String(now.encryptionsalt)}`);
            const created = [a, b].filter((r) => r.stdout.includes(`Created stack '${stack}'.`));
            if (created.length !== 1) problems.push(`${created.length} deploys said they created the stack`);
            const other = created.length === 1 ? (created[0] === a ? b : a) : undefined;
            if (other && !/is being written by another deploy: waiting|is locked by another deploy: .*: waiting/.test(other.stdout)) problems.push("the other deploy did not wait");
            const slos = [...api.slos.values()].filter((o) => (o.tags as string[]).includes(`env:${stack}`));
            if (slos.length !== 1) problems.push(`${slos.length} SLOs of env ${stack} on the stand-in`);
            if (problems.length > 0) failures.push(`round ${round}: ${problems.join("; ")}`);
        }
        const seconds = Math.round((Date.now() - started) / 1000);
        console.log(`      ${ROUNDS} rounds in ${seconds} s (${(seconds / ROUNDS).toFixed(1)} s a round), ${failures.length} failed; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
        for (const f of failures) console.log(`      ${f}`);
        assert.deepStrictEqual(failures, []);
    });
    it("doctor says when the stack file's encryptionsalt and the backend's disagree, with the fix", async () => {
        const file = path.join(dir, "Pulumi.race1.yaml");
        const doctor = () => runCommand("npm", ["run", "-s", "deploy", "--", "doctor", "race1"], dir, env);
        const agree = await doctor();
        assert.strictEqual(agree.code, 0, agree.stdout + agree.stderr);
        assert.doesNotMatch(agree.stdout, /encryptionsalt/);
        const text = fs.readFileSync(file, "utf8");
        const salt = /^encryptionsalt: (.+)$/m.exec(text)?.[1] ?? "";
        assert.match(salt, /^v1:/);
        fs.writeFileSync(file, text.replace(/^encryptionsalt: .+\n/m, ""));
        const r = await doctor();
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.ok(
            r.stdout.includes(
                `doctor: Pulumi.race1.yaml has no encryptionsalt: the backend saved stack 'race1' with ${salt}.\n` +
                    `  Fix: set encryptionsalt: ${salt} in Pulumi.race1.yaml, delete its datadog:apiKey and datadog:appKey lines, ` +
                    "then run npm run deploy -- up race1 with DD_API_KEY and DD_APP_KEY set: it stores the keys again.\n",
            ),
            r.stdout + r.stderr,
        );
    });
});
