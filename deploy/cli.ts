// The deploy command's command line: one table of subcommands and one of options, parsed with
// node's util.parseArgs. Node built-ins only, so that a bad argument is answered before anything
// heavy loads (the Automation API takes seconds to import).
import { parseArgs as parseNodeArgs } from "util";

/** Subcommands: a new one is a line here and a case in deploy.ts's run(). */
export const COMMANDS = {
    up: "create or update the stack (the default)",
    preview: "show what up would change",
    destroy: "delete everything the stack created",
    outputs: "print the stack's URLs",
    scenario: "<name> [stack]: set the live demo's scenario (exercise, alert, warning, calm, nodata, slow, errors: docs/live-demo.md), then up",
    doctor: "list Datadog objects of this stack that its state lacks (orphans, duplicates), and state objects gone from Datadog",
    verify: "[stack] [--wait <minutes>]: ask Datadog whether every signal of the stack has arrived (docs/live-demo.md)",
    rehearse: "[stack]: run the live demo's scenarios, each until its monitor's state, then put back the scenario it found",
} as const;
export type Command = keyof typeof COMMANDS;

/** Options: util.parseArgs's config, each with the text the usage prints. */
export const OPTIONS = {
    target: { type: "string", multiple: true, arg: "<urn>", help: "only this resource (repeatable)" },
    "target-dependents": { type: "boolean", help: "and what depends on the targets" },
    wait: {
        type: "boolean",
        arg: "[<minutes>]",
        help: "scenario: then wait for the monitor's state; verify: poll up to <minutes>. --no-wait: fail at once when another deploy holds the stack's lock",
    },
    delete: { type: "boolean", help: "doctor: delete the orphans it lists" },
    policy: { type: "boolean", default: true, help: "--no-policy: skip the guardrails (policy/, docs/guardrails.md) that up and preview run" },
    help: { type: "boolean", short: "h", help: "print this usage" },
} as const satisfies Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: boolean; arg?: string; help: string }>;

export const USAGE = [
    `usage: npm run deploy -- [${Object.keys(COMMANDS).join("|")}] [stack] [options]`,
    "",
    ...Object.entries(COMMANDS).map(([name, help]) => `  ${name.padEnd(24)}${help}`),
    "  stack                   a Pulumi.<stack>.yaml of this project, or a stack of the backend (default: dev)",
    "",
    ...Object.entries(OPTIONS).map(([name, o]) => {
        const flag = `${"short" in o ? `-${o.short}, ` : ""}--${name}${"arg" in o ? ` ${o.arg}` : ""}`;
        return `  ${flag.padEnd(24)}${o.help}`;
    }),
    "",
    "Environment: DD_API_KEY, DD_APP_KEY (stored as secrets), DD_SITE, NOTIFY_EMAIL. Docs: docs/deploy.md",
].join("\n");

export interface Invocation {
    command: Command;
    stack: string;
    /** scenario: the scenario's name, as given (deploy/scenario.ts checks it). */
    scenario?: string;
    targets: string[];
    targetDependents: boolean;
    wait: boolean;
    delete: boolean;
    /** false with --no-policy: up and preview run without the policy pack. */
    policy: boolean;
    help: boolean;
    /** --wait given: scenario waits for its monitor's state; verify polls (for waitMinutes, when given). */
    waitGiven: boolean;
    /** --wait <minutes> (verify). */
    waitMinutes?: number;
}

/** Thrown for what the user must fix; its message is printed as it is, with no stack trace. */
export class DeployError extends Error {
    /** The process's exit code: 2 for a usage error, as getopt-style tools do. */
    constructor(
        message: string,
        readonly exitCode = 1,
    ) {
        super(message);
    }
}

const isCommand = (word: string): word is Command => Object.hasOwn(COMMANDS, word);
const usageError = (problem: string) => new DeployError(`${problem}\n${USAGE.split("\n")[0]} (--help for more)`, 2);

/** A stack name as Pulumi accepts it: letters, digits, '-', '_', '.' (and an org/project/ prefix). */
const STACK_NAME = /^(?:[\w.-]+\/){0,2}[\w.-]+$/;

/**
 * Parses the arguments; `isStack(word)` says whether a word names a stack (its Pulumi.<stack>.yaml
 * exists), so that a typo of a subcommand ("destory") is refused rather than taken for a stack.
 */
export function parseArgs(argv: readonly string[], isStack: (word: string) => boolean = () => false): Invocation {
    const options = Object.fromEntries(
        Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, multiple: "multiple" in o, ...("short" in o ? { short: o.short } : {}), ...("default" in o ? { default: o.default } : {}) }]),
    );
    // --wait <minutes> / --wait=<minutes>: a number after the boolean option is its value.
    const args = [...argv];
    let waitMinutes: number | undefined;
    const at = args.findIndex((a, i) => /^--wait=/.test(a) || (a === "--wait" && /^\d+(\.\d+)?$/.test(args[i + 1] ?? "")));
    if (at >= 0) {
        const [flag, value] = args[at].includes("=") ? ["--wait", args[at].slice(7)] : ["--wait", args[at + 1]];
        waitMinutes = Number(value);
        if (!/^\d+(\.\d+)?$/.test(value) || !(waitMinutes > 0)) throw usageError(`--wait takes a number of minutes above 0, not '${value}'.`);
        args.splice(at, args[at].includes("=") ? 1 : 2, flag);
    }
    let parsed;
    try {
        parsed = parseNodeArgs({ args, options, allowPositionals: true, allowNegative: true, strict: true });
    } catch (e) {
        // util.parseArgs's messages end in a hint about '--' that does not apply here.
        const message = (e as Error).message.split(/\. To specify a positional argument/)[0];
        throw usageError(`${message}. Options: ${Object.keys(OPTIONS).map((o) => `--${o}`).join(", ")}.`);
    }
    const v = parsed.values as { target?: string[]; "target-dependents"?: boolean; wait?: boolean; delete?: boolean; policy?: boolean; help?: boolean };
    const base = { targets: v.target ?? [], targetDependents: v["target-dependents"] ?? false, wait: v.wait ?? true, delete: v.delete ?? false, policy: v.policy ?? true, help: v.help ?? false, waitGiven: v.wait === true, ...(waitMinutes !== undefined ? { waitMinutes } : {}) };
    const words = [...parsed.positionals];
    if (base.help) return { command: "up", stack: "dev", ...base };
    const commands = Object.keys(COMMANDS).join(", ");
    const first = words[0];
    const typo = first !== undefined && !isCommand(first) && (words.length > 1 || (closeCommand(first) !== undefined && !isStack(first)));
    if (typo) {
        const near = closeCommand(first);
        throw usageError(`unknown subcommand '${first}'${near ? ` (did you mean ${near}?)` : ""}: one of ${commands}.`);
    }
    const command = isCommand(first) ? (words.shift() as Command) : "up";
    const scenario = command === "scenario" ? words.shift() : undefined;
    if (words.length > 1) throw usageError(`too many arguments: ${words.join(" ")}. Give at most a subcommand (${commands}) and a stack.`);
    if (waitMinutes !== undefined && command !== "verify") throw usageError(`--wait <minutes> is verify's: ${command} takes --wait alone.`);
    const stack = words[0] ?? "dev";
    if (!STACK_NAME.test(stack)) throw usageError(`'${stack}' is not a stack name: letters, digits, '-', '_' and '.' only.`);
    return { command, stack, ...(scenario !== undefined ? { scenario } : {}), ...base };
}

/** The subcommand closest to `word` when it is a likely typo of one (edit distance at most 2). */
export function closeCommand(word: string): Command | undefined {
    const distance = (a: string, b: string): number => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++) {
            for (let j = 1; j <= b.length; j++) {
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.length][b.length];
    };
    return (Object.keys(COMMANDS) as Command[]).find((c) => distance(word, c) <= 2);
}
