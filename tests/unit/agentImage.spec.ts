// The Agent image's default (Pulumi.yaml's agentImage, which both platforms run) and every Agent
// version the README and docs name: they move together (docs/configuration.md says how to find
// Datadog's current one).
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { DECLARED_KEYS } from "../../components/config/stackConfig";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("the Agent image's default", () => {
    const image = String(DECLARED_KEYS.agentImage?.default);

    it("is a pinned Agent 7.x.y from Datadog's registry, 7.84.6 or later", () => {
        const m = /^gcr\.io\/datadoghq\/agent:7\.(\d+)\.(\d+)$/.exec(image);
        assert.ok(m, image);
        assert.ok(Number(m[1]) > 84 || (Number(m[1]) === 84 && Number(m[2]) >= 6), `${image} is older than the Helm chart's default, 7.84.6`);
    });

    it("is the only Agent version the README and docs name, and docs/configuration.md says how to find the current one", () => {
        const named = DOCS.flatMap((f) =>
            [...fs.readFileSync(path.join(ROOT, f), "utf8").matchAll(/\b(?:datadoghq|datadog)\/agent:(7\.\d+\.\d+)/g)].map((m) => `${f}: ${m[1]}`),
        );
        assert.ok(named.includes(`docs/configuration.md: ${image.split(":")[1]}`), named.join("\n"));
        assert.deepEqual(named.filter((n) => !n.endsWith(`: ${image.split(":")[1]}`)), []);
        assert.match(fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8"), /agents\.image\.tag in `helm show values datadog\/datadog`/);
    });
});
