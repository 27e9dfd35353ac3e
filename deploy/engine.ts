// The engine side of the deploy command, through the Automation API: the backend, the stack, its
// lock, and one operation (up, preview, destroy) run so that a signal cancels it cleanly.
//
// The CLI runs in a session of its own (deploy/bin/pulumi), so that a Ctrl-C at the terminal
// reaches this process only, which asks the CLI to cancel exactly once (a second SIGINT would make
// it stop at once). Every process left in that session when the CLI exits (a plugin) is killed.
import { CommandError, EngineEvent, LocalWorkspace, PulumiCommand, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DECLARED_KEYS, PROJECT } from "../components/config/stackConfig";
import { DeployError, Invocation } from "./cli";
import { DeployInputs, tomorrow } from "./inputs";
import { policyOptions } from "./policy";
import { current, save, setPlain, stackFilePath, viaCli, withStackFileLock } from "./stackFile";

export interface Backend {
    envVars: Record<string, string>;
    notice?: string;
    /** The directory of a file backend (where .pulumi/ is), or undefined for any other backend. */
    fileRoot?: string;
}

/** The passphrase file for a file backend's secrets, created (random, mode 0600) if it is not there. */
function passphraseFile(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
        fs.writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // a second deploy at the same moment made it
    }
    return file;
}

/** The wrapper that runs the real `pulumi` from PATH in a session of its own. */
const WRAPPER_ROOT = __dirname;

/**
 * A file where every CLI session this process starts writes its pid (deploy/bin/pulumi). Its name
 * is unique, and every process of those sessions carries it in its environment: that is what marks
 * a process as ours (a pid, or a session id, may have been reused by the time we look).
 */
const SESSIONS_FILE = path.join(os.tmpdir(), `datadog-exercise-deploy-${process.pid}-${randomBytes(6).toString("hex")}.sessions`);

async function workspace(projectDir: string, envVars: Record<string, string>): Promise<LocalWorkspace> {
    const pulumiCommand = await PulumiCommand.get({ root: WRAPPER_ROOT, skipVersionCheck: true });
    return LocalWorkspace.create({ workDir: projectDir, envVars: { ...envVars, DEPLOY_SESSIONS_FILE: SESSIONS_FILE }, pulumiCommand });
}

/**
 * The user's backend when logged in or PULUMI_BACKEND_URL is set; else a file backend in the
 * project (created only with `createLocal`). A file backend's secrets need a passphrase: from the
 * environment, or generated into a 0600 file beside the state. With `write` false, nothing is
 * written: a passphrase file is named only if it exists.
 */
export async function chooseBackend(projectDir: string, env: NodeJS.ProcessEnv, opts: { write: boolean; createLocal: boolean }): Promise<Backend> {
    const hasPassphrase = Boolean(env.PULUMI_CONFIG_PASSPHRASE || env.PULUMI_CONFIG_PASSPHRASE_FILE);
    const passphrase = (file: string): Record<string, string> =>
        opts.write || fs.existsSync(file) ? { PULUMI_CONFIG_PASSPHRASE_FILE: opts.write ? passphraseFile(file) : file } : {};
    let url = env.PULUMI_BACKEND_URL;
    if (!url) {
        const probe = await workspace(projectDir, {});
        url = await probe.whoAmI().then(
            (me) => me.url ?? "",
            () => undefined,
        );
    }
    if (url !== undefined) {
        const root = url.startsWith("file://") ? url.slice("file://".length).replace(/^~(?=\/|$)/, os.homedir()) : undefined;
        // The user's own backend. Only a file backend (pulumi login --local, file://...) needs a passphrase.
        if (root === undefined || hasPassphrase) return { envVars: {}, fileRoot: root };
        const envVars = passphrase(path.join(root, ".pulumi", `${PROJECT}.passphrase`));
        const notice = opts.write ? `The secrets passphrase for ${url} is in ${envVars.PULUMI_CONFIG_PASSPHRASE_FILE}: keep it.` : undefined;
        return { envVars, notice, fileRoot: root };
    }
    const stateDir = path.join(projectDir, ".pulumi-state");
    const envVars: Record<string, string> = { PULUMI_BACKEND_URL: `file://${stateDir}` };
    if (!(opts.write && opts.createLocal) && !fs.existsSync(stateDir)) return { envVars, fileRoot: stateDir };
    let notice = `No Pulumi login: the state goes to ${stateDir} (git-ignored).`;
    if (opts.write) fs.mkdirSync(stateDir, { recursive: true });
    if (!hasPassphrase) {
        Object.assign(envVars, passphrase(path.join(stateDir, "passphrase")));
        notice += ` Its secrets passphrase is in ${envVars.PULUMI_CONFIG_PASSPHRASE_FILE}: keep it, it is the only way to read them.`;
    }
    return { envVars, notice: opts.write ? notice : undefined, fileRoot: stateDir };
}

/** The stacks of the backend, by their short names. */
export async function listStacks(projectDir: string, backend: Backend): Promise<string[]> {
    if (backend.fileRoot !== undefined && !fs.existsSync(path.join(backend.fileRoot, ".pulumi"))) return [];
    const ws = await workspace(projectDir, backend.envVars);
    return (await ws.listStacks()).map((s) => s.name.split("/").pop() as string);
}

/**
 * Selects the stack, or creates it when `create`: under the stack file's lock, so that of two
 * deploys started together exactly one creates it, and the salt `pulumi stack init` makes reaches
 * the stack file as one atomic write.
 */
export async function openStack(projectDir: string, backend: Backend, name: string, create: boolean): Promise<Stack> {
    const ws = await workspace(projectDir, backend.envVars);
    const select = () => Stack.select(name, ws);
    if (!create) return select();
    const file = stackFilePath(projectDir, name);
    return withStackFileLock(file, async () => {
        try {
            return await select();
        } catch (e) {
            if (!(e instanceof StackNotFoundError)) throw e;
        }
        const doc = current(file);
        try {
            await viaCli(projectDir, name, doc, backend.envVars, ["stack", "init", "--stack", name], undefined, []);
        } catch (e) {
            if (!(e instanceof DeployError && /already exists/.test(e.message))) throw e;
            return select(); // created by a process that does not take this lock (a plain pulumi)
        }
        save(file, doc);
        console.log(`Created stack '${name}'.`);
        return select();
    });
}

/** The config that the downtimes carry: changing it updates them, and Datadog then rejects a past start. */
const DOWNTIME_KEYS = new Set([`${PROJECT}:notifyEmail`]);

/**
 * Writes what changed, in one atomic write of the stack file under its lock (deploy/stackFile.ts):
 * keys (as secrets) and other values from the environment, saying what it changed (never a key's
 * value); and the downtimes' date: tomorrow when none is set, or when this run changes the
 * downtimes and the date is not after today.
 */
export async function writeConfig(stack: Stack, projectDir: string, backend: Backend, inputs: DeployInputs): Promise<void> {
    const file = stackFilePath(projectDir, stack.name);
    await withStackFileLock(file, async () => {
        const doc = current(file);
        const before = doc.toString();
        const present = await stack.getAllConfig();
        let downtimesChange = false;
        for (const [key, { value, secret }] of Object.entries(inputs.config)) {
            const old = present[key]?.value;
            if (old === value) continue;
            // A secret's ciphertext is the CLI's (`config set --secret`, the value on stdin: never on a command line).
            if (secret) await viaCli(projectDir, stack.name, doc, backend.envVars, ["config", "set", "--secret", "--stack", stack.name, key], value, [key]);
            else setPlain(doc, key, value);
            if (old !== undefined) console.log(secret ? `Stored a new ${key} (secret).` : `Changed ${key} from ${old} to ${value}.`);
            downtimesChange ||= DOWNTIME_KEYS.has(key);
        }
        const dateKey = `${PROJECT}:downtimeStartDate`;
        const timezone = present[`${PROJECT}:timezone`]?.value ?? String(DECLARED_KEYS.timezone.default);
        const date = present[dateKey]?.value;
        const next = tomorrow(timezone, new Date());
        if (!date) {
            setPlain(doc, dateKey, next);
            console.log(`Set ${dateKey} to ${next} (tomorrow in ${timezone}), once: the downtimes' fixed anchor.`);
        } else if (downtimesChange && date < next) {
            setPlain(doc, dateKey, next);
            console.log(`Moved ${dateKey} from ${date} to ${next}: the downtimes change, and Datadog rejects a start in the past.`);
        }
        if (doc.toString() !== before) save(file, doc);
    });
}

// ---------------------------------------------------------------------------------------------
// Locks (a file backend's .pulumi/locks/<org>/<project>/<stack>/<id>.json) and the processes of a
// CLI session.

export interface Lock {
    file: string;
    pid: number;
    username: string;
    hostname: string;
    timestamp: string;
    /** Held by a process of another host, whose pid means nothing here: such a lock is never cleared. */
    otherHost: boolean;
    /** Whether the process that holds it may still run: always for a lock of another host. */
    alive: boolean;
}

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

export function stackLocks(backend: Backend, stack: string): Lock[] {
    if (backend.fileRoot === undefined) return [];
    const dir = path.join(backend.fileRoot, ".pulumi", "locks");
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith(".json") && path.basename(path.dirname(f)) === stack && path.basename(path.dirname(path.dirname(f))) === PROJECT)
        .flatMap((f) => {
            try {
                const l = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { pid: number; username: string; hostname: string; timestamp: string };
                const otherHost = l.hostname !== os.hostname();
                return [{ file: path.join(dir, f), ...l, otherHost, alive: otherHost || pidAlive(l.pid) }];
            } catch {
                return []; // being written, or just removed
            }
        });
}

function age(timestamp: string): string {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
    return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

export const describeLock = (l: Lock) => `pid ${l.pid} (${l.username}@${l.hostname}), since ${l.timestamp} (${age(l.timestamp)} ago)`;

/** The value of `variable` in the environment of process `pid`, if it can be read. */
function environ(pid: number, variable: string): string | undefined {
    try {
        const entry = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((e) => e.startsWith(`${variable}=`));
        return entry?.slice(variable.length + 1);
    } catch {
        return undefined;
    }
}

/**
 * The pids of the processes in session `sid` (Linux /proc; none elsewhere) that a deploy command
 * started: their DEPLOY_SESSIONS_FILE is `file`, or any one when `file` is undefined.
 */
export function sessionProcesses(sid: number, file?: string): number[] {
    if (!fs.existsSync("/proc/self/stat")) return [];
    return fs.readdirSync("/proc").flatMap((p) => {
        if (!/^\d+$/.test(p) || Number(p) === process.pid) return [];
        try {
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
            const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
            if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]) !== sid) return [];
            const mark = environ(Number(p), "DEPLOY_SESSIONS_FILE");
            return mark !== undefined && (file === undefined || mark === file) ? [Number(p)] : [];
        } catch {
            return [];
        }
    });
}

/** Kills what is left of every CLI session this process started; returns their pids. */
export function killSessions(): number[] {
    if (!fs.existsSync(SESSIONS_FILE)) return [];
    const sids = fs.readFileSync(SESSIONS_FILE, "utf8").split("\n").filter(Boolean).map(Number);
    const killed = sids.flatMap((sid) => sessionProcesses(sid, SESSIONS_FILE));
    for (const pid of killed) process.kill(pid, "SIGKILL");
    return killed;
}

/** At exit: the sessions file goes. */
export function removeSessionsFile(): void {
    fs.rmSync(SESSIONS_FILE, { force: true });
}

/** The pids of the CLIs now running for this process (each the leader of its session). */
function liveClis(): number[] {
    if (!fs.existsSync(SESSIONS_FILE)) return [];
    return fs
        .readFileSync(SESSIONS_FILE, "utf8")
        .split("\n")
        .filter(Boolean)
        .map(Number)
        .filter((pid) => environ(pid, "DEPLOY_SESSIONS_FILE") === SESSIONS_FILE);
}

// ---------------------------------------------------------------------------------------------
// One operation, cancelled cleanly on the first signal.

/** The deploy was cancelled by a signal; `atOnce` when a second one stopped it without waiting. */
export class Cancelled extends Error {
    constructor(readonly atOnce: boolean) {
        super(atOnce ? "stopped at once" : "cancelled");
    }
}

/** What a failed operation said: the CLI's error lines (stderr and error diagnostics). */
export class OperationFailed extends Error {
    constructor(
        readonly lines: string[],
        readonly cause: CommandError,
    ) {
        super(lines.join("\n"));
    }
}

/** A SIGINT that npm forwards arrives with the terminal's own: signals this close together are one. */
const SAME_SIGNAL_MS = 1000;
const STEP_OPS = new Set(["create", "update", "delete", "replace", "create-replacement", "delete-replaced", "import", "read", "refresh"]);

export async function runOperation(stack: Stack, inv: Invocation, operation: "up" | "preview" | "destroy" | "refresh"): Promise<void> {
    // The guardrails (policy/) on up and preview, unless --no-policy; run.ts has checked that they can run.
    const policy = inv.policy && (operation === "up" || operation === "preview") ? policyOptions(stack.workspace.workDir, inv.stack) : {};
    if (typeof policy === "string") throw new DeployError(policy);
    const controller = new AbortController();
    const inFlight = new Set<string>();
    const errors: string[] = [];
    let stderr = "";
    let signals = 0;
    let last = 0;
    const onSignal = (name: NodeJS.Signals) => {
        const now = Date.now();
        if (signals > 0 && now - last < SAME_SIGNAL_MS) return;
        last = now;
        signals++;
        if (signals === 1) {
            console.error(`\n${name} received: cancelling: waiting for ${inFlight.size} operation${inFlight.size === 1 ? "" : "s"} in flight; Ctrl-C again to stop at once.`);
            controller.abort();
        } else {
            console.error(`\n${name} received again: stopping at once; the next deploy resolves what was in flight.`);
            for (const pid of liveClis()) process.kill(pid, "SIGINT"); // the CLI's own "terminate"
        }
    };
    const signalNames: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signalNames) process.on(s, onSignal);
    const onEvent = (e: EngineEvent) => {
        const pre = e.resourcePreEvent?.metadata;
        if (pre && STEP_OPS.has(pre.op) && (pre.new ?? pre.old)?.custom && !pre.urn.includes("::pulumi:providers:")) inFlight.add(pre.urn);
        const done = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (done) inFlight.delete(done.urn);
        const diag = e.diagnosticEvent;
        if (diag && diag.severity === "error" && !/^\s*$/.test(diag.message)) errors.push(...diag.message.trim().split("\n"));
    };
    const output = withoutFollowUp((text) => process.stdout.write(text));
    const opts = {
        onOutput: output.write,
        onError: (err: string) => {
            stderr += err;
        },
        onEvent,
        signal: controller.signal,
        target: inv.targets.length > 0 ? inv.targets : undefined,
        targetDependents: inv.targetDependents,
    };
    try {
        if (operation === "up") await stack.up({ ...opts, ...policy });
        else if (operation === "preview") await stack.preview({ ...opts, ...policy });
        else if (operation === "destroy") await stack.destroy(opts);
        else await stack.refresh({ ...opts, target: undefined, targetDependents: undefined });
    } catch (e) {
        if (signals > 0) throw new Cancelled(signals > 1);
        if (!(e instanceof CommandError)) throw e;
        const lines = [...cliErrorLines(stderr), ...errors.filter((l) => !/^\s*$/.test(l))];
        throw new OperationFailed([...new Set(lines)], e);
    } finally {
        output.end();
        for (const s of signalNames) process.off(s, onSignal);
        const killed = killSessions();
        if (killed.length > 0) console.error(`Stopped ${killed.length} plugin process${killed.length === 1 ? "" : "es"} the CLI left (pids ${killed.join(", ")}).`);
    }
    if (signals > 0) throw new Cancelled(signals > 1);
}

/**
 * The CLI's output, less the program's follow-up to a failed update: once the engine has stopped,
 * the program's "unhandled exception" log cannot reach it, and the CLI prints that failure, a gRPC
 * stack trace, from "failed to deliver log message." to "message severity: error". The real error
 * stands before it, and again in the error the command prints. Whole lines are written; a partial
 * progress line ("@ updating....") at once.
 */
export function withoutFollowUp(write: (text: string) => void): { write: (chunk: string) => void; end: () => void } {
    let partial = "";
    let dropping = false;
    const line = (l: string) => {
        if (/failed to deliver log message\.\s*$/.test(l)) dropping = true;
        if (!dropping) write(l);
        else if (/message severity: \w+\s*$/.test(l)) dropping = false;
    };
    return {
        write: (chunk) => {
            const lines = (partial + chunk).split(/(?<=\n)/);
            partial = lines[lines.length - 1].endsWith("\n") ? "" : lines.pop()!;
            lines.forEach(line);
            if (partial.startsWith("@") && !dropping) {
                write(partial);
                partial = "";
            }
        },
        end: () => {
            if (partial) line(partial);
            partial = "";
        },
    };
}

/** The CLI's error lines on stderr: each `error:` line and the indented lines that follow it. */
export function cliErrorLines(stderr: string): string[] {
    const lines: string[] = [];
    let inError = false;
    for (const line of stderr.split("\n")) {
        if (/^error: /.test(line)) inError = true;
        else if (!/^\s+\S/.test(line)) inError = false;
        if (inError) lines.push(line.trimEnd());
    }
    return lines;
}
