// No key, password or token in plain text: an input whose name holds one must be a Pulumi secret, so
// that it is encrypted in the state and masked in every output. Docker's name=value inputs count
// by their name: an env entry (DD_API_KEY=...), a label, an uploaded file.
import { Path, arr, obj, str } from "./inputs";
import { Rule } from "./rule";

/**
 * Names that the words below flag but that hold no secret, each with where it comes from. The
 * README's Guardrails section and docs/guardrails.md list them; a new false alarm goes here.
 */
export const KNOWN_NOT_SECRET: Readonly<Record<string, string>> = {
    tagKey: "a tag's name: MonitorConfigPolicy's tagPolicy, cost budgets' tag filters, split graphs",
    resourceKey: "the identifier of the Datadog resource a monitor's assets[] entry represents",
};

/** Types whose `*Key` inputs name where a secret is kept, not the secret (Datadog's docs say so for each). */
export const KEY_NAMES_A_REFERENCE: Readonly<Record<string, string>> = {
    "datadog:index/observabilityPipeline:ObservabilityPipeline": "the name of the environment variable or secret that holds the value (apiKeyKey, passwordKey, ...)",
};

/**
 * A name that holds a key, password or token: its last word says so (DD_API_KEY, apiKey, PGPASSWORD,
 * DD_AUTH_TOKEN), not a bare "key". A name that merely contains one says what it holds by its
 * last word: accessTokenUrl is a URL, POSTGRES_PASSWORD_FILE and DD_API_KEY_FILE are paths (Docker's
 * `*_FILE` convention for a secret in a file).
 */
export function secretName(name: string, type = ""): boolean {
    if (Object.hasOwn(KNOWN_NOT_SECRET, name)) return false;
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
    const last = words[words.length - 1] ?? "";
    if (last === "key") return words.length > 1 && !Object.hasOwn(KEY_NAMES_A_REFERENCE, type);
    return /(password|passwd|token|tokens)$/.test(last) || /^(api|app)key$/.test(last);
}

/** Values that only refer to a secret kept elsewhere: an Autodiscovery %%env_X%% or a secrets backend ENC[...] handle. */
const REFERENCE = /^(%%env_\w+%%|ENC\[[^\]]+\])$/;

export const secretsMarked: Rule = {
    name: "secrets-marked-secret",
    description: "An input whose name holds a key, password or token (an env entry, label or upload by its name too) is a Pulumi secret, never plain text.",
    enforcementLevel: "mandatory",
    types: "*",
    check(r, report) {
        const plain: string[] = [];
        const check = (name: string, value: unknown, path: Path) => {
            if (typeof value !== "string" || value === "" || REFERENCE.test(value)) return;
            if (secretName(name, r.type) && !r.isSecret(path)) plain.push(name);
        };
        const walk = (v: unknown, path: (string | number)[]): void => {
            if (Array.isArray(v)) v.forEach((e, i) => walk(e, [...path, i]));
            else if (v !== null && typeof v === "object") {
                for (const [k, e] of Object.entries(v)) {
                    check(k, e, [...path, k]);
                    walk(e, [...path, k]);
                }
            }
        };
        walk(r.props, []);
        if (r.type === "docker:index/container:Container") {
            arr(r.props.envs).forEach((e, i) => {
                const entry = str(e);
                if (entry?.includes("=")) check(entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1), ["envs", i]);
            });
            arr(r.props.labels).forEach((l, i) => check(str(obj(l).label) ?? "", obj(l).value, ["labels", i, "value"]));
            arr(r.props.uploads).forEach((u, i) => {
                const file = str(obj(u).file) ?? "";
                const base = file.slice(file.lastIndexOf("/") + 1);
                for (const input of ["content", "contentBase64"]) check(base, obj(u)[input], ["uploads", i, input]);
            });
        }
        for (const name of [...new Set(plain)]) {
            report(`${r.name}: ${name} is in plain text (in the state, the diff and the logs). Pass it as a secret: pulumi config set --secret, or pulumi.secret(...).`);
        }
    },
};
