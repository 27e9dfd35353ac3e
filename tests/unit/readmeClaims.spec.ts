// The README's tables of what the code has: they fail when a rule, a level or a scenario changes
// without the README (docs.spec.ts holds the rest of the README: commands, links, paths, length).
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { SCENARIOS } from "../../components/config/scenario";
import { COMMANDS, OPTIONS } from "../../deploy/cli";
import { RULES } from "../../policy/pack";

const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** The rows of the README table under `## heading`: its cells, header and rule row dropped. */
function table(heading: string): string[][] {
    const section = readme.split(`\n## ${heading}\n`)[1]?.split("\n## ")[0] ?? "";
    const rows = section.split("\n").filter((l) => l.startsWith("|")).slice(2);
    assert.ok(rows.length > 0, `no table under ## ${heading}`);
    return rows.map((r) => r.split("|").slice(1, -1).map((c) => c.trim()));
}

describe("README: its tables match the code", () => {
    it("Guardrails lists every rule of policy/ with its default level, and no other", () => {
        const listed = table("Guardrails").map(([rule, level]) => [rule.replace(/`/g, ""), level]);
        assert.deepEqual(listed, RULES.map((r) => [r.name, r.enforcementLevel]));
    });

    it("Live demo lists every scenario, each once", () => {
        const listed = table("Live demo").map(([name]) => /^`(\w+)`/.exec(name)?.[1]);
        assert.deepEqual([...listed].sort(), [...SCENARIOS].sort());
    });

    it("lists every subcommand of the deploy command, and no other", () => {
        const listed = /`npm run deploy -- \[([^\]]+)\] \[stack\]`/.exec(readme)?.[1].split("|").map((w) => w.split(" ")[0]);
        assert.deepEqual([...(listed ?? [])].sort(), Object.keys(COMMANDS).sort());
    });

    it("names the deploy command's scenario subcommand and --no-policy as the command line has them", () => {
        assert.ok(Object.hasOwn(COMMANDS, "scenario") && readme.includes("npm run deploy -- scenario <name> [stack]"));
        assert.ok(OPTIONS.policy.default === true && readme.includes("`--no-policy`"));
    });

    it("names, for each claim of the Docker side (no drift, several stacks on one host), a test of tests/engine/docker.spec.ts that holds it", () => {
        const spec = fs.readFileSync(path.join(__dirname, "..", "engine", "docker.spec.ts"), "utf8");
        const named = [...readme.matchAll(/\(tests\/engine\/docker\.spec\.ts, "([^"]+)"\)/g)].map((m) => m[1]);
        assert.deepEqual(named, ["no drift after up", "several stacks on one host"]);
        for (const title of named) assert.ok(spec.includes(`"${title}`), `docker.spec.ts has no test or group titled "${title}..."`);
    });
});
