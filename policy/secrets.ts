// No key, password or token in plain text: an input whose name says so must be a Pulumi secret, so
// that it is encrypted in the state and masked in every output. Docker's name=value inputs count
// by their name: an env entry (DD_API_KEY=...), a label, an uploaded file.
import { Path, arr, obj, str } from "./inputs";
import { Rule } from "./rule";

/** A name that says key, password or token: DD_API_KEY, apiKey, PGPASSWORD, DD_AUTH_TOKEN (not a bare "key"). */
export function secretName(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
    return words.some((w) => /password|passwd|token/.test(w)) || (words.length > 1 && words[words.length - 1] === "key");
}

/** Values that only refer to a secret kept elsewhere: an Autodiscovery %%env_X%% or a secrets backend ENC[...] handle. */
const REFERENCE = /^(%%env_\w+%%|ENC\[[^\]]+\])$/;

export const secretsMarked: Rule = {
    name: "secrets-marked-secret",
    description: "An input whose name says key, password or token (an env entry, label or upload by its name too) is a Pulumi secret, never plain text.",
    enforcementLevel: "mandatory",
    types: "*",
    check(r, report) {
        const plain: string[] = [];
        const check = (name: string, value: unknown, path: Path) => {
            if (typeof value !== "string" || value === "" || REFERENCE.test(value)) return;
            if (secretName(name) && !r.isSecret(path)) plain.push(name);
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
