// Benchmark (a script that prints figures, not a test): the deploy command's `up` when nothing has
// changed, against its `preview` of the same stack with the same flags (the floor), runs
// alternating. Both run preflight (the Docker daemon, the keys), the policy pack and the program;
// `up` also takes the lock and writes the checkpoint. Against the engine tests' stand-ins, so the
// up targets the Datadog side, as tests/engine/deploy.spec.ts does: the Docker resources are previewed.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/deploy_up_bench.ts [runs]
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";
import { API_KEY, APP_KEY, Toolchain, copyProject, findToolchain, hermeticEnv } from "../engine/harness";
import { alternate, asUser, load, report, timed } from "./measure";

const RUNS = Number(process.argv[2] ?? 5);
const TARGET = ["--target", "urn:pulumi:dev::datadog-exercise::datadog-exercise:datadog:Observability::datadog", "--target-dependents"];

async function main(): Promise<void> {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-up-bench-"));
    const dir = copyProject(root);
    fs.mkdirSync(path.join(root, "home"));
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const docker = await DockerDaemonStandIn.start(path.join(root, "docker.sock"));
    const stackFile = path.join(dir, "Pulumi.dev.yaml");
    const dev = parseYaml(fs.readFileSync(stackFile, "utf8"));
    dev.config["datadog:apiUrl"] = api.url;
    fs.writeFileSync(stackFile, toYaml(dev));
    const env = asUser(hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DOCKER_HOST: docker.host, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY }));
    const deploy = (command: string) => () => timed("npm", ["run", "-s", "deploy", "--", command, "dev", ...TARGET], dir, env);
    const first = await deploy("up")();
    if (first.code !== 0) throw new Error(`the first up exited ${first.code}\n${first.stdout}\n${first.stderr}`);
    const before = load();
    const results = await alternate(
        [
            { name: "floor: npm run deploy -- preview dev (the same targets)", run: deploy("preview") },
            { name: "npm run deploy -- up dev, nothing to change", run: deploy("up") },
        ],
        RUNS,
    );
    report("the deploy command's up with nothing to change", results, before);
    const changed = results.get("npm run deploy -- up dev, nothing to change")!.filter((t) => !/\b(unchanged|no changes)\b/i.test(t.stdout));
    if (changed.length > 0) console.log(`  WARNING: ${changed.length} up run(s) did not report every resource unchanged:\n${changed[0].stdout.slice(-2000)}`);
    await api.close();
    await docker.close();
    fs.rmSync(root, { recursive: true, force: true });
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
