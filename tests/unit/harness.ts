// Runs the real program (index.ts) under Pulumi mocks and captures every registered resource.
//
// The program runs once per distinct RunOptions: specs that ask for the same options share the
// run, frozen so that none can change what another reads. Each run sets mocks and config afresh,
// runs index.ts again, waits until every registration has reached the mock monitor, and returns
// the resources with their inputs (secrets unwrapped, and as the engine receives them, secret by
// secret), the stack outputs, resolved, and what the program logged.
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as path from "path";

/**
 * Pulumi gives every promise it makes a stack trace (runtime/debuggable.js, for its report of
 * leaked promises at exit), and Node maps each through the source maps: that was most of the
 * suite's time. Here those promises get none; every other error keeps its whole stack.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable: { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> } = require("@pulumi/pulumi/runtime/debuggable");
const debuggablePromise = debuggable.debuggablePromise;
debuggable.debuggablePromise = (p, ctx) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return debuggablePromise(p, ctx);
    } finally {
        Error.stackTraceLimit = limit;
    }
};

export const PROJECT = "datadog-exercise";
export const API_KEY = "0123456789abcdef0123456789abcdef";
export const APP_KEY = "fedcba9876543210fedcba9876543210fedcba98";
export const MOCK_MONITOR_ID = "4242";
export const MOCK_DASHBOARD_PATH = "/dashboard/abc-def-ghi/datadog-exercise";

/** A complete, valid config for a stack: the keys a user must set, nothing else. */
export function validConfig(): Record<string, string> {
    return {
        "datadog:apiKey": API_KEY,
        "datadog:appKey": APP_KEY,
        [`${PROJECT}:notifyEmail`]: "oncall@example.com",
        // Far ahead, so no run warns that the downtimes' start has passed.
        [`${PROJECT}:downtimeStartDate`]: "2099-12-01",
    };
}

export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** Type tokens of the ancestors, outermost first (from the URN). */
    parentTypes: string[];
    /** Inputs as registered, secrets unwrapped. */
    inputs: Record<string, any>;
    /**
     * Inputs as the engine receives them (the registration request), with Pulumi's secret
     * envelopes in place on each value that is secret: an env entry, not the whole list. (The
     * mock API's own copy lifts a secret inside a list to the whole list, which would hide a
     * plain-text entry beside it.)
     */
    rawInputs: Record<string, any>;
    /** The provider reference ("<urn>::<id>") it was registered with, if any. */
    provider?: string;
    /** URNs of the resources it depends on (explicit dependsOn and inputs' dependencies). */
    dependencies: string[];
}

export interface ProgramRun {
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** What the program threw, if it did. */
    error?: Error;
    /** The one resource of that type and name; throws if absent. */
    get(type: string, name: string): RegisteredResource;
    ofType(type: string): RegisteredResource[];
    /** The values mock RandomPassword results took, to look for them elsewhere. */
    passwords: string[];
    /** The messages the program logged, by severity. */
    logs: { info: string[]; warn: string[] };
}

export interface RunOptions {
    stack?: string;
    /** Keys to add or override; undefined removes a key. */
    config?: Record<string, string | undefined>;
    /** Keys the stack stores encrypted; default the two Datadog keys; null: the CLI passes no list. */
    secretKeys?: string[] | null;
    /** Moves the program's clock (new Date() and Date.now()) by this many milliseconds. */
    clockOffsetMs?: number;
}

export function isSecretEnvelope(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

export function unwrapSecrets(v: unknown): any {
    if (isSecretEnvelope(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}

/** Strings found in `v` that are NOT inside a secret envelope. */
export function plainStrings(v: unknown, out: string[] = []): string[] {
    if (isSecretEnvelope(v)) return out;
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => plainStrings(x, out));
    return out;
}

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: `pw-${name}-Zq8Xw3Lk` };
        case "docker:index/remoteImage:RemoteImage":
            return { ...inputs, imageId: `sha256:${name}` };
        case "docker:index/image:Image":
            return { ...inputs, repoDigest: `sha256:built-${name}` };
        case "datadog:index/dashboard:Dashboard":
            return { ...inputs, url: MOCK_DASHBOARD_PATH };
        default:
            return inputs;
    }
}

function parseUrn(urn: string): { types: string[]; name: string } {
    const [, , , , typeChain, name] = urn.split("::").flatMap((p, i) => (i === 0 ? p.split(":").slice(0, 3) : [p]));
    return { types: typeChain.split("$"), name };
}

/** index.ts runs the program when it loads; components/ only define classes and stay loaded. */
function forgetProgram(): void {
    delete require.cache[path.resolve(__dirname, "..", "..", "index.ts")];
}

const runs = new Map<string, Promise<ProgramRun>>();

/** The program's run with these options: run on first use, then shared. */
export function runProgram(opts: RunOptions = {}): Promise<ProgramRun> {
    const key = JSON.stringify({
        stack: opts.stack ?? "dev",
        config: Object.entries(opts.config ?? {}).sort(([a], [b]) => a.localeCompare(b)),
        secretKeys: opts.secretKeys === undefined ? "default" : opts.secretKeys,
        clockOffsetMs: opts.clockOffsetMs ?? 0,
    });
    let run = runs.get(key);
    if (!run) {
        run = execute(opts);
        runs.set(key, run);
    }
    return run;
}

function deepFreeze<T>(v: T): T {
    if (v && typeof v === "object" && !Object.isFrozen(v)) {
        Object.freeze(v);
        Object.values(v).forEach(deepFreeze);
    }
    return v;
}

/** Runs `body` with new Date() and Date.now() moved by `offsetMs`. */
async function withClockShift<T>(offsetMs: number, body: () => Promise<T>): Promise<T> {
    if (offsetMs === 0) return body();
    const RealDate = Date;
    const shifted = class extends RealDate {
        constructor(...args: any[]) {
            if (args.length === 0) super(RealDate.now() + offsetMs);
            else super(...(args as [number]));
        }
        static now(): number {
            return RealDate.now() + offsetMs;
        }
    };
    globalThis.Date = shifted as DateConstructor;
    try {
        return await body();
    } finally {
        globalThis.Date = RealDate;
    }
}

/**
 * Runs `program` (in place of index.ts) under the same mocks, uncached: for a spec that builds one
 * component from inputs the program never gives it (e.g. to take away every dependency but one).
 */
export function runComponents(program: () => Record<string, unknown>, opts: RunOptions = {}): Promise<ProgramRun> {
    return execute(opts, program);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runIndex = (): Record<string, unknown> => require("../../index");

async function execute(opts: RunOptions, program: () => Record<string, unknown> = runIndex): Promise<ProgramRun> {
    const stack = opts.stack ?? "dev";
    const captured = new Map<string, { type: string; name: string; inputs: Record<string, any>; provider?: string }>();
    const passwords: string[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const state = mockState(args.type, args.name, unwrapSecrets(args.inputs));
                if (args.type === "random:index/randomPassword:RandomPassword") passwords.push(state.result);
                captured.set(`${args.type}::${args.name}`, { type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
                const id = args.type === "datadog:index/monitor:Monitor" ? MOCK_MONITOR_ID : `${args.name}-id`;
                return { id, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        PROJECT,
        stack,
        false,
    );
    // The mock API hands newResource no dependencies, and secrets lifted to whole properties:
    // read both off the registration requests, as the engine would.
    const requests = new Map<string, { dependencies: string[]; wireInputs: Record<string, any> }>();
    const mockMonitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(
            req: { getType(): string; getName(): string; getDependenciesList(): string[]; getObject(): { toJavaScript(): Record<string, any> } | undefined },
            cb: unknown,
        ): unknown;
    };
    const register = mockMonitor.registerResource.bind(mockMonitor);
    mockMonitor.registerResource = (req, cb) => {
        requests.set(`${req.getType()}::${req.getName()}`, { dependencies: req.getDependenciesList(), wireInputs: req.getObject()?.toJavaScript() ?? {} });
        return register(req, cb);
    };

    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...validConfig(), ...opts.config })) if (v !== undefined) config[k] = v;
    const secretKeys = opts.secretKeys ?? ["datadog:apiKey", "datadog:appKey"];
    pulumi.runtime.setAllConfig(config, secretKeys);
    // As the CLI does for the language host: the list of keys it holds encrypted.
    if (opts.secretKeys === null) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
    else process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);

    forgetProgram();
    let exported: Record<string, unknown> = {};
    let error: Error | undefined;
    const logs = { info: [] as string[], warn: [] as string[] };
    const { info, warn } = pulumi.log;
    pulumi.log.info = async (message: string) => void logs.info.push(message);
    pulumi.log.warn = async (message: string) => void logs.warn.push(message);
    let outputs: Record<string, unknown>;
    try {
        outputs = await withClockShift(opts.clockOffsetMs ?? 0, async () => {
            try {
                exported = program();
            } catch (e) {
                error = e as Error;
            }
            const resolved = (await resolve(pulumi.output(exported))) as Record<string, unknown>;
            await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
            return resolved;
        });
    } finally {
        Object.assign(pulumi.log, { info, warn });
    }

    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const resources: RegisteredResource[] = [];
    for (const urn of monitor.getRegisteredResources().keys()) {
        const { types, name } = parseUrn(urn);
        const type = types[types.length - 1];
        const c = captured.get(`${type}::${name}`);
        const request = requests.get(`${type}::${name}`);
        if (!c || !request) continue;
        resources.push({
            type,
            name,
            urn,
            parentTypes: types.slice(0, -1),
            rawInputs: request.wireInputs,
            inputs: unwrapSecrets(c.inputs),
            provider: c.provider,
            dependencies: request.dependencies,
        });
    }

    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
        resources: deepFreeze(resources),
        outputs: deepFreeze(outputs),
        error,
        passwords: deepFreeze(passwords),
        logs: deepFreeze(logs),
        ofType,
        get(type: string, name: string) {
            const found = resources.find((r) => r.type === type && r.name === name);
            if (!found) {
                throw new Error(`no ${type} named ${name}; have: ${ofType(type).map((r) => r.name).join(", ") || "none"}`);
            }
            return found;
        },
    };
}

export function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((res) => o.apply((v) => res(v)));
}

/** The names of the env entries ("K=V") that are secret Outputs, in order. */
export async function secretEntries(envs: pulumi.Input<string>[]): Promise<string[]> {
    const names: string[] = [];
    for (const e of envs) {
        const o = pulumi.output(e);
        if (await pulumi.isSecret(o)) names.push((await resolve(o)).split("=")[0]);
    }
    return names;
}

/** The names of the registered env entries ("K=V") that are secret, in order. */
export function registeredSecretEntries(rawEnvs: unknown[]): string[] {
    return rawEnvs.filter(isSecretEnvelope).map((e) => String(e.value).split("=")[0]);
}

/** Docker env list ("K=V") as a map. */
export function envMap(envs: string[]): Record<string, string> {
    return Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** Docker labels ([{label, value}]) as a map. */
export function labelMap(labels: { label: string; value: string }[]): Record<string, string> {
    return Object.fromEntries(labels.map((l) => [l.label, l.value]));
}

export const T = {
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    image: "docker:index/image:Image",
    password: "random:index/randomPassword:RandomPassword",
    dashboard: "datadog:index/dashboard:Dashboard",
    monitor: "datadog:index/monitor:Monitor",
    downtime: "datadog:index/downtimeSchedule:DowntimeSchedule",
    slo: "datadog:index/serviceLevelObjective:ServiceLevelObjective",
    datadogProvider: "pulumi:providers:datadog",
} as const;
