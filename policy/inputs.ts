// A resource's inputs as the rules read them: plain data, with the paths of the values the program
// marked secret, and the values a preview cannot know yet (an output of a resource not created
// yet) as UNKNOWN, which every rule skips: the same rules run again on `up`, where they are known.
import { Secret } from "@pulumi/policy";

export const UNKNOWN = Symbol("unknown");

// The sentinels @pulumi/policy deserializes unknown values to (its proxy module, which has no typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const SENTINEL_NAMES = ["String", "Number", "Boolean", "Array", "Object", "Asset", "Archive"].map((t) => `unknown${t}Value`);
const UNKNOWN_SENTINELS = new Set<unknown>(SENTINEL_NAMES.map((n) => proxy[n]));
if (UNKNOWN_SENTINELS.has(undefined)) throw new Error(`@pulumi/policy/proxy lacks one of ${SENTINEL_NAMES.join(", ")}`);

/** A path into the inputs: property names and array indexes. */
export type Path = readonly (string | number)[];

export interface Inputs {
    readonly type: string;
    readonly name: string;
    /** Secrets unwrapped, unknown values as UNKNOWN. */
    readonly props: Record<string, unknown>;
    /** True when the value at `path`, or a value that holds it, is a secret. */
    isSecret(path: Path): boolean;
    /** The inputs of the resource's provider (its config: datadog's defaultTags, ...), when the engine sends them. */
    readonly provider?: Inputs;
}

/**
 * Reads the deserialized inputs, in which secrets are Secret objects (index.ts has @pulumi/policy
 * keep them, see keepSecretMarkers) and unknown values are the SDK's sentinel strings.
 */
export function readInputs(type: string, name: string, raw: Record<string, unknown>, provider?: Inputs): Inputs {
    const secrets = new Set<string>();
    const walk = (v: unknown, path: (string | number)[]): unknown => {
        if (v instanceof Secret) {
            secrets.add(path.join("\0"));
            return walk(v.value, path);
        }
        if (UNKNOWN_SENTINELS.has(v)) return UNKNOWN;
        if (Array.isArray(v)) return v.map((e, i) => walk(e, [...path, i]));
        if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
            return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, [...path, k])]));
        }
        return v;
    };
    const props = walk(raw, []) as Record<string, unknown>;
    return {
        type,
        name,
        props,
        isSecret: (path) => path.some((_, i) => secrets.has(path.slice(0, i + 1).join("\0"))),
        provider,
    };
}

/** The value if it is a known string, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** The value if it is a known array, else []. */
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The value if it is a known object, else {}. */
export const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
