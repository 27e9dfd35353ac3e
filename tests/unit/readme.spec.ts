import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, DECLARED_KEYS } from "../../components/config/stackConfig";

const root = path.join(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** Rows of the README's configuration table: key -> default cell. */
function configTable(): Map<string, string> {
    const rows = new Map<string, string>();
    for (const line of readme.split("\n")) {
        const m = /^\| `([A-Za-z0-9:]+)` \| [a-z]+ \| ([^|]*) \|/.exec(line);
        if (m) rows.set(m[1], m[2].trim());
    }
    return rows;
}

describe("README", () => {
    it("documents every config key, and only those", () => {
        const documented = CONFIG_KEYS.map((k) => (k in DECLARED_KEYS ? k : `datadog:${k}`));
        assert.deepEqual([...configTable().keys()].sort(), documented.sort());
    });

    it("shows the defaults that Pulumi.yaml declares", () => {
        const table = configTable();
        for (const [key, declared] of Object.entries(DECLARED_KEYS)) {
            if (declared.default === undefined) continue;
            const shown = typeof declared.default === "string" ? JSON.stringify(declared.default).replace(/^"(.+)"$/, "$1") : JSON.stringify(declared.default);
            assert.ok(table.get(key)?.startsWith(`\`${shown}\``), `${key}: README shows ${table.get(key)}, Pulumi.yaml ${shown}`);
        }
    });

    it("gives the test command that CI runs", () => {
        const ci = fs.readFileSync(path.join(root, ".ci", "run"), "utf8");
        assert.match(readme, /```bash\nbash tests\/run\.sh\n```/);
        assert.match(ci, /^bash tests\/run\.sh$/m);
    });
});
