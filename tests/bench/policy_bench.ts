// Benchmark (a script that prints figures, not a test): what the policy pack (policy/) adds to a
// `pulumi preview` of this program, as a user runs it (no PULUMI_NODEJS_* variable). The floor is
// the same preview of the same stack without the pack; runs alternate, so both see the same load.
// CPU counts every process: the CLI, the language host, the program, the providers and the pack.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/policy_bench.ts [runs]
import * as path from "path";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";
import { API_KEY, APP_KEY, REPO, Stack, Toolchain, dateInDays, findToolchain } from "../engine/harness";
import { alternate, asUser, load, report, timed } from "./measure";

const RUNS = Number(process.argv[2] ?? 5);
const PACK = path.join(REPO, "policy");

async function main(): Promise<void> {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const stack = await Stack.create("dev", toolchain as Toolchain);
    asUser(stack.env);
    const docker = await DockerDaemonStandIn.start(path.join(stack.root, "docker.sock"));
    await stack.configure(
        { "datadog:apiUrl": api.url, "docker:host": docker.host, "datadog-exercise:downtimeStartDate": dateInDays(30) },
        { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
    );
    const preview = (...args: string[]) => () => timed("pulumi", ["preview", ...args, "--stack", "dev", "--non-interactive"], stack.dir, stack.env);
    const before = load();
    const results = await alternate(
        [
            { name: "floor: pulumi preview of dev, without the pack", run: preview() },
            { name: "pulumi preview of dev --policy-pack policy", run: preview("--policy-pack", PACK) },
        ],
        RUNS,
    );
    report("the policy pack on a preview", results, before);
    await api.close();
    await docker.close();
    stack.remove();
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
