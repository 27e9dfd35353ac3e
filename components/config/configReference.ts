// docs/configuration.md, generated from Pulumi.yaml's config block: `npm run docs` writes it, and a
// unit spec (tests/unit/docs.spec.ts) fails when the file and Pulumi.yaml differ.
import * as fs from "fs";
import * as path from "path";
import { ConfigError, DECLARED_KEYS, loadStackConfig, PROJECT } from "./stackConfig";

export const REFERENCE_FILE = path.join(__dirname, "..", "..", "docs", "configuration.md");

/** The provider's keys: Pulumi.yaml can declare only the project's own, so they are described here. */
export const PROVIDER_KEYS: readonly { key: string; type: string; default: string; description: string }[] = [
    { key: "datadog:apiKey", type: "secret", default: "(required)", description: "Datadog API key (32 hexadecimal characters). Set with `--secret`: a plain-text key is refused." },
    { key: "datadog:appKey", type: "secret", default: "(required)", description: "Datadog application key (40 hexadecimal characters). Set with `--secret`: a plain-text key is refused." },
    { key: "datadog:apiUrl", type: "string", default: "(unset): `https://api.<site>/`", description: "The provider's API endpoint, for a proxy or a private endpoint in front of Datadog. `https://` only, or `http://` on a loopback host." },
];

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
/** Pulumi.yaml's descriptions are plain text: `<env>` must not read as an HTML tag. */
const plain = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const shown = (value: unknown) => (Array.isArray(value) ? JSON.stringify(value) : value === "" ? '""' : String(value));

/** The error a stack with two bad values gets, as the program words it. */
function sampleError(): string {
    const values: Record<string, string> = {
        "datadog:apiKey": "0".repeat(32),
        "datadog:appKey": "0".repeat(40),
        [`${PROJECT}:notifyEmail`]: "you@example.com",
        [`${PROJECT}:downtimeStartDate`]: "2030-01-07",
        [`${PROJECT}:warningThreshold`]: "900",
        [`${PROJECT}:timezone`]: "PST",
    };
    try {
        loadStackConfig({ stack: "dev", get: (k) => values[k], isSecret: () => true });
    } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
    }
    throw new Error("the sample config was accepted");
}

/** The Markdown of docs/configuration.md. */
export function configReference(): string {
    const rows = [
        ...PROVIDER_KEYS.map((k) => [`\`${k.key}\``, k.type, k.default, k.description]),
        ...Object.entries(DECLARED_KEYS).map(([key, d]) => [`\`${key}\``, d.type, `\`${shown(d.default)}\``, plain(d.description)]),
    ];
    return [
        "# Configuration reference",
        "",
        "<!-- Generated from Pulumi.yaml by `npm run docs` (components/config/configReference.ts): edit Pulumi.yaml, then run it. -->",
        "",
        `Set a key with \`pulumi config set <key> <value>\` (the \`${PROJECT}\` namespace), or with`,
        "`npm run deploy` from `DD_API_KEY`, `DD_APP_KEY`, `DD_SITE` and `NOTIFY_EMAIL`. The three `datadog:` keys",
        "belong to the provider. `\"\"` is how Pulumi.yaml says \"no default\": every key declares one, so the",
        "program, not the CLI, reports every missing or bad value at once, before anything is created.",
        "",
        "For example, with `warningThreshold` 900 and `timezone` PST, `pulumi preview` stops with:",
        "",
        "```",
        sampleError(),
        "```",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
        ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
        "",
    ].join("\n");
}

if (require.main === module) {
    fs.writeFileSync(REFERENCE_FILE, configReference());
    console.log(`wrote ${path.relative(process.cwd(), REFERENCE_FILE)} from Pulumi.yaml`);
}
