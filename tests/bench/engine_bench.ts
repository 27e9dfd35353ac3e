// Benchmark (a script that prints figures, not a test): the wall time of `pulumi preview` for this
// program against the floor, a one-resource `random` program on the same toolchain and settings,
// side by side (runs alternate), with the program transpiled three ways: by swc (what the engine
// tests use), by ts-node without its type-check, and by ts-node with it (ts-node's default, what a
// user gets); then the engine suite's wall time.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/engine_bench.ts [runs]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";
import { API_KEY, APP_KEY, REPO, Stack, Toolchain, dateInDays, findToolchain } from "../engine/harness";

const RUNS = Number(process.argv[2] ?? 5);

const FLOOR = {
    "Pulumi.yaml": "name: floor\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    "index.ts": 'import * as random from "@pulumi/random";\n\nexport const pet = new random.RandomPet("pet").id;\n',
    "package.json": '{ "name": "floor", "main": "index.ts" }\n',
    "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", types: ["node"] }, files: ["index.ts"] }),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Mode = "swc" | "ts-node transpile-only" | "ts-node type-check";
const MODES: Mode[] = ["swc", "ts-node transpile-only", "ts-node type-check"];

/** One `pulumi preview`, in seconds, with the program transpiled the given way. */
async function timed(stack: Stack, mode: Mode): Promise<number> {
    stack.env.PULUMI_NODEJS_TRANSPILE_ONLY = mode === "ts-node type-check" ? "false" : "true";
    if (mode === "swc") {
        fs.writeFileSync(path.join(stack.dir, "tsconfig.swc.json"), JSON.stringify({ extends: "./tsconfig.json", "ts-node": { swc: true } }));
        stack.env.PULUMI_NODEJS_TSCONFIG_PATH = "tsconfig.swc.json";
    } else {
        delete stack.env.PULUMI_NODEJS_TSCONFIG_PATH;
    }
    const t0 = process.hrtime.bigint();
    await stack.ok("preview");
    return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const program = await Stack.create("dev", toolchain as Toolchain);
    const docker = await DockerDaemonStandIn.start(path.join(program.root, "docker.sock"));
    await program.configure(
        { "datadog:apiUrl": api.url, "docker:host": docker.host, "datadog-exercise:downtimeStartDate": dateInDays(30) },
        { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
    );
    const floor = await Stack.create("floor", toolchain as Toolchain, {}, FLOOR);
    const times = new Map<string, number[]>();
    const key = (stack: Stack, mode: Mode) => `${stack === floor ? "floor" : "program"} ${mode}`;
    await timed(floor, "swc"); // warm the file cache
    await timed(program, "swc");
    for (let i = 0; i < RUNS; i++) {
        for (const mode of MODES) {
            for (const stack of [floor, program]) {
                const t = await timed(stack, mode);
                times.set(key(stack, mode), [...(times.get(key(stack, mode)) ?? []), t]);
            }
        }
    }
    console.log(`pulumi preview, median of ${RUNS} alternating runs, in seconds (load average before: ${os.loadavg()[0].toFixed(2)})`);
    console.log(`  ${"program transpiled by".padEnd(24)} ${"floor".padStart(6)} ${"program".padStart(8)}  ratio   runs (floor | program)`);
    for (const mode of MODES) {
        const [f, p] = [times.get(key(floor, mode))!, times.get(key(program, mode))!];
        const fmt = (xs: number[]) => xs.map((t) => t.toFixed(2)).join(" ");
        console.log(
            `  ${mode.padEnd(24)} ${median(f).toFixed(2).padStart(6)} ${median(p).toFixed(2).padStart(8)}  x${(median(p) / median(f)).toFixed(2)}   ${fmt(f)} | ${fmt(p)}`,
        );
    }
    await api.close();
    await docker.close();
    program.remove();
    floor.remove();

    const t0 = process.hrtime.bigint();
    const suite = spawnSync("npm", ["run", "--silent", "test:engine"], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`engine suite (npm run test:engine): ${seconds.toFixed(1)} s, exit ${suite.status}`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
