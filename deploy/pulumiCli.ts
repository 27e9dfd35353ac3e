// The Pulumi CLI the deploy command runs: a `pulumi` on PATH when it is new enough, else the pinned
// release in $PULUMI_HOME/versions/<version>/bin (~/.pulumi when PULUMI_HOME is unset), downloaded
// there on first use by Pulumi's own install script, as the Automation API's PulumiCommand.install
// and npm's `pulumi` package do. The I/O is injected (CliIO), so that each case is a unit test.
//
// Pinned: 3.274.1, the CLI that the engine tests run (../shared/toolchain). It is also the minimum:
// an older CLI on PATH is not used. The download honours HTTPS_PROXY/NO_PROXY (the npm script runs
// node with --use-env-proxy); it fails with its network cause, which the error names.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DeployError } from "./cli";

export const PINNED_VERSION = "3.274.1";
export const MINIMUM_VERSION = PINNED_VERSION;
export const INSTALL_SCRIPT_URL = "https://get.pulumi.com/install.sh";

export interface CliIO {
    /** The output of `pulumi version` for the `pulumi` on PATH, with its path; undefined when PATH has none. */
    pathCli(): Promise<{ file: string; version: string } | undefined>;
    /** Whether `file` is an executable file. */
    isExecutable(file: string): boolean;
    /** Installs `version` into `root` (root/bin/pulumi and the files a release ships beside it); rejects with the cause. */
    install(version: string, root: string): Promise<void>;
    /** Progress lines (the download). */
    log(line: string): void;
}

export interface Cli {
    /** The directory of the `pulumi` to run: put first on PATH. */
    binDir: string;
    version: string;
    /** One line saying which CLI runs. */
    line: string;
}

/** [major, minor, patch] of "v3.274.1" or "3.274.1-dev.0"; undefined when it is not a version. */
function parts(version: string): number[] | undefined {
    const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
    return m ? m.slice(1, 4).map(Number) : undefined;
}

/** Whether `version` is at least `minimum` (false for a version that does not parse). */
export function atLeast(version: string, minimum: string): boolean {
    const [a, b] = [parts(version), parts(minimum)];
    if (!a || !b) return false;
    const i = a.findIndex((n, k) => n !== b[k]);
    return i === -1 || a[i] > b[i];
}

/** $PULUMI_HOME/versions/<version>, the folder Pulumi's installers use. */
export function pinnedRoot(env: NodeJS.ProcessEnv, version = PINNED_VERSION): string {
    return path.join(env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"), "versions", version);
}

/**
 * The CLI to run, installing the pinned one when needed. `what` begins the error ("Cannot up stack
 * 'dev'"). A CLI that is missing and cannot be downloaded is a DeployError: what, why and the fixes.
 */
export async function findPulumiCli(env: NodeJS.ProcessEnv, io: CliIO, what: string): Promise<Cli> {
    const onPath = await io.pathCli();
    if (onPath && atLeast(onPath.version, MINIMUM_VERSION)) {
        const version = onPath.version.replace(/^v/, "");
        return { binDir: path.dirname(onPath.file), version, line: `Pulumi CLI: ${version}, ${onPath.file} (from PATH).` };
    }
    const root = pinnedRoot(env);
    const bin = path.join(root, "bin");
    const why = onPath ? `PATH's ${onPath.file} is ${onPath.version.replace(/^v/, "")}, older than ${MINIMUM_VERSION}` : "PATH has no pulumi";
    if (!io.isExecutable(path.join(bin, "pulumi"))) {
        io.log(`Downloading the Pulumi CLI ${PINNED_VERSION} into ${root} (${why}; once)...`);
        try {
            await io.install(PINNED_VERSION, root);
        } catch (e) {
            throw new DeployError(
                [
                    `${what}: it needs the Pulumi CLI ${MINIMUM_VERSION} or newer, and ${why}; downloading ${PINNED_VERSION} failed (${(e as Error).message}).`,
                    `  Install it: curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED_VERSION}, or put a pulumi ${MINIMUM_VERSION} or newer on PATH; then rerun.`,
                ].join("\n"),
            );
        }
    }
    return { binDir: bin, version: PINNED_VERSION, line: `Pulumi CLI: ${PINNED_VERSION}, ${bin}/pulumi (pinned; ${why}).` };
}

/** The first cause's message of a failed fetch ("connect ECONNREFUSED 127.0.0.1:9"), else its own. */
function cause(e: unknown): string {
    let c = e as Error & { cause?: unknown };
    while (c.cause instanceof Error) c = c.cause as Error & { cause?: unknown };
    return c.message;
}

const run = (file: string, args: string[], env: NodeJS.ProcessEnv, timeout: number) =>
    new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
        execFile(file, args, { env, timeout, encoding: "utf8" }, (e, stdout, stderr) => (e ? reject(Object.assign(e, { stdout, stderr })) : resolve({ stdout, stderr }))),
    );

/** The real I/O: PATH, the file system, get.pulumi.com's install script. */
export function systemIO(env: NodeJS.ProcessEnv): CliIO {
    const isExecutable = (file: string) => {
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return fs.statSync(file).isFile();
        } catch {
            return false;
        }
    };
    return {
        isExecutable,
        async pathCli() {
            const file = (env.PATH ?? "")
                .split(path.delimiter)
                .filter(Boolean)
                .map((d) => path.join(d, "pulumi"))
                .find(isExecutable);
            if (!file) return undefined;
            const out = await run(file, ["version"], { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, 10_000).catch(() => ({ stdout: "unknown" }));
            return { file, version: out.stdout.trim() };
        },
        async install(version, root) {
            const script = await fetch(INSTALL_SCRIPT_URL, { signal: AbortSignal.timeout(30_000) }).then(
                async (r) => (r.ok ? r.text() : Promise.reject(new Error(`${r.status} ${r.statusText}`))),
                (e: unknown) => Promise.reject(new Error(cause(e))),
            ).catch((e: Error) => Promise.reject(new Error(`${INSTALL_SCRIPT_URL}: ${e.message}`)));
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-install-"));
            try {
                fs.writeFileSync(path.join(dir, "install.sh"), script, { mode: 0o700 });
                await run("/bin/sh", [path.join(dir, "install.sh"), "--no-edit-path", "--install-root", root, "--version", version], env, 600_000).catch(
                    (e: { stderr?: string; message: string }) => Promise.reject(new Error(`Pulumi's install script: ${(e.stderr || e.message).trim().split("\n").at(-1)}`)),
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
        log: (line) => console.log(line),
    };
}

/**
 * Finds (or installs) the CLI, says which in one line, and puts its directory first on PATH, where
 * the Automation API (deploy/bin/pulumi) and `pulumi config set --secret` find it.
 */
export async function usePulumiCli(env: NodeJS.ProcessEnv, what: string, io: CliIO = systemIO(env)): Promise<Cli> {
    const cli = await findPulumiCli(env, io, what);
    console.log(cli.line);
    env.PATH = [cli.binDir, env.PATH].filter(Boolean).join(path.delimiter);
    if (env !== process.env) process.env.PATH = env.PATH;
    return cli;
}
