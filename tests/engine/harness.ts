// Runs the real Pulumi CLI on a temp copy of the project, hermetically.
//
// - The toolchain: `pulumi` from PATH when the machine has one (with its own plugins), else the
//   archive at ../shared/toolchain/ unpacked into .cache/pulumi-toolchain/ (checked against
//   SHA256SUMS) and put first on PATH.
// - Every stack has its own PULUMI_HOME, a file:// backend in a temp dir, a passphrase; no update
//   check, no plugin download; every proxy variable points at a dead loopback port, NO_PROXY at
//   loopback only, and the DD_*/DATADOG_*/DOCKER_* variables of the caller are dropped.
import { execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "..", "..");
/** ../shared/toolchain/ beside the clone (as CI lays it out), or PULUMI_TOOLCHAIN_ARCHIVE. */
const ARCHIVE =
    process.env.PULUMI_TOOLCHAIN_ARCHIVE ?? path.resolve(REPO, "..", "shared", "toolchain", "pulumi-toolchain-linux-amd64.tar.xz");
const SUMS = path.join(path.dirname(ARCHIVE), "SHA256SUMS");
const CACHE = path.join(REPO, ".cache", "pulumi-toolchain");
const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "index.ts", "package.json", "tsconfig.json", "components", "container-src", "deploy", "policy"];

export const API_KEY = "0123456789abcdef0123456789abcdef";
export const APP_KEY = "fedcba9876543210fedcba9876543210fedcba98";
export const PASSPHRASE = "engine-tests";

function onPath(bin: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const p = path.join(dir, bin);
        if (dir !== "" && fs.existsSync(p)) return p;
    }
    return undefined;
}

function sha256(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Unpacks `archive` into `cache` once, each file checked against `sums` (a SHA256SUMS file); the
 * stamp is the sums the files were checked against. Shared by the Pulumi and the Kubernetes toolchains.
 */
export function unpackVerified(archive: string, sums: string, cache: string): string {
    const expected = fs.readFileSync(sums, "utf8");
    const stamp = path.join(cache, ".verified");
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === expected) return cache;
    const tmp = `${cache}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    execFileSync("tar", ["-xJf", archive, "-C", tmp]);
    for (const line of expected.trim().split("\n")) {
        const [sum, name] = line.trim().split(/\s+/);
        const actual = sha256(path.join(tmp, name));
        if (actual !== sum) throw new Error(`${name} from ${archive}: sha256 ${actual}, ${path.basename(sums)} says ${sum}`);
    }
    fs.writeFileSync(path.join(tmp, ".verified"), expected);
    fs.rmSync(cache, { recursive: true, force: true });
    fs.renameSync(tmp, cache);
    return cache;
}

export interface Toolchain {
    /** Directory put first on PATH, or undefined to use PATH as it is. */
    readonly binDir?: string;
    /** The plugins of a user's own CLI, linked into each temp PULUMI_HOME. */
    readonly userPlugins?: string;
}

/**
 * The toolchain's files (a release's pulumi/ folder: the CLI, the Node language host, the scripts
 * beside them, the providers), unpacked and verified: their directory and names.
 */
export function toolchainFiles(): { dir: string; names: string[] } {
    const dir = unpackVerified(ARCHIVE, SUMS, CACHE);
    return { dir, names: fs.readFileSync(SUMS, "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/)[1]) };
}

/** The toolchain to use, or a one-line reason to skip (never in CI). */
export function findToolchain(): Toolchain | string {
    if (onPath("pulumi")) {
        const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
        return { userPlugins: path.join(home, "plugins") };
    }
    if (fs.existsSync(ARCHIVE) && fs.existsSync(SUMS)) return { binDir: unpackVerified(ARCHIVE, SUMS, CACHE) };
    const why =
        "no `pulumi` on PATH and no ../shared/toolchain archive. Install the CLI " +
        "(curl -fsSL https://get.pulumi.com | sh) and its plugins (pulumi plugin install resource datadog 5.11.0; " +
        "pulumi plugin install resource docker 5.2.0; pulumi plugin install resource random 4.21.2)";
    if (process.env.CI === "true") throw new Error(`CI=true, so the engine tests may not skip, but: ${why}`);
    return `engine tests skipped: ${why}`;
}

/**
 * The environment of every engine run: the toolchain first on PATH, its own PULUMI_HOME, no update
 * check or plugin download, every proxy at a dead loopback port, and none of the caller's DD_*,
 * DATADOG_*, DOCKER_* or PULUMI_* variables (no backend, no passphrase: the caller adds them).
 */
export function hermeticEnv(toolchain: Toolchain, home: string, extraEnv: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    if (toolchain.userPlugins && fs.existsSync(toolchain.userPlugins) && !fs.existsSync(path.join(home, "plugins"))) {
        fs.symlinkSync(toolchain.userPlugins, path.join(home, "plugins"));
    }
    const inherited = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(DD_|DATADOG_|DOCKER_|PULUMI_(?!TOOLCHAIN_ARCHIVE))|^(https?|no|all)_proxy$/i.test(k)),
    );
    const dead = "http://127.0.0.1:9";
    return {
        ...inherited,
        // The toolchain holds what a release ships beside the CLI, pulumi-analyzer-policy included.
        PATH: [toolchain.binDir, path.join(REPO, "node_modules", ".bin"), process.env.PATH].filter(Boolean).join(path.delimiter),
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        HTTPS_PROXY: dead,
        HTTP_PROXY: dead,
        https_proxy: dead,
        http_proxy: dead,
        NO_PROXY: "localhost,127.0.0.1,::1",
        no_proxy: "localhost,127.0.0.1,::1",
        ...extraEnv,
    };
}

/** A temp copy of the project (or of `files`, another project), with the repo's node_modules linked in. */
export function copyProject(root: string, files?: Record<string, string>): string {
    const dir = path.join(root, "project");
    fs.mkdirSync(dir);
    if (files) for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    else {
        const noNodeModules = (src: string) => path.basename(src) !== "node_modules";
        for (const f of PROJECT_FILES) fs.cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true, filter: noNodeModules });
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `cmd <args>` in `cwd` to its end; never throws on a non-zero exit. */
export function runCommand(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

/** One stack of a temp copy of the project, with its own backend and PULUMI_HOME. */
export class Stack {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    private constructor(
        readonly root: string,
        readonly name: string,
        toolchain: Toolchain,
        extraEnv: NodeJS.ProcessEnv,
    ) {
        this.dir = path.join(root, "project");
        const home = path.join(root, "home");
        const state = path.join(root, "state");
        fs.mkdirSync(home);
        fs.mkdirSync(state);
        this.env = hermeticEnv(toolchain, home, { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, ...extraEnv });
    }

    /**
     * Copies the project (or writes `files`, another project) into a temp dir, links the repo's
     * node_modules there and inits the stack.
     */
    static async create(name: string, toolchain: Toolchain, extraEnv: NodeJS.ProcessEnv = {}, files?: Record<string, string>): Promise<Stack> {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${name}-`));
        copyProject(root, files);
        const stack = new Stack(root, name, toolchain, extraEnv);
        await stack.ok("stack", "init");
        return stack;
    }

    /** Runs `pulumi <args>` in the project copy; never throws on a non-zero exit. */
    run(...args: string[]): Promise<RunResult> {
        return runCommand("pulumi", [...args, "--stack", this.name, "--non-interactive"], this.dir, this.env);
    }

    /** Runs `pulumi <args>` and throws, with the output, unless it exits 0. */
    async ok(...args: string[]): Promise<RunResult> {
        const r = await this.run(...args);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        return r;
    }

    /** Sets plain config values, then secrets with --secret. */
    async configure(plain: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
        if (Object.keys(plain).length > 0) {
            await this.ok("config", "set-all", ...Object.entries(plain).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]));
        }
        if (Object.keys(secrets).length > 0) {
            await this.ok("config", "set-all", ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]));
        }
    }

    /** The stack's checkpoint: every resource the engine holds in state. */
    async resources(): Promise<{ urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[]> {
        const r = await this.ok("stack", "export");
        return JSON.parse(r.stdout).deployment.resources ?? [];
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** YYYY-MM-DD, `days` after today (UTC): a downtime start that is in the future in every zone. */
export function dateInDays(days: number): string {
    return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
