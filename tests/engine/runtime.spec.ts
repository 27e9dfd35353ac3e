// How the CLI runs the program: Pulumi.yaml's runtime options (typescript: false, nodeargs
// --require tsx/cjs) make preview and up transpile it without a type-check, for `pulumi preview`
// and `npm run deploy` alike (the Automation API runs the same project file). `npm test` type-checks.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { REPO, Stack, Toolchain, findToolchain } from "./harness";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;

describeEngine("the program's runtime options", function () {
    this.timeout(180_000);

    it("preview runs a program with a type error: the runtime transpiles, tsc --noEmit is the check", async () => {
        const runtime = parseYaml(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")).runtime;
        const stack = await Stack.create("typo", toolchain as Toolchain, {}, {
            "Pulumi.yaml": toYaml({ name: "typo", runtime }),
            // A type error (a string where a number is declared) that changes no value.
            "index.ts": 'import * as random from "@pulumi/random";\n\nexport const label: number = "two";\nexport const pet = new random.RandomPet("pet").id;\n',
            "package.json": JSON.stringify({ name: "typo", main: "index.ts" }),
            "tsconfig.json": fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8"),
        });
        try {
            const r = await stack.run("preview");
            assert.strictEqual(r.code, 0, `${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
            assert.match(r.stdout, /\+ 2 to create/);
        } finally {
            stack.remove();
        }
    });
});
