// Benchmark (a script that prints figures, not a test): what the policy pack (policy/) adds to a
// `pulumi preview` of this program. The floor is the same preview of the same stack without the
// pack; runs alternate, so both see the same machine load.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/policy_bench.ts [runs]
import * as os from "os";
import * as path from "path";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";
import { API_KEY, APP_KEY, REPO, Stack, Toolchain, dateInDays, findToolchain } from "../engine/harness";

const RUNS = Number(process.argv[2] ?? 5);
const PACK = path.join(REPO, "policy");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(stack: Stack, args: string[]): Promise<number> {
    const t0 = process.hrtime.bigint();
    await stack.ok("preview", ...args);
    return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const stack = await Stack.create("dev", toolchain as Toolchain);
    const docker = await DockerDaemonStandIn.start(path.join(stack.root, "docker.sock"));
    await stack.configure(
        { "datadog:apiUrl": api.url, "docker:host": docker.host, "datadog-exercise:downtimeStartDate": dateInDays(30) },
        { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
    );
    const variants = { "without the pack (floor)": [], "with --policy-pack policy": ["--policy-pack", PACK] } as Record<string, string[]>;
    const times = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
    const load = os.loadavg()[0];
    await timed(stack, variants["with --policy-pack policy"]); // warm the file cache
    for (let i = 0; i < RUNS; i++) {
        for (const [name, args] of Object.entries(variants)) times.get(name)!.push(await timed(stack, args));
    }
    const [floor, pack] = [...times.values()];
    console.log(`pulumi preview of the dev stack (35 resources), median of ${RUNS} alternating runs, in seconds (load average before: ${load.toFixed(2)}, after: ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores)`);
    for (const [name, xs] of times) console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(2).padStart(6)}   runs: ${xs.map((t) => t.toFixed(2)).join(" ")}`);
    const added = median(pack) - median(floor);
    console.log(`  ${"the pack adds".padEnd(26)} ${added.toFixed(2).padStart(6)}   (x${(median(pack) / median(floor)).toFixed(2)} the floor)`);
    await api.close();
    await docker.close();
    stack.remove();
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
