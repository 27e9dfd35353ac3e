// The one place where stack config is read and checked.
//
// loadStackConfig() reads every key once, validates them all with one zod schema (cross-key rules
// included) and returns a frozen, typed StackConfig. Components never read pulumi.Config: index.ts
// passes them the parts they need. A bad or missing value throws one ConfigError that lists every
// problem (key, value, what is allowed, how to fix it) before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { isIP } from "net";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PLATFORM_FIXES, buildPlatform, platformRules, platformShape } from "./platform";
import { apiKeyRule, appKeyRule, DATADOG_SITES, PROJECT } from "./keys";
import { recoveryThresholds, SCENARIO_KEYS, scenarioConfig, scenarioProblems } from "./scenario";

export { apiKeyRule, appKeyRule, DATADOG_SITES, PROJECT } from "./keys";

/** The project's keys, their types, defaults and descriptions: Pulumi.yaml is the only source. */
export const DECLARED_KEYS: Readonly<Record<string, { type: string; default?: unknown; description: string }>> = Object.freeze(
    parseYaml(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")).config,
);

/** my_metric is a random integer in 0..1000 (container-src/agent/checks.d/custom_my_metric.py). */
export const MY_METRIC_MAX = 1000;
/**
 * The Agent's scheduler refuses an interval under 1 s (datadog-agent pkg/collector/scheduler:
 * minAllowedInterval); 15 s is only its default when a check sets none.
 */
export const MIN_CHECK_INTERVAL_SECONDS = 1;

/**
 * Thrown when the stack config is invalid; its message lists every problem. A RunError: Pulumi
 * prints its message alone, with no stack trace and no "unhandled exception" around it.
 */
export class ConfigError extends pulumi.RunError {
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
// formatIssue().

/**
 * env, service and appVersion become Kubernetes label values (tags.datadoghq.com/env|service|version)
 * and Docker labels: at most 63 characters, alphanumeric at both ends, '-', '_' and '.' inside.
 * env and service also start with a lowercase letter and stay within 50 characters (Docker names, Datadog tags).
 */
const ENV_RE = /^[a-z](?:[a-z0-9_.-]{0,48}[a-z0-9])?$/;
const VERSION_RE = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,48}[A-Za-z0-9])?$/;
const LABEL_HELP = "end with a letter or digit: it becomes a Kubernetes label value (tags.datadoghq.com/...) and a Docker label";
const HOST_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME_RE = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const TAG_RE = /^[a-z][a-z0-9_./-]*:[a-z0-9_./:-]+$/;
/**
 * The official postgres image, or a registry path ending in /postgres (a mirror of it: its entrypoint
 * runs the init script), with a version tag such as 17.6-bookworm; group 1 is the major version.
 */
const POSTGRES_IMAGE_RE = /^(?:[a-z0-9][a-z0-9._:-]*\/)*postgres:(\d+)(?:\.\d+)?(?:-[a-z0-9][a-z0-9.]*)?$/;
/** The init script reads the datadog password with psql's \getenv, new in PostgreSQL 15. */
const MIN_POSTGRES_MAJOR = 15;
/** Datadog's Agent 7 images: gcr.io/datadoghq, Docker Hub datadog/, public ECR, registry.datadoghq.com. */
const AGENT_IMAGE_RE =
    /^(?:(?:(?:eu\.|asia\.)?gcr\.io\/datadoghq)|(?:docker\.io\/)?datadog|public\.ecr\.aws\/datadog|registry\.datadoghq\.com)\/agent:7\.\d+\.\d+(?:-[a-z0-9]+)*$/;
/** Tag keys a host must not carry itself, and why: each names something other keys already set. */
const RESERVED_TAG_KEYS = new Map([
    ["env", "the env key sets it (DD_ENV); another env here would put this host under that env's monitor and downtimes"],
    ["host", "Datadog sets it from the hostname key"],
    ["service", "it is the app's unified service tag (the service key), not a host's"],
    ["version", "it is the app's unified service tag (the appVersion key), not a host's"],
]);
const DATE_HELP = "must be a calendar date YYYY-MM-DD (after today when the downtimes are created or changed: Datadog rejects a past start)";
/** Names the Agent refuses as a hostname (it falls back to another name, so the dashboards' host would not match). */
const LOCAL_HOSTNAMES = new Set(["localhost", "localhost.localdomain", "localhost6.localdomain6", "ip6-localhost"]);
const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const API_URL_HELP = "must be an http(s) URL such as https://api.datadoghq.eu/ (http:// only for a loopback host)";

/**
 * Every zone and link name of the IANA time zone database, as spelled there (the tzdata package
 * is a JSON copy of it). Intl accepts any letter case and renames links (Asia/Kolkata resolves to
 * Asia/Calcutta), so it cannot tell a correct spelling; this list can.
 */
const IANA_ZONES: ReadonlyMap<string, string> = new Map(
    Object.keys((JSON.parse(fs.readFileSync(require.resolve("tzdata"), "utf8")) as { zones: object }).zones).map((n) => [n.toLowerCase(), n]),
);

function isApiUrl(value: string): boolean {
    const url = URL.parse(value);
    return url?.protocol === "https:" || (url?.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname));
}

/** Config values arrive as strings; numeric strings become numbers, the rest is left to fail. */
const numeric = (inner: z.ZodNumber) =>
    z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), inner);

const integer = (what: string, min: number, max: number) => {
    const range = `must be a whole number from ${min} to ${max}`;
    return numeric(z.number({ error: `must be ${what}: a whole number from ${min} to ${max}` }).int(range).min(min, range).max(max, range));
};

const threshold = numeric(
    z
        .number({ error: `must be a whole number from 0 to ${MY_METRIC_MAX} (my_metric's range)` })
        .int(`must be a whole number from 0 to ${MY_METRIC_MAX}: Pulumi.yaml declares it an integer`)
        .min(0, `must not be negative: my_metric's range is 0..${MY_METRIC_MAX}`)
        .max(MY_METRIC_MAX, `must be at most ${MY_METRIC_MAX}: my_metric never goes higher, so the monitor would never fire`),
);


const schema = z
    .object({
        apiKey: apiKeyRule,
        appKey: appKeyRule,
        apiUrl: z.string().refine(isApiUrl, API_URL_HELP).optional(),
        site: z.enum(Object.keys(DATADOG_SITES), { error: `must be one of ${Object.keys(DATADOG_SITES).join(", ")}` }),
        env: z.string().regex(ENV_RE, `must start with a lowercase letter, hold only a-z, 0-9, '_', '.', '-' (at most 50 characters: Docker names and Datadog tags accept nothing else) and ${LABEL_HELP}`),
        hostname: z
            .string()
            .max(253, "must be at most 253 characters")
            .regex(HOSTNAME_RE, "must be a lowercase DNS hostname: labels of a-z, 0-9 and '-', not starting or ending with '-', separated by '.'")
            .refine((h) => !LOCAL_HOSTNAMES.has(h), "must not be a local name such as localhost: the Agent refuses it and reports under another name"),
        hostTags: z.array(
            z
                .string()
                .max(200, "must be at most 200 characters")
                .regex(TAG_RE, "must be a lowercase 'key:value' tag; the key starts with a letter; allowed characters: a-z 0-9 _ . / - (and ':' in the value)")
                .superRefine((tag, ctx) => {
                    const key = tag.split(":")[0];
                    const why = RESERVED_TAG_KEYS.get(key);
                    if (why !== undefined) ctx.addIssue(`must not use the reserved key '${key}': ${why}`);
                }),
            { error: "must be a list of 'key:value' strings, e.g. [\"team:se\", \"purpose:demo\"]" },
        ),
        service: z.string().regex(ENV_RE, `must start with a lowercase letter, hold only a-z, 0-9, '_', '.', '-' (at most 50 characters) and ${LABEL_HELP}`),
        appVersion: z.string().regex(VERSION_RE, `must be a version such as 1.0.0 or 2.4.1-build.7: at most 50 letters, digits, '.', '_', '-' (no '+'), and ${LABEL_HELP}`),
        checkIntervalSeconds: integer("the check interval in seconds", MIN_CHECK_INTERVAL_SECONDS, 3600),
        warningThreshold: threshold,
        criticalThreshold: threshold,
        evaluationWindowMinutes: integer("the evaluation window in minutes", 1, 1440),
        noDataMinutes: integer("the no-data timeframe in minutes", 2, 2880),
        monitorTimeAggregation: z.enum(["avg", "max", "min"], { error: "must be one of avg, max, min" }),
        latencyP95WarningMs: integer("a latency in milliseconds", 1, 60000),
        latencyP95CriticalMs: integer("a latency in milliseconds", 1, 60000),
        // Below 100: the query's "> 100" could never be true.
        errorRateWarningPercent: integer("a percentage of requests", 1, 99),
        errorRateCriticalPercent: integer("a percentage of requests", 1, 99),
        sloTargetPercent: integer("a percentage of requests", 1, 99),
        sloTimeframe: z.enum(["7d", "30d", "90d"], { error: "must be one of 7d, 30d, 90d" }),
        trafficRequestsPerSecond: integer("requests per second", 0, 50),
        notifyEmail: z.email({ error: "must be an e-mail address such as you@example.com" }),
        timezone: z.string().superRefine((tz, ctx) => {
            // Names without a '/' are legacy abbreviations (EST is UTC-5 all year, not New York time), or Factory.
            const spelled = tz.includes("/") || tz === "UTC" ? IANA_ZONES.get(tz.toLowerCase()) : undefined;
            if (/^Etc\/GMT[+-]\d+$/i.test(tz)) ctx.addIssue("is a UTC offset, which ignores daylight saving: name the region's IANA zone, such as Europe/Paris");
            else if (spelled === undefined) ctx.addIssue("must be an IANA time zone such as America/Los_Angeles, Europe/Paris or UTC");
            else if (spelled !== tz) ctx.addIssue(`must be spelled as the IANA database spells it, with its capitals: ${spelled}`);
        }),
        downtimeStartDate: z.iso.date({ error: DATE_HELP }), // a date that exists: 2026-02-30 does not
        appPort: integer("a TCP port", 1, 65535),
        appBindAddress: z.string().refine((ip) => isIP(ip) !== 0, "must be an IPv4 or IPv6 address of the Docker host: 127.0.0.1 (that host only) or 0.0.0.0 (every interface)"),
        postgresHostPort: integer("a TCP port, or 0 for none", 0, 65535),
        agentImage: z.string().regex(AGENT_IMAGE_RE, `must be a Datadog Agent 7 image from one of Datadog's registries, with a version tag, e.g. ${DECLARED_KEYS.agentImage?.default}`),
        postgresImage: z
            .string()
            .refine(
                (image) => Number(POSTGRES_IMAGE_RE.exec(image)?.[1]) >= MIN_POSTGRES_MAJOR,
                `must be the postgres image (or a registry path ending in /postgres) with a version tag of PostgreSQL ${MIN_POSTGRES_MAJOR} or later, e.g. ${DECLARED_KEYS.postgresImage?.default}: the init script needs psql ${MIN_POSTGRES_MAJOR}'s \\getenv`,
            ),
        ...platformShape,
        ...SCENARIO_KEYS,
    })
    // Rules across keys: they run even when other keys are bad (so every problem is listed at once),
    // on the keys they involve that are valid on their own.
    .superRefine(
        (c, ctx) => {
            const valid = (...keys: string[]) => keys.every((k) => !ctx.issues.some((i) => i.path?.[0] === k));
            const add = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
            const twice = 2 * c.evaluationWindowMinutes;
            if (valid("evaluationWindowMinutes", "noDataMinutes") && c.noDataMinutes < twice) {
                add("noDataMinutes", `must be at least twice evaluationWindowMinutes (${twice}), as Datadog advises, or the monitor reports No Data between points`);
            }
            for (const [warning, critical] of [
                ["warningThreshold", "criticalThreshold"],
                ["latencyP95WarningMs", "latencyP95CriticalMs"],
                ["errorRateWarningPercent", "errorRateCriticalPercent"],
            ] as const) {
                if (valid(warning, critical) && c[warning] >= c[critical]) {
                    add(warning, `must be lower than ${critical} (${c[critical]}): Datadog rejects a warning at or above the critical threshold`);
                }
            }
            if (valid("appPort", "postgresHostPort") && c.postgresHostPort === c.appPort) add("postgresHostPort", `must differ from appPort (${c.appPort})`);
            scenarioProblems(c, valid, add);
        },
        { when: () => true },
    )
    .superRefine(platformRules, { when: () => true });

/** Every key the program reads, by short name: the schema's (checked against Pulumi.yaml by a spec). */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(schema.shape));

/** Keys that live in the provider's namespace rather than the project's. */
const PROVIDER_KEYS = new Set(["apiKey", "appKey", "apiUrl"]);
const SECRET_KEYS = ["apiKey", "appKey"];
const fullKey = (key: string) => (PROVIDER_KEYS.has(key) ? `datadog:${key}` : `${PROJECT}:${key}`);

/** What follows `pulumi config set` to fix a key; otherwise the key and its Pulumi.yaml default. */
const FIXES: Readonly<Record<string, string>> = {
    apiKey: "--secret datadog:apiKey <your 32-character API key>",
    appKey: "--secret datadog:appKey <your 40-character application key>",
    apiUrl: "datadog:apiUrl https://api.<site>/ (or pulumi config rm datadog:apiUrl)",
    hostTags: "--path 'hostTags[0]' team:se",
    env: "env dev",
    hostname: "hostname my-exercise-host",
    notifyEmail: "notifyEmail you@example.com",
    downtimeStartDate: "downtimeStartDate <YYYY-MM-DD, a date after today>",
    postgresHostPort: "postgresHostPort 15432",
    ...PLATFORM_FIXES,
    warningRecoveryThreshold: "warningRecoveryThreshold <a whole number below warningThreshold> (or pulumi config rm warningRecoveryThreshold)",
    criticalRecoveryThreshold: "criticalRecoveryThreshold <a whole number below criticalThreshold> (or pulumi config rm criticalRecoveryThreshold)",
};
const fixCommand = (key: string) => `pulumi config set ${FIXES[key] ?? `${key} ${String(DECLARED_KEYS[key]?.default)}`}`;

/** How the defaults that are not in Pulumi.yaml are made, as shown in problems. */
const DERIVED_DEFAULTS: Readonly<Record<string, string>> = {
    env: "default: the stack name",
    hostname: "default: <env>-exercise-host, '_' as '-'",
};

/** One problem: `<key>[<index>] = <value> (<default>): <what is allowed>. Fix: <command>`. */
function formatIssue(raw: Record<string, unknown>, input: Record<string, unknown>, issue: z.core.$ZodIssue): string {
    const key = String(issue.path[0]);
    const value = issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p], input);
    let shown = value === undefined ? "(not set)" : SECRET_KEYS.includes(key) ? `[secret, ${String(value).length} characters]` : JSON.stringify(value);
    if (raw[key] === undefined && value !== undefined) shown += ` (${DERIVED_DEFAULTS[key] ?? "default"})`;
    const message = value === undefined ? `is required but not set; it ${issue.message}` : issue.message;
    const index = issue.path.slice(1).map((p) => `[${String(p)}]`).join("");
    // A bad list entry is fixed in place: `--path 'hostTags[1]'`, not over the good first one.
    const fix = index === "" ? fixCommand(key) : fixCommand(key).replace(`'${key}[0]'`, `'${key}${index}'`);
    return `${fullKey(key)}${index} = ${shown}: ${message}. Fix: ${fix}`;
}

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
    /** An environment variable (DOCKER_HOST); none when absent. */
    env?(name: string): string | undefined;
}

/**
 * The Docker daemon's address when it runs on another machine, else undefined. The docker provider
 * takes it from docker:host, else DOCKER_HOST: unix:// and npipe:// are local, as is tcp:// on loopback.
 */
function remoteDaemon(source: ConfigSource): URL | undefined {
    const url = URL.parse(source.get("docker:host") ?? source.env?.("DOCKER_HOST") ?? "");
    return url && ["tcp:", "ssh:", "http:", "https:"].includes(url.protocol) && !LOOPBACK_HOSTS.test(url.hostname) ? url : undefined;
}

/** The app's URL from where `pulumi up` runs, and the ssh tunnel it needs when it listens on a remote host's loopback. */
function appAccess(bind: string, port: number, daemon: URL | undefined): { appUrl: string; appTunnel: string | undefined } {
    const ip = bind.includes(":") ? `[${bind}]` : bind;
    if (daemon && (bind.startsWith("127.") || bind === "::1")) {
        const login = daemon.protocol === "ssh:" ? `${daemon.username ? `${daemon.username}@` : ""}${daemon.hostname}${daemon.port ? ` -p ${daemon.port}` : ""}` : daemon.hostname;
        return { appUrl: `http://localhost:${port}`, appTunnel: `ssh -N -L ${port}:${ip}:${port} ${login}` };
    }
    const everywhere = bind === "0.0.0.0" || bind === "::";
    const host = everywhere ? (daemon?.hostname ?? "localhost") : !daemon && bind === "127.0.0.1" ? "localhost" : ip;
    return { appUrl: `http://${host}:${port}`, appTunnel: undefined };
}

/**
 * Reads from the running Pulumi program's config. Whether a key is stored encrypted comes from the
 * SDK's (internal) isConfigSecret; it is only trusted when the CLI passed its list of secret keys
 * (PULUMI_CONFIG_SECRET_KEYS), so an older CLI that passes none never gets a false "plain text" error.
 */
export function pulumiConfigSource(): ConfigSource {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    const secretKeysKnown = (process.env.PULUMI_CONFIG_SECRET_KEYS ?? "") !== "" && runtime.isConfigSecret !== undefined;
    return {
        stack: pulumi.getStack(),
        get: (k) => pulumi.runtime.getConfig(k),
        isSecret: (k) => (secretKeysKnown ? runtime.isConfigSecret?.(k) : undefined),
        env: (name) => process.env[name],
    };
}

/** The set values ("" is how Pulumi.yaml says "no default"), hostTags parsed from its JSON list. */
function readRaw(source: ConfigSource): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        const value = source.get(fullKey(key));
        if (value === undefined || value === "") continue;
        try {
            raw[key] = key === "hostTags" ? JSON.parse(value) : value;
        } catch {
            raw[key] = value; // the schema reports it as not-a-list
        }
    }
    return raw;
}

/**
 * Reads and validates the whole stack config. Throws ConfigError listing every problem.
 * Defaults: env = stack name, hostname = defaultHostname(env), the rest from Pulumi.yaml.
 */
export function loadStackConfig(source: ConfigSource = pulumiConfigSource()): StackConfig {
    const raw = readRaw(source);
    const env = typeof raw.env === "string" ? raw.env : source.stack;
    const defaults = Object.fromEntries(Object.entries(DECLARED_KEYS).filter(([, d]) => d.default !== "").map(([k, d]) => [k, d.default]));
    const input: Record<string, unknown> = { ...defaults, env, hostname: defaultHostname(env), ...raw };
    const parsed = schema.safeParse(input);
    const issues = (parsed.error?.issues ?? []).filter(
        // A hostname derived from a bad env is the same problem: report the env only.
        (issue, _, all) => !(issue.path[0] === "hostname" && raw.hostname === undefined && all.some((i) => i.path[0] === "env")),
    );
    const problems = [
        ...SECRET_KEYS.filter((k) => raw[k] !== undefined && source.isSecret(fullKey(k)) === false).map(
            (k) => `${fullKey(k)} = [plain text]: must be stored encrypted, it is a credential. Fix: ${fixCommand(k)}`,
        ),
        ...issues.map((issue) => formatIssue(raw, input, issue)),
    ];
    if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, source.stack);
    return deepFreeze(build(parsed.data, source));
}

/** The typed config from the validated values: the one place its shape is written. */
function build(c: z.output<typeof schema>, source: ConfigSource) {
    return {
        project: PROJECT,
        stack: source.stack,
        datadog: {
            apiKey: pulumi.secret(c.apiKey),
            appKey: pulumi.secret(c.appKey),
            site: c.site,
            /** The provider's API endpoint: datadog:apiUrl when set, else https://api.<site>/. */
            apiUrl: c.apiUrl ?? `https://api.${c.site}/`,
            /** The web app's base URL, for the dashboard and monitor links. */
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
            ...recoveryThresholds(c),
        },
        /** The live demo's scenario (components/config/scenario.ts): what the check and the app send. */
        scenario: scenarioConfig(c),
        /** The app's APM service: its monitors' thresholds, its SLO, and the traffic sent to it. */
        apm: {
            latencyP95WarningMs: c.latencyP95WarningMs,
            latencyP95CriticalMs: c.latencyP95CriticalMs,
            errorRateWarningPercent: c.errorRateWarningPercent,
            errorRateCriticalPercent: c.errorRateCriticalPercent,
            sloTargetPercent: c.sloTargetPercent,
            sloTimeframe: c.sloTimeframe,
        },
        trafficRequestsPerSecond: c.trafficRequestsPerSecond,
        timezone: c.timezone,
        /** The first local date (YYYY-MM-DD) the recurring downtimes apply from: their deterministic anchor. */
        downtimeStartDate: c.downtimeStartDate,
        appPort: c.appPort,
        /** The Docker host's address the app's port is published on (127.0.0.1 by default). */
        appBindAddress: c.appBindAddress,
        /** appUrl: where a user reaches the app from this machine; appTunnel: the ssh command it needs first, if any. */
        ...appAccess(c.appBindAddress, c.appPort, remoteDaemon(source)),
        /** Host port for PostgreSQL, or undefined: not published (the default). */
        postgresHostPort: c.postgresHostPort === 0 ? undefined : c.postgresHostPort,
        agentImage: c.agentImage,
        postgresImage: c.postgresImage,
        ...buildPlatform(c, { kubeconfig: source.get("kubernetes:kubeconfig") || undefined, context: source.get("kubernetes:context") || undefined }),
    };
}

type DeepReadonly<T> = T extends pulumi.Output<unknown> ? T : { readonly [K in keyof T]: DeepReadonly<T[K]> };
/** The validated stack config (frozen at run time too). */
export type StackConfig = DeepReadonly<ReturnType<typeof build>>;
export type DatadogConfig = StackConfig["datadog"];
export type MonitorConfig = StackConfig["monitor"];
export type ApmConfig = StackConfig["apm"];

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !pulumi.Output.isInstance(o)) {
        for (const v of Object.values(o as object)) deepFreeze(v);
        Object.freeze(o);
    }
    return o;
}
