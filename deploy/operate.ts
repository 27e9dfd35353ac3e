// The deploy command's engine steps, once every check has passed: the backend and the stack, its
// lock (wait for a live deploy, recover from a dead one), the config, and the operation. A
// failure prints the CLI's error lines and one line saying what to do; a failed or cancelled up or
// destroy ends with doctor's findings.
import { CommandError, Stack } from "@pulumi/pulumi/automation";
import { DeployError, Invocation } from "./cli";
import { doctor, resolvePendingCreates } from "./doctor";
import {
    Backend,
    Cancelled,
    chooseBackend,
    cliErrorLines,
    describeLock,
    killSessions,
    removeSessionsFile,
    listStacks,
    Lock,
    openStack,
    OperationFailed,
    runOperation,
    sessionProcesses,
    stackLocks,
    writeConfig,
} from "./engine";
import { DeployInputs } from "./inputs";
import { stackFileDrift } from "./stackFile";

export { chooseBackend } from "./engine";

const OUTPUT_LINES = ["dashboardUrl", "monitorUrl", "serviceDashboardUrl", "appUrl", "appTunnel"];
const POLL_MS = 500;

/** What to do about a failure, by what the CLI said. The first match wins. */
const HINTS: [RegExp, (stack: string) => string][] = [
    [/currently locked/, (s) => `another deploy holds the lock: wait for it, or if it is gone, rerun npm run deploy -- up ${s} (it clears a dead process's lock).`],
    [/docker daemon|Cannot connect to the Docker daemon|error during connect/i, (s) => `start Docker, or point DOCKER_HOST (or docker:host in Pulumi.${s}.yaml) at a running daemon, then rerun.`],
    [/\b403\b|Forbidden/, () => "Datadog refuses a key: set DD_API_KEY and DD_APP_KEY to keys of your organization (and DD_SITE to its site), then rerun."],
    [/already exists/, (s) => `another deploy created stack '${s}' at the same moment: rerun npm run deploy -- up ${s}.`],
    [/start cannot be in the past/, (s) => `set a date after today: pulumi config set datadog-exercise:downtimeStartDate YYYY-MM-DD --stack ${s}, then rerun.`],
    [/Invalid stack config/, (s) => `fix each key listed above in Pulumi.${s}.yaml, then rerun.`],
    [/passphrase|decrypt/i, () => "the secrets passphrase does not match: set PULUMI_CONFIG_PASSPHRASE_FILE to the stack's passphrase file."],
];

/** The text with every key of the environment replaced by [secret]. */
function redact(text: string, env: NodeJS.ProcessEnv): string {
    return [env.DD_API_KEY, env.DD_APP_KEY].filter((k): k is string => Boolean(k)).reduce((t, k) => t.split(k).join("[secret]"), text);
}

export async function stackExists(projectDir: string, backend: Backend, stack: string): Promise<{ exists: boolean; known: string[] }> {
    const existing = await listStacks(projectDir, backend);
    return { exists: existing.includes(stack), known: existing };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits while a live process holds the stack's lock (or fails at once with --no-wait); clears a
 * lock whose process is gone (same host), stopping what that process left running; then resolves
 * any pending create the state holds.
 */
async function takeOver(stack: Stack, backend: Backend, inv: Invocation): Promise<void> {
    let announced = false;
    for (;;) {
        const locks = stackLocks(backend, inv.stack);
        const live = locks.filter((l) => l.alive);
        if (live.length > 0) {
            const line = `stack '${inv.stack}' is locked by another deploy: ${describeLock(live[0])}`;
            const other = live[0].otherHost ? otherHostLock(live[0], backend, inv.stack) : undefined;
            if (!inv.wait) {
                throw new DeployError(other ? `${line}.\n${other}` : `${line}, still running. Wait for it to finish, or rerun without --no-wait to wait for it.`);
            }
            if (!announced) console.log(`${line}: waiting for it to finish (Ctrl-C stops waiting; --no-wait fails at once).${other ? `\n${other}` : ""}`);
            announced = true;
            await sleep(POLL_MS);
            continue;
        }
        if (announced) console.log("The other deploy finished: continuing.");
        if (locks.length > 0) await clearDeadLocks(stack, locks);
        break;
    }
    const { imported, cleared } = await resolvePendingCreates(stack);
    if (imported.length + cleared.length === 0) return;
    console.log(`Resolved the ${imported.length + cleared.length} pending create${imported.length + cleared.length === 1 ? "" : "s"} an interrupted deploy left in the state:`);
    for (const i of imported) console.log(`  imported ${i}: found in Datadog`);
    for (const c of cleared) console.log(`  cleared ${c}: never created`);
    if (imported.length > 0) {
        console.log("Refreshing the state, to read what was imported:");
        await runOperation(stack, inv, "refresh");
    }
}

/**
 * What to say of a lock of another host: this host cannot tell whether its process runs (a pid
 * names a process of its own host only), so the lock is never cleared here; the user can.
 */
function otherHostLock(l: Lock, backend: Backend, stack: string): string {
    const url = backend.envVars.PULUMI_BACKEND_URL;
    return [
        `  It was taken on another host (${l.hostname}): this host cannot tell whether pid ${l.pid} still runs there, so it never clears that lock.`,
        `  If no deploy of '${stack}' runs on ${l.hostname} any more (check that host first), clear it by hand: ${url ? `PULUMI_BACKEND_URL=${url} ` : ""}pulumi cancel --stack ${stack} --yes`,
    ].join("\n");
}

async function clearDeadLocks(stack: Stack, locks: Lock[]): Promise<void> {
    for (const l of locks) {
        console.log(`stack '${stack.name.split("/").pop()}' is locked by ${describeLock(l)}, which no longer runs: a deploy that crashed or was killed.`);
        const left = sessionProcesses(l.pid);
        for (const pid of left) process.kill(pid, "SIGKILL");
        if (left.length > 0) console.log(`  stopped the ${left.length} plugin process${left.length === 1 ? "" : "es"} it left (pids ${left.join(", ")})`);
    }
    await stack.cancel();
    console.log("  cleared its lock (pulumi cancel)");
}

function printOutputs(outputs: Record<string, { value: unknown }>, stack: string): void {
    const lines = OUTPUT_LINES.filter((k) => outputs[k] !== undefined && outputs[k].value !== null).map((k) => `  ${k}: ${String(outputs[k].value)}`);
    console.log(lines.length > 0 ? `\nStack '${stack}':\n${lines.join("\n")}` : `\nStack '${stack}' has no outputs yet: run npm run deploy -- up ${stack}`);
}

/** After a failed or cancelled up or destroy: what Datadog holds beyond the state, if it can tell. */
async function doctorAfter(stack: Stack): Promise<void> {
    await doctor(stack, false).catch((e: Error) => console.log(`doctor could not compare Datadog with the state: ${e.message}`));
}

export async function operate(inv: Invocation, projectDir: string, env: NodeJS.ProcessEnv, inputs: DeployInputs): Promise<number> {
    const changes = inv.command === "up" || inv.command === "preview";
    process.on("exit", () => {
        killSessions();
        removeSessionsFile();
    });
    const backend = await chooseBackend(projectDir, env, { write: true, createLocal: changes });
    if (backend.notice) console.log(backend.notice);
    let stack: Stack | undefined;
    try {
        stack = await openStack(projectDir, backend, inv.stack, changes);
        if (inv.command === "doctor") {
            const drift = await stackFileDrift(stack); // first: a salt that disagrees stops doctor's own reads
            return (await doctor(stack, inv.delete)) + drift === 0 ? 0 : 1;
        }
        if (inv.command === "outputs") {
            printOutputs(await stack.outputs(), inv.stack);
            return 0;
        }
        for (let checkpointRetries = 1; ; ) {
            await takeOver(stack, backend, inv);
            if (changes) await writeConfig(stack, projectDir, backend, inputs);
            try {
                // deploy.ts has made `scenario` an up by now; doctor and outputs returned above.
                await runOperation(stack, inv, inv.command as "up" | "preview" | "destroy");
                break;
            } catch (e) {
                // Two deploys that passed the lock check together: the CLI refused this one. Wait for the other.
                if (e instanceof OperationFailed && e.lines.some((l) => /currently locked/.test(l)) && inv.wait) continue;
                // The CLI read the stack's checkpoint while the other deploy was writing it: nothing was
                // done; once more, after waiting for that deploy's lock (once: a checkpoint that stays
                // unreadable is an error for the user).
                if (e instanceof OperationFailed && e.lines.some((l) => /failed to load checkpoint: (unexpected )?EOF/.test(l)) && checkpointRetries-- > 0) continue;
                throw e;
            }
        }
    } catch (caught) {
        const e = caught instanceof CommandError ? new OperationFailed([...new Set(cliErrorLines(caught.message))], caught) : caught;
        if (e instanceof Cancelled) {
            console.error(
                e.atOnce
                    ? `Stopped at once. The next npm run deploy -- up ${inv.stack} clears the lock and resolves what was in flight.`
                    : `Cancelled: the state holds every object created so far, and no lock is left. npm run deploy -- up ${inv.stack} continues.`,
            );
            if (!e.atOnce && inv.command !== "preview" && stack) await doctorAfter(stack);
            return 130;
        }
        if (e instanceof OperationFailed) {
            const text = redact(e.lines.join("\n"), env);
            const hint = HINTS.find(([re]) => re.test(text))?.[1](inv.stack) ?? `fix the cause above, then rerun npm run deploy -- ${inv.command} ${inv.stack}.`;
            console.error(`\nerror: pulumi ${inv.command} failed:\n${text.split("\n").map((l) => `  ${l}`).join("\n")}\nWhat to do: ${hint}`);
            if ((inv.command === "up" || inv.command === "destroy") && stack) await doctorAfter(stack);
            return 1;
        }
        throw e;
    }
    if (inv.command !== "destroy") printOutputs(await stack!.outputs(), inv.stack);
    return 0;
}
