// Each failure class of the deploy command, as the user meets it (the real process, on a temp copy
// of the project, no network: proxies at a dead loopback port): plain lines, no stack frame, and
// what to do. The engine's own failures (a failed up: "What to do: ...") are in tests/engine/deploy.spec.ts.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;
const KEYS = { DD_API_KEY: "0123456789abcdef0123456789abcdef", DD_APP_KEY: "fedcba9876543210fedcba9876543210fedcba98" };

describe("deploy: every failure is plain lines that say what to do, with no stack trace", function () {
    this.timeout(60_000);
    let root: string;
    let dir: string;
    let fakeBin: string;
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-failures-"));
        dir = path.join(root, "project");
        fs.mkdirSync(path.join(dir, "policy"), { recursive: true });
        for (const f of ["deploy", "components", "package.json", "tsconfig.json", "Pulumi.yaml", "Pulumi.dev.yaml"]) fs.cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
        fs.symlinkSync(path.join(REPO, "policy", "bin"), path.join(dir, "policy", "bin")); // the pack as npm ci builds it
        fs.mkdirSync(path.join(root, "home"));
        // A CLI new enough, for the failures that come after the CLI check.
        fakeBin = path.join(root, "fake-bin");
        fs.mkdirSync(fakeBin);
        fs.writeFileSync(path.join(fakeBin, "pulumi"), "#!/bin/sh\necho v3.274.1\n", { mode: 0o755 });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    /** `npm run deploy -- <args>`'s node command in the copy, PATH = node's directory and the system's (+ `extraPath`). */
    function deploy(args: string[], vars: NodeJS.ProcessEnv = {}, extraPath: string[] = []) {
        const dead = "http://127.0.0.1:9";
        const env = {
            PATH: [...extraPath, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter),
            HOME: path.join(root, "home"),
            PULUMI_HOME: path.join(root, "home", ".pulumi"),
            HTTPS_PROXY: dead,
            HTTP_PROXY: dead,
            NO_PROXY: "localhost,127.0.0.1,::1",
            DOCKER_HOST: `unix://${path.join(root, "no-docker.sock")}`,
            ...vars,
        };
        const r = spawnSync(process.execPath, ["--use-env-proxy", "--disable-warning=UNDICI-EHPA", "--require", "tsx/cjs", path.join(dir, "deploy", "deploy.ts"), ...args], { cwd: dir, env, encoding: "utf8" });
        const out = r.stdout + r.stderr;
        assert.notStrictEqual(r.status, 0, out);
        assert.doesNotMatch(out, STACK_FRAME);
        return { code: r.status, out };
    }

    it("a usage error: exit 2, the valid subcommands, --help", () => {
        const r = deploy(["destory"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.out, /unknown subcommand 'destory' \(did you mean destroy\?\).*\n.*\(--help for more\)/);
    });

    it("a missing key: names the variable and what it must hold", () => {
        assert.match(deploy(["preview"], { DD_APP_KEY: KEYS.DD_APP_KEY }).out, /DD_API_KEY is not set: it must be a Datadog API key/);
    });

    it("no Pulumi CLI and its download fails: how to install it or put it on PATH", () => {
        const r = deploy(["preview"], KEYS);
        assert.match(r.out, /^error: Cannot preview stack 'dev': it needs the Pulumi CLI .* downloading .* failed \(https:\/\/get\.pulumi\.com\/install\.sh: connect ECONNREFUSED 127\.0\.0\.1:9\)\.\n {2}Install it: /m);
    });

    it("a Pulumi CLI older than the minimum, and the download fails: names the old one, and the fix", () => {
        const old = path.join(root, "old-bin");
        fs.mkdirSync(old, { recursive: true });
        fs.writeFileSync(path.join(old, "pulumi"), "#!/bin/sh\necho v3.100.0\n", { mode: 0o755 });
        const r = deploy(["preview"], KEYS, [old]);
        assert.match(r.out, /PATH's .*old-bin\/pulumi is 3\.100\.0, older than .*; downloading .* failed .*\n {2}Install it: /);
    });

    it("no Docker daemon: how to start it or point at one", () => {
        assert.match(deploy(["preview"], KEYS, [fakeBin]).out, /no Docker daemon answers at .*\n {2}Start Docker/);
    });

    it("an error it does not expect: one line, what to do, and the trace in a log file whose path it prints", () => {
        const project = path.join(dir, "Pulumi.yaml");
        fs.renameSync(project, `${project}.bak`);
        fs.mkdirSync(project); // reading it fails with EISDIR, which no check expects
        try {
            const r = deploy(["preview"], KEYS, [fakeBin]);
            const line = r.out.split("\n").find((l) => l.startsWith("error: "));
            assert.match(line ?? r.out, /^error: unexpected: EISDIR: illegal operation on a directory, read\. What to do: rerun; if it happens again, report it with the log \(its trace is in (\S+\.log)\)\.$/);
            const log = /its trace is in (\S+\.log)\)/.exec(line as string)?.[1] as string;
            assert.match(fs.readFileSync(log, "utf8"), /EISDIR[\s\S]*\n\s+at /, "the whole trace is in the log");
            fs.rmSync(log);
        } finally {
            fs.rmdirSync(project);
            fs.renameSync(`${project}.bak`, project);
        }
    });
});
