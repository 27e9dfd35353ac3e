// Benchmark (a script that prints figures, not a test): `pulumi preview` of the dev stack, as a
// user runs it (the project's Pulumi.yaml and tsconfig.json, no PULUMI_NODEJS_* variable), against
// the floor: a one-resource `random` program with the same runtime options, the same compiler
// options, the same toolchain and flags. Runs alternate; wall and CPU (the CLI, the language host,
// the program and the providers); then one more run of each, its CPU by process.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/preview_bench.ts [runs]
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";
import { API_KEY, APP_KEY, REPO, Stack, Toolchain, dateInDays, findToolchain } from "../engine/harness";
import { alternate, asUser, load, report, timed } from "./measure";
import { cpuByProcess, cpuLines } from "./processes";

const RUNS = Number(process.argv[2] ?? 5);

/** The floor: one RandomPet, with this project's runtime block and compiler options. */
function floorFiles(): Record<string, string> {
    const project = parseYaml(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
    const tsconfig = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8"));
    return {
        "Pulumi.yaml": toYaml({ name: "floor", runtime: project.runtime }),
        "index.ts": 'import * as random from "@pulumi/random";\n\nexport const pet = new random.RandomPet("pet").id;\n',
        "package.json": JSON.stringify({ name: "floor", main: "index.ts" }),
        "tsconfig.json": JSON.stringify({ compilerOptions: tsconfig.compilerOptions, files: ["index.ts"] }),
    };
}

async function main(): Promise<void> {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const dev = await Stack.create("dev", toolchain as Toolchain);
    asUser(dev.env);
    const docker = await DockerDaemonStandIn.start(path.join(dev.root, "docker.sock"));
    await dev.configure(
        { "datadog:apiUrl": api.url, "docker:host": docker.host, "datadog-exercise:downtimeStartDate": dateInDays(30) },
        { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
    );
    const floor = await Stack.create("floor", toolchain as Toolchain, {}, floorFiles());
    asUser(floor.env);
    const preview = (s: Stack) => () => timed("pulumi", ["preview", "--stack", s.name, "--non-interactive"], s.dir, s.env);
    const before = load();
    const results = await alternate(
        [
            { name: "floor: preview of a one-resource random program", run: preview(floor) },
            { name: "pulumi preview of dev (35 resources)", run: preview(dev) },
        ],
        RUNS,
    );
    report("pulumi preview as a user runs it", results, before);
    // Where the CPU goes: one more run of each, sampled by process.
    for (const s of [floor, dev]) {
        const r = await cpuByProcess("pulumi", ["preview", "--stack", s.name, "--non-interactive"], s.dir, s.env);
        console.log(`  CPU by process, one preview of ${s.name} (exit ${r.code}):\n${cpuLines(r.cpu).map((l) => `    ${l}`).join("\n")}`);
    }
    await api.close();
    await docker.close();
    dev.remove();
    floor.remove();
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
