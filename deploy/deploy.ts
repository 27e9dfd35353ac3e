// `npm run deploy -- [up|preview|destroy|outputs] [stack] [--target <urn>]... [--target-dependents]`
//
// Creates or updates a stack from environment variables, through Pulumi's Automation API on this
// project's directory: DD_API_KEY, DD_APP_KEY (stored as secrets), DD_SITE, NOTIFY_EMAIL. Everything
// else comes from Pulumi.<stack>.yaml. Without a Pulumi login or PULUMI_BACKEND_URL, the state goes
// to .pulumi-state/ in the project, encrypted with a passphrase generated beside it.
import { CommandError, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import { DateTime } from "luxon";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { apiKeyRule, appKeyRule, DATADOG_SITES, DECLARED_KEYS, PROJECT } from "../components/config/stackConfig";
import { scenarioArgs } from "./scenario";

export const COMMANDS = ["up", "preview", "destroy", "outputs"] as const;
export type Command = (typeof COMMANDS)[number];

export interface Invocation {
    command: Command;
    stack: string;
    targets: string[];
    targetDependents: boolean;
}

const USAGE = "usage: npm run deploy -- [up|preview|destroy|outputs] [stack] [--target <urn>]... [--target-dependents]";

/** Thrown for what the user must fix; its message is printed as it is, with no stack trace. */
export class DeployError extends Error {}

export function parseArgs(argv: readonly string[]): Invocation {
    const words: string[] = [];
    const targets: string[] = [];
    let targetDependents = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--target" && i + 1 < argv.length) targets.push(argv[++i]);
        else if (argv[i] === "--target-dependents") targetDependents = true;
        else if (argv[i].startsWith("-")) throw new DeployError(`unknown option ${argv[i]}\n${USAGE}`);
        else words.push(argv[i]);
    }
    const command = (COMMANDS as readonly string[]).includes(words[0]) ? (words.shift() as Command) : "up";
    if (words.length > 1) throw new DeployError(`too many arguments: ${words.join(" ")}\n${USAGE}`);
    return { command, stack: words[0] ?? "dev", targets, targetDependents };
}

/** The stack file's config block, or undefined when there is no Pulumi.<stack>.yaml. */
export function readStackFile(projectDir: string, stack: string): Record<string, unknown> | undefined {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    return ((parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
}

/** What the environment sets, checked; each problem names its variable and never shows a key. */
export interface DeployInputs {
    /** Config to write: full key -> value, and whether it is a secret. */
    config: Record<string, { value: string; secret: boolean }>;
    problems: string[];
}

const KEY_VARS = [
    { variable: "DD_API_KEY", key: "datadog:apiKey", rule: apiKeyRule },
    { variable: "DD_APP_KEY", key: "datadog:appKey", rule: appKeyRule },
] as const;

/**
 * Reads DD_API_KEY, DD_APP_KEY, DD_SITE and NOTIFY_EMAIL. A key or the e-mail may be missing from
 * the environment only when the stack file already holds it.
 */
export function deployInputs(env: NodeJS.ProcessEnv, stackFile: Record<string, unknown> | undefined): DeployInputs {
    const config: DeployInputs["config"] = {};
    const problems: string[] = [];
    for (const { variable, key, rule } of KEY_VARS) {
        const value = env[variable] || undefined;
        const problem = rule.safeParse(value).error?.issues[0].message;
        if (problem === undefined) config[key] = { value: value as string, secret: true };
        else if (value !== undefined) problems.push(`${variable} is malformed (${value.length} characters): it ${problem}.`);
        else if (stackFile?.[key] === undefined) problems.push(`${variable} is not set: it ${problem} (Organization Settings in Datadog).`);
    }
    const site = env.DD_SITE;
    if (site) {
        if (site in DATADOG_SITES) config[`${PROJECT}:site`] = { value: site, secret: false };
        else problems.push(`DD_SITE = "${site}" is not a Datadog site: one of ${Object.keys(DATADOG_SITES).join(", ")}.`);
    }
    const email = env.NOTIFY_EMAIL;
    if (email) {
        if (z.email().safeParse(email).success) config[`${PROJECT}:notifyEmail`] = { value: email, secret: false };
        else problems.push(`NOTIFY_EMAIL = "${email}" is not an e-mail address such as you@example.com.`);
    } else if (stackFile?.[`${PROJECT}:notifyEmail`] === undefined) {
        problems.push(`NOTIFY_EMAIL is not set, and Pulumi.<stack>.yaml has no ${PROJECT}:notifyEmail: export NOTIFY_EMAIL=you@example.com (the address the monitor and the downtimes notify).`);
    }
    return { config, problems };
}

/** The calendar date after `now` in `timezone`, as YYYY-MM-DD. */
export function tomorrow(timezone: string, now: Date): string {
    return DateTime.fromJSDate(now, { zone: timezone }).plus({ days: 1 }).toISODate() as string;
}

interface Backend {
    envVars: Record<string, string>;
    notice?: string;
}

/** The passphrase file for a file backend's secrets, created (random, mode 0600) if it is not there. */
function passphraseFile(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
    return file;
}

/**
 * The user's backend when logged in or PULUMI_BACKEND_URL is set; else a file backend in the
 * project. A file backend's secrets need a passphrase: from the environment, or generated into a
 * 0600 file beside the state.
 */
async function chooseBackend(projectDir: string, env: NodeJS.ProcessEnv): Promise<Backend> {
    const hasPassphrase = Boolean(env.PULUMI_CONFIG_PASSPHRASE || env.PULUMI_CONFIG_PASSPHRASE_FILE);
    let url = env.PULUMI_BACKEND_URL;
    if (!url) {
        const probe = await LocalWorkspace.create({ workDir: projectDir });
        url = await probe.whoAmI().then(
            (me) => me.url ?? "",
            () => undefined,
        );
    }
    if (url !== undefined) {
        // The user's own backend. Only a file backend (pulumi login --local, file://...) needs a passphrase.
        if (!url.startsWith("file://") || hasPassphrase) return { envVars: {} };
        const root = url.slice("file://".length).replace(/^~(?=\/|$)/, os.homedir());
        const file = passphraseFile(path.join(root, ".pulumi", `${PROJECT}.passphrase`));
        return { envVars: { PULUMI_CONFIG_PASSPHRASE_FILE: file }, notice: `The secrets passphrase for ${url} is in ${file}: keep it.` };
    }
    const stateDir = path.join(projectDir, ".pulumi-state");
    fs.mkdirSync(stateDir, { recursive: true });
    const envVars: Record<string, string> = { PULUMI_BACKEND_URL: `file://${stateDir}` };
    let notice = `No Pulumi login: the state goes to ${stateDir} (git-ignored).`;
    if (!hasPassphrase) {
        envVars.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile(path.join(stateDir, "passphrase"));
        notice += ` Its secrets passphrase is in ${envVars.PULUMI_CONFIG_PASSPHRASE_FILE}: keep it, it is the only way to read them.`;
    }
    return { envVars, notice };
}

/** `pulumi config set --secret`, with the value on stdin: never on a command line or in an error. */
function setSecret(projectDir: string, envVars: Record<string, string>, stack: string, key: string, value: string): void {
    const r = spawnSync("pulumi", ["config", "set", "--secret", "--stack", stack, key], {
        cwd: projectDir,
        env: { ...process.env, ...envVars },
        input: value,
        encoding: "utf8",
    });
    if (r.status !== 0) throw new DeployError(`could not store ${key} as a secret: ${(r.stderr || r.error?.message || "").trim()}`);
}

async function selectStack(projectDir: string, envVars: Record<string, string>, inv: Invocation, hasStackFile: boolean): Promise<Stack> {
    const name = inv.stack;
    const ws = await LocalWorkspace.create({ workDir: projectDir, envVars });
    const existing = (await ws.listStacks()).map((s) => s.name.split("/").pop() as string);
    if (existing.includes(name)) return Stack.select(name, ws);
    if (inv.command === "destroy" || inv.command === "outputs") {
        throw new DeployError(`stack '${name}' does not exist in this backend yet: npm run deploy -- up ${name} creates it.`);
    }
    if (!hasStackFile) {
        const files = fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        const known = [...new Set([...files, ...existing])].sort();
        throw new DeployError(`unknown stack '${name}': there is no Pulumi.${name}.yaml and no such stack. Known stacks: ${known.join(", ")}.`);
    }
    return Stack.create(name, ws);
}

/** The config that the downtimes carry: changing it updates them, and Datadog then rejects a past start. */
const DOWNTIME_KEYS = new Set([`${PROJECT}:notifyEmail`]);

/**
 * Writes what changed: keys (as secrets) and other values from the environment, saying what it
 * changed (never a key's value); and the downtimes' date: tomorrow when none is set, or when this
 * run changes the downtimes and the date is not after today.
 */
async function writeConfig(stack: Stack, projectDir: string, envVars: Record<string, string>, inputs: DeployInputs): Promise<void> {
    const current = await stack.getAllConfig();
    let downtimesChange = false;
    for (const [key, { value, secret }] of Object.entries(inputs.config)) {
        const old = current[key]?.value;
        if (old === value) continue;
        if (secret) setSecret(projectDir, envVars, stack.name, key, value);
        else await stack.setConfig(key, { value });
        if (old !== undefined) console.log(secret ? `Stored a new ${key} (secret).` : `Changed ${key} from ${old} to ${value}.`);
        downtimesChange ||= DOWNTIME_KEYS.has(key);
    }
    const dateKey = `${PROJECT}:downtimeStartDate`;
    const timezone = current[`${PROJECT}:timezone`]?.value ?? String(DECLARED_KEYS.timezone.default);
    const date = current[dateKey]?.value;
    const next = tomorrow(timezone, new Date());
    if (!date) {
        await stack.setConfig(dateKey, { value: next });
        console.log(`Set ${dateKey} to ${next} (tomorrow in ${timezone}), once: the downtimes' fixed anchor.`);
    } else if (downtimesChange && date < next) {
        await stack.setConfig(dateKey, { value: next });
        console.log(`Moved ${dateKey} from ${date} to ${next}: the downtimes change, and Datadog rejects a start in the past.`);
    }
}

export async function deploy(inv: Invocation, projectDir: string, env: NodeJS.ProcessEnv, extraConfig: DeployInputs["config"] = {}): Promise<void> {
    const stackFile = readStackFile(projectDir, inv.stack);
    const changes = inv.command === "up" || inv.command === "preview";
    const inputs = changes ? deployInputs(env, stackFile) : { config: {}, problems: [] };
    Object.assign(inputs.config, extraConfig); // the scenario subcommand's key (deploy/scenario.ts)
    if (inputs.problems.length > 0) {
        throw new DeployError(`Cannot ${inv.command} stack '${inv.stack}':\n${inputs.problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const backend = await chooseBackend(projectDir, env);
    if (backend.notice) console.log(backend.notice);
    const stack = await selectStack(projectDir, backend.envVars, inv, stackFile !== undefined);
    if (changes) await writeConfig(stack, projectDir, backend.envVars, inputs);

    const onOutput = (out: string) => process.stdout.write(out);
    // The program's own error (a ConfigError listing every problem) comes on the CLI's stderr.
    const onError = (err: string) => process.stderr.write(err);
    const targeting = { target: inv.targets.length > 0 ? inv.targets : undefined, targetDependents: inv.targetDependents };
    if (inv.command === "up") await stack.up({ onOutput, onError, ...targeting });
    else if (inv.command === "preview") await stack.preview({ onOutput, onError, ...targeting });
    else if (inv.command === "destroy") await stack.destroy({ onOutput, ...targeting });

    if (inv.command !== "destroy") {
        const outputs = await stack.outputs();
        const lines = ["dashboardUrl", "monitorUrl", "serviceDashboardUrl", "appUrl", "appTunnel"]
            .filter((k) => outputs[k] !== undefined && outputs[k].value !== null)
            .map((k) => `  ${k}: ${String(outputs[k].value)}`);
        console.log(lines.length > 0 ? `\nStack '${inv.stack}':\n${lines.join("\n")}` : `\nStack '${inv.stack}' has no outputs yet: run npm run deploy -- up ${inv.stack}`);
    }
}

if (require.main === module) {
    Promise.resolve()
        .then(() => scenarioArgs(process.argv.slice(2)))
        .then(({ argv, config }) => deploy(parseArgs(argv), path.resolve(__dirname, ".."), process.env, config))
        .catch((e: unknown) => {
            // The CLI's own failure was streamed above as it came; its error repeats stdout and stderr.
            const message = e instanceof CommandError ? "pulumi failed (its output is above)" : (e as Error).message;
            console.error(`error: ${message}`);
            process.exit(1);
        });
}
