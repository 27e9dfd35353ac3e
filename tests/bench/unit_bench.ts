// Benchmark (a script that prints figures, not a test): the unit suite (mocha, as `npm run
// test:unit` runs it) against the floor: node with the same TypeScript loader (tsx) loading the
// Pulumi packages the program depends on, and nothing else. Runs alternate.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/unit_bench.ts [runs]
import * as fs from "fs";
import * as path from "path";
import { REPO } from "../engine/harness";
import { alternate, load, report, timed } from "./measure";

const RUNS = Number(process.argv[2] ?? 5);

async function main(): Promise<void> {
    const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).dependencies);
    const pulumi = deps.filter((d) => d.startsWith("@pulumi/"));
    const bin = path.join(REPO, "node_modules", ".bin");
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    const before = load();
    const results = await alternate(
        [
            { name: `floor: node --require tsx/cjs, loading ${pulumi.join(", ")}`, run: () => timed("node", ["--require", "tsx/cjs", "-e", pulumi.map((p) => `require("${p}");`).join("")], REPO, env) },
            { name: "the unit suite: mocha", run: () => timed("mocha", ["--reporter", "dot"], REPO, env) },
        ],
        RUNS,
    );
    report("the unit suite", results, before);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
