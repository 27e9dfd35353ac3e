// The one place where stack config is read and checked.
//
// loadStackConfig() reads every key once, validates them all with one zod schema and
// returns a frozen, typed StackConfig. Components never read pulumi.Config: index.ts
// passes them the parts they need. A bad or missing value throws one ConfigError that
// lists every problem (key, value, what is allowed, how to fix it) before any resource
// is registered.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const PROJECT = "datadog-exercise";

/** Datadog sites: site -> the URL of its web app (the API is always https://api.<site>/). */
export const DATADOG_SITES: Readonly<Record<string, string>> = Object.freeze({
    "datadoghq.com": "https://app.datadoghq.com",
    "us3.datadoghq.com": "https://us3.datadoghq.com",
    "us5.datadoghq.com": "https://us5.datadoghq.com",
    "datadoghq.eu": "https://app.datadoghq.eu",
    "ap1.datadoghq.com": "https://ap1.datadoghq.com",
    "ap2.datadoghq.com": "https://ap2.datadoghq.com",
    "ddog-gov.com": "https://app.ddog-gov.com",
});

/** A key as Pulumi.yaml's `config:` block declares it. */
export interface DeclaredKey {
    readonly type: "string" | "integer" | "boolean" | "array";
    readonly default?: unknown;
    readonly description: string;
}

export const PROJECT_FILE = path.join(__dirname, "..", "..", "Pulumi.yaml");

/** The project's keys, their types, defaults and descriptions: Pulumi.yaml is the only source. */
export const DECLARED_KEYS: Readonly<Record<string, DeclaredKey>> = Object.freeze(
    (parseYaml(fs.readFileSync(PROJECT_FILE, "utf8")) as { config: Record<string, DeclaredKey> }).config,
);

function declaredDefault(key: string): unknown {
    return DECLARED_KEYS[key]?.default;
}

/** my_metric is a random integer in 0..1000 (container-src/agent/checks.d/custom_my_metric.py). */
export const MY_METRIC_MAX = 1000;
/** The Agent will not run a check more often than every 15 s. */
export const MIN_CHECK_INTERVAL_SECONDS = 15;

export interface DatadogConfig {
    readonly apiKey: pulumi.Output<string>;
    readonly appKey: pulumi.Output<string>;
    readonly site: string;
    /** The provider's API endpoint: datadog:apiUrl when set, else https://api.<site>/. */
    readonly apiUrl: string;
    /** The web app's base URL, for the dashboard and monitor links. */
    readonly appUrl: string;
}

export interface MonitorConfig {
    readonly warningThreshold: number;
    readonly criticalThreshold: number;
    readonly evaluationWindowMinutes: number;
    readonly noDataMinutes: number;
    readonly timeAggregation: "avg" | "max" | "min";
    readonly notifyEmail: string;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly datadog: DatadogConfig;
    readonly env: string;
    readonly hostname: string;
    readonly hostTags: readonly string[];
    readonly service: string;
    readonly appVersion: string;
    readonly checkIntervalSeconds: number;
    readonly monitor: MonitorConfig;
    readonly timezone: string;
    /** The first local date (YYYY-MM-DD) the recurring downtimes apply from: their deterministic anchor. */
    readonly downtimeStartDate: string;
    readonly appPort: number;
    /** Host port for PostgreSQL, or undefined: not published (the default). */
    readonly postgresHostPort: number | undefined;
    readonly agentImage: string;
    readonly postgresImage: string;
}

/** Thrown when the stack config is invalid; its message lists every problem. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[], stack: string) {
        super(
            `Invalid stack config for stack '${stack}' (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

// ---------------------------------------------------------------------------------------------
// Value rules. Each message says what is allowed; the key, the value and the fix are added by
// formatProblem().

const ENV_RE = /^[a-z][a-z0-9_.-]{0,49}$/;
const HOST_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME_RE = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const TAG_RE = /^[a-z][a-z0-9_./-]*:[a-z0-9_./:-]+$/;
const IMAGE_RE = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Datadog's Agent 7 images: gcr.io/datadoghq, Docker Hub datadog/, public ECR, registry.datadoghq.com. */
const AGENT_IMAGE_RE =
    /^(?:(?:(?:eu\.|asia\.)?gcr\.io\/datadoghq)|(?:docker\.io\/)?datadog|public\.ecr\.aws\/datadog|registry\.datadoghq\.com)\/agent:7\.\d+\.\d+(?:-[a-z0-9]+)*$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_HELP = "must be a calendar date YYYY-MM-DD (after today when the downtimes are created or changed: Datadog rejects a past start)";

const IANA_ZONE_HELP = "must be an IANA time zone such as America/Los_Angeles, Europe/Paris or UTC";

/**
 * What is wrong with a time zone name, or undefined. Intl accepts any letter case, but the IANA
 * names (and Datadog) are case-sensitive. This catches the usual slips (a name in lower case, a
 * part without its capital); odd capitals inside a part of a name that Intl files under another
 * ID (Asia/KOLKATA) still pass, since Node has no list of every IANA name to check against.
 */
function timezoneProblem(tz: string): string | undefined {
    if (!tz.includes("/") && tz !== "UTC") return IANA_ZONE_HELP; // abbreviations such as "PST"
    let resolved: string;
    try {
        resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
    } catch {
        return IANA_ZONE_HELP;
    }
    if (resolved !== tz && resolved.toLowerCase() === tz.toLowerCase()) {
        return `must be spelled as the IANA database spells it, with its capitals: ${resolved}`;
    }
    if (!tz.split("/").every((part) => /^[A-Z]/.test(part))) {
        return "must be spelled as the IANA database spells it, each part starting with a capital, e.g. America/Los_Angeles";
    }
    return undefined;
}

/** Names the Agent refuses as a hostname (it falls back to another name, so the dashboards' host would not match). */
const LOCAL_HOSTNAMES = new Set(["localhost", "localhost.localdomain", "localhost6.localdomain6", "ip6-localhost"]);

function isCalendarDate(s: string): boolean {
    const m = DATE_RE.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Config values arrive as strings; turn numeric strings into numbers and leave the rest to fail. */
const numeric = (inner: z.ZodNumber) =>
    z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), inner);

const integer = (what: string, min: number, max: number) =>
    numeric(
        z
            .number({ error: `must be ${what}: a whole number from ${min} to ${max}` })
            .int({ error: `must be a whole number from ${min} to ${max}` })
            .min(min, { error: `must be a whole number from ${min} to ${max}` })
            .max(max, { error: `must be a whole number from ${min} to ${max}` }),
    );

const threshold = numeric(
    z
        .number({ error: `must be a whole number from 0 to ${MY_METRIC_MAX} (my_metric's range)` })
        .int({ error: `must be a whole number from 0 to ${MY_METRIC_MAX}: Pulumi.yaml declares it an integer` })
        .min(0, { error: `must not be negative: my_metric's range is 0..${MY_METRIC_MAX}` })
        .max(MY_METRIC_MAX, {
            error: `must be at most ${MY_METRIC_MAX}: my_metric never goes higher, so the monitor would never fire`,
        }),
);

/** A Datadog key: `length` lowercase hexadecimal characters; the same message when it is missing. */
const datadogKey = (what: string, length: number) => {
    const help = `must be a Datadog ${what}: ${length} hexadecimal characters`;
    return z.string({ error: help }).regex(new RegExp(`^[0-9a-f]{${length}}$`), { error: help });
};
const apiKeyRule = datadogKey("API key", 32);
const appKeyRule = datadogKey("application key", 40);

const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const API_URL_HELP = "must be an http(s) URL such as https://api.datadoghq.eu/ (http:// only for a loopback host)";

/** datadog:apiUrl, the provider's own key: a private endpoint or a proxy in place of https://api.<site>/. */
function apiUrlProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return API_URL_HELP;
    }
    if (url.protocol === "https:") return undefined;
    if (url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname)) return undefined;
    return API_URL_HELP;
}

const schema = z
    .object({
        apiKey: apiKeyRule,
        appKey: appKeyRule,
        apiUrl: z
            .string()
            .optional()
            .superRefine((value, ctx) => {
                const problem = value === undefined ? undefined : apiUrlProblem(value);
                if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
            }),
        site: z.enum(Object.keys(DATADOG_SITES) as [string, ...string[]], {
            error: `must be one of ${Object.keys(DATADOG_SITES).join(", ")}`,
        }),
        env: z.string().regex(ENV_RE, {
            error: "must start with a lowercase letter and hold only a-z, 0-9, '_', '.', '-' (at most 50 characters): Docker names and Datadog tags accept nothing else",
        }),
        hostname: z
            .string()
            .max(253, { error: "must be at most 253 characters" })
            .regex(HOSTNAME_RE, {
                error: "must be a lowercase DNS hostname: labels of a-z, 0-9 and '-', not starting or ending with '-', separated by '.'",
            })
            .refine((h) => !LOCAL_HOSTNAMES.has(h), {
                error: "must not be a local name such as localhost: the Agent refuses it and reports under another name",
            }),
        hostTags: z.array(
            z.string().max(200, { error: "must be at most 200 characters" }).regex(TAG_RE, {
                error: "must be a lowercase 'key:value' tag; the key starts with a letter; allowed characters: a-z 0-9 _ . / - (and ':' in the value)",
            }),
            { error: "must be a list of 'key:value' strings, e.g. [\"team:se\", \"purpose:demo\"]" },
        ),
        service: z.string().regex(ENV_RE, {
            error: "must start with a lowercase letter and hold only a-z, 0-9, '_', '.', '-' (at most 50 characters)",
        }),
        appVersion: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,49}$/, {
            error: "must be a version such as 1.0.0 (letters, digits, '.', '_', '+', '-')",
        }),
        checkIntervalSeconds: integer("the check interval in seconds", MIN_CHECK_INTERVAL_SECONDS, 3600),
        warningThreshold: threshold,
        criticalThreshold: threshold,
        evaluationWindowMinutes: integer("the evaluation window in minutes", 1, 1440),
        noDataMinutes: integer("the no-data timeframe in minutes", 2, 2880),
        monitorTimeAggregation: z.enum(["avg", "max", "min"], { error: "must be one of avg, max, min" }),
        notifyEmail: z.email({ error: "must be an e-mail address such as you@example.com" }),
        timezone: z.string().superRefine((tz, ctx) => {
            const problem = timezoneProblem(tz);
            if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        }),
        downtimeStartDate: z.string({ error: DATE_HELP }).refine(isCalendarDate, { error: DATE_HELP }),
        appPort: integer("a TCP port", 1, 65535),
        postgresHostPort: integer("a TCP port, or 0 for none", 0, 65535),
        agentImage: z.string().regex(AGENT_IMAGE_RE, {
            error: `must be a Datadog Agent 7 image from one of Datadog's registries, with a version tag, e.g. ${declaredDefault("agentImage")}`,
        }),
        postgresImage: z.string().regex(IMAGE_RE, {
            error: `must be an image reference with an explicit tag, e.g. ${declaredDefault("postgresImage")}`,
        }),
    });

/**
 * Rules across keys. They run even when other keys are bad (so every problem is listed at once),
 * on the keys they involve that are valid on their own.
 */
function crossKeyProblems(input: RawConfig): z.core.$ZodIssue[] {
    const valid = (key: keyof typeof schema.shape): unknown => {
        const r = schema.shape[key].safeParse(input[key]);
        return r.success ? r.data : undefined;
    };
    const issues: z.core.$ZodIssue[] = [];
    const add = (key: string, message: string) =>
        issues.push({ code: "custom", path: [key], message, input: input[key] } as z.core.$ZodIssue);
    for (const key of ["agentImage", "postgresImage"] as const) {
        const image = valid(key);
        if (typeof image === "string" && image.endsWith(":latest")) add(key, "must pin a version tag, not ':latest'");
    }
    const warning = valid("warningThreshold");
    const critical = valid("criticalThreshold");
    if (typeof warning === "number" && typeof critical === "number" && warning >= critical) {
        add(
            "warningThreshold",
            `must be lower than criticalThreshold (${critical}): Datadog rejects a warning at or above the critical threshold`,
        );
    }
    const window = valid("evaluationWindowMinutes");
    const noData = valid("noDataMinutes");
    if (typeof window === "number" && typeof noData === "number" && noData < 2 * window) {
        add(
            "noDataMinutes",
            `must be at least twice evaluationWindowMinutes (${2 * window}), as Datadog advises, or the monitor reports No Data between points`,
        );
    }
    const appPort = valid("appPort");
    if (appPort !== undefined && appPort !== 0 && valid("postgresHostPort") === appPort) {
        add("postgresHostPort", `must differ from appPort (${appPort})`);
    }
    return issues;
}

type RawConfig = Record<string, unknown>;

const SECRET_KEYS = new Set(["apiKey", "appKey"]);
/** Keys that live in the provider's namespace rather than the project's. */
const FULL_KEY: Readonly<Record<string, string>> = { apiKey: "datadog:apiKey", appKey: "datadog:appKey", apiUrl: "datadog:apiUrl" };

/** Examples for keys that have no default in Pulumi.yaml. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
    env: "dev",
    hostname: "my-exercise-host",
    notifyEmail: "you@example.com",
    downtimeStartDate: "<YYYY-MM-DD, a date after today>",
    postgresHostPort: "15432",
};

/** What to type to fix a key, as shown in each problem. */
function fixCommand(key: string): string {
    if (key === "apiKey") return "pulumi config set --secret datadog:apiKey <your 32-character API key>";
    if (key === "appKey") return "pulumi config set --secret datadog:appKey <your 40-character application key>";
    if (key === "apiUrl") return "pulumi config set datadog:apiUrl https://api.<site>/ (or pulumi config rm datadog:apiUrl)";
    if (key === "hostTags") return "pulumi config set --path 'hostTags[0]' team:se";
    return `pulumi config set ${key} ${PLACEHOLDERS[key] ?? String(declaredDefault(key))}`;
}

/** Every key the program reads, by short name. */
export const CONFIG_KEYS: readonly string[] = Object.freeze(["apiKey", "appKey", "apiUrl", ...Object.keys(DECLARED_KEYS)]);

function fullKey(key: string): string {
    return FULL_KEY[key] ?? `${PROJECT}:${key}`;
}

function showValue(key: string, value: unknown): string {
    if (value === undefined) return "(not set)";
    if (SECRET_KEYS.has(key)) return `[secret, ${String(value).length} characters]`;
    return JSON.stringify(value);
}

function formatIssue(raw: RawConfig, input: RawConfig, issue: z.core.$ZodIssue): string {
    const key = String(issue.path[0] ?? "?");
    const isDefault = raw[key] === undefined && input[key] !== undefined;
    let value: unknown = input[key];
    let shownKey = fullKey(key);
    if (issue.path.length > 1) {
        shownKey += issue.path.slice(1).map((p) => `[${String(p)}]`).join("");
        value = issue.path.slice(1).reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey], value);
    }
    const message = value === undefined ? `is required but not set; it ${issue.message}` : issue.message;
    const shown = showValue(key, value) + (isDefault ? ` (${DERIVED_DEFAULTS[key] ?? "default"})` : "");
    return `${shownKey} = ${shown}: ${message}. Fix: ${fixCommand(key)}`;
}

/** How the defaults that are not in Pulumi.yaml are made, as shown in problems. */
const DERIVED_DEFAULTS: Readonly<Record<string, string>> = {
    env: "default: the stack name",
    hostname: "default: <env>-exercise-host, '_' as '-'",
};

/** The hostname a stack gets when it sets none: <env>-exercise-host, '_' (valid in an env, not in a hostname) as '-'. */
export function defaultHostname(env: string): string {
    return `${env.replace(/_/g, "-")}-exercise-host`;
}

/** How a stack's raw config values are read; tests substitute their own. */
export interface ConfigSource {
    readonly stack: string;
    /** The raw string value of `namespace:key`, or undefined. */
    get(fullKey: string): string | undefined;
    /** True when the stack stores that key encrypted (`pulumi config set --secret`); undefined when unknown. */
    isSecret(fullKey: string): boolean | undefined;
}

/** Where the CLI lists the config keys it holds encrypted, for the language host. */
const SECRET_KEYS_ENV = "PULUMI_CONFIG_SECRET_KEYS";

/**
 * Reads from the running Pulumi program's config. Whether a key is stored encrypted comes from the
 * SDK's (internal) isConfigSecret; it is only trusted when the CLI passed its list of secret keys,
 * so an older CLI that passes none never gets a false "plain text" error.
 */
export function pulumiConfigSource(): ConfigSource {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    const secretKeysKnown = (process.env[SECRET_KEYS_ENV] ?? "") !== "" && runtime.isConfigSecret !== undefined;
    return {
        stack: pulumi.getStack(),
        get: (k) => pulumi.runtime.getConfig(k),
        isSecret: (k) => (secretKeysKnown ? runtime.isConfigSecret?.(k) : undefined),
    };
}

function readRaw(source: ConfigSource): { raw: RawConfig; problems: string[] } {
    const problems: string[] = [];
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const value = source.get(fullKey(key));
        if (value === undefined || value === "") continue;
        if (key === "hostTags") {
            try {
                raw[key] = JSON.parse(value);
            } catch {
                raw[key] = value; // the schema reports it as not-a-list
            }
        } else {
            raw[key] = value;
        }
    }
    for (const key of SECRET_KEYS) {
        if (raw[key] !== undefined && source.isSecret(fullKey(key)) === false) {
            problems.push(
                `${fullKey(key)} = [plain text]: must be stored encrypted, it is a credential. Fix: ${fixCommand(key)}`,
            );
        }
    }
    return { raw, problems };
}

/**
 * Reads and validates the whole stack config. Throws ConfigError listing every problem.
 * Defaults: env = stack name, hostname = defaultHostname(env), the rest from Pulumi.yaml.
 */
export function loadStackConfig(source: ConfigSource = pulumiConfigSource()): StackConfig {
    const { raw, problems } = readRaw(source);
    const env = typeof raw.env === "string" ? raw.env : source.stack;
    const defaults = Object.fromEntries(
        // "" is how Pulumi.yaml says "no default" for a key the CLI must not require by itself.
        Object.entries(DECLARED_KEYS).filter(([, d]) => d.default !== undefined && d.default !== "").map(([k, d]) => [k, d.default]),
    );
    const input: RawConfig = {
        ...defaults,
        env,
        hostname: defaultHostname(env),
        ...raw,
    };
    const parsed = schema.safeParse(input);
    const issues = [...(parsed.success ? [] : parsed.error.issues), ...crossKeyProblems(input)].filter(
        // A hostname derived from a bad env is the same problem: report the env only.
        (issue, _, all) => !(issue.path[0] === "hostname" && raw.hostname === undefined && all.some((i) => i.path[0] === "env")),
    );
    problems.push(...issues.map((issue) => formatIssue(raw, input, issue)));
    if (problems.length > 0 || !parsed.success) {
        throw new ConfigError(problems, source.stack);
    }
    const c = parsed.data;
    return deepFreeze({
        project: PROJECT,
        stack: source.stack,
        datadog: {
            apiKey: pulumi.secret(c.apiKey),
            appKey: pulumi.secret(c.appKey),
            site: c.site,
            apiUrl: c.apiUrl ?? `https://api.${c.site}/`,
            appUrl: DATADOG_SITES[c.site],
        },
        env: c.env,
        hostname: c.hostname,
        hostTags: c.hostTags,
        service: c.service,
        appVersion: c.appVersion,
        checkIntervalSeconds: c.checkIntervalSeconds,
        monitor: {
            warningThreshold: c.warningThreshold,
            criticalThreshold: c.criticalThreshold,
            evaluationWindowMinutes: c.evaluationWindowMinutes,
            noDataMinutes: c.noDataMinutes,
            timeAggregation: c.monitorTimeAggregation,
            notifyEmail: c.notifyEmail,
        },
        timezone: c.timezone,
        downtimeStartDate: c.downtimeStartDate,
        appPort: c.appPort,
        postgresHostPort: c.postgresHostPort === 0 ? undefined : c.postgresHostPort,
        agentImage: c.agentImage,
        postgresImage: c.postgresImage,
    });
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !pulumi.Output.isInstance(o)) {
        for (const v of Object.values(o as object)) deepFreeze(v);
        Object.freeze(o);
    }
    return o;
}
