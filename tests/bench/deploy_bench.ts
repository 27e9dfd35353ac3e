// Benchmark (a script that prints figures, not a test): the time from `npm run deploy -- ...` to
// its first line of output, for the answers that must come within 2 s (a bad argument, a failed
// preflight), against the floor of `npm run -s` running `node -e 0` the same way, runs alternating.
//
//   PATH="$PWD/node_modules/.bin:$PATH" tsx tests/bench/deploy_bench.ts [runs]
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { API_KEY, APP_KEY, REPO, Toolchain, copyProject, findToolchain, hermeticEnv } from "../engine/harness";

const RUNS = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds from the spawn to the first byte on stdout or stderr, and the exit code. */
function firstLine(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ s: number; code: number }> {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        let first: number | undefined;
        const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const mark = () => (first ??= Number(process.hrtime.bigint() - t0) / 1e9);
        child.stdout.on("data", mark);
        child.stderr.on("data", mark);
        child.on("close", (code) => resolve({ s: first ?? Number(process.hrtime.bigint() - t0) / 1e9, code: code ?? -1 }));
    });
}

(async () => {
    const toolchain = findToolchain();
    if (typeof toolchain === "string") throw new Error(toolchain);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-bench-"));
    const dir = copyProject(root);
    fs.mkdirSync(path.join(root, "home"));
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    fs.appendFileSync(path.join(dir, "Pulumi.dev.yaml"), `  datadog:apiUrl: ${api.url}\n`);
    const env = hermeticEnv(toolchain as Toolchain, path.join(root, "home"), { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DOCKER_HOST: `unix://${root}/no-docker.sock` });
    fs.writeFileSync(path.join(dir, "floor.js"), "console.log('floor')\n");
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    pkg.scripts.floor = "node floor.js";
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
    const cases: [string, string[], NodeJS.ProcessEnv][] = [
        ["floor: npm run -s floor (node, one line)", ["run", "-s", "floor"], {}],
        ["npm run deploy -- --help", ["run", "-s", "deploy", "--", "--help"], {}],
        ["npm run deploy -- destory", ["run", "-s", "deploy", "--", "destory"], {}],
        ["npm run deploy -- up --yes", ["run", "-s", "deploy", "--", "up", "--yes"], {}],
        ["npm run deploy -- up dev (no Docker daemon)", ["run", "-s", "deploy", "--", "up", "dev"], {}],
        ["npm run deploy -- up dev (a refused API key)", ["run", "-s", "deploy", "--", "up", "dev"], { DD_API_KEY: "0".repeat(32), DOCKER_HOST: "" }],
    ];
    // The refused key needs a Docker daemon that answers: the stand-in's own socket would do, but
    // preflight only pings; a unix socket server answering 200 is enough.
    const http = await import("http");
    const sock = path.join(root, "docker.sock");
    const daemon = http.createServer((_q, r) => r.end("OK")).listen(sock);
    cases[5][2].DOCKER_HOST = `unix://${sock}`;
    const times = cases.map(() => [] as number[]);
    const codes = cases.map(() => new Set<number>());
    for (let i = 0; i < RUNS; i++) {
        for (const [n, [, args, vars]] of cases.entries()) {
            const r = await firstLine("npm", args, dir, { ...env, ...vars });
            times[n].push(r.s);
            codes[n].add(r.code);
        }
    }
    console.log(`time to the first line of output, median of ${RUNS} runs (load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} cores):`);
    for (const [n, [name]] of cases.entries()) console.log(`  ${median(times[n]).toFixed(2)} s  exit ${[...codes[n]].join(",")}  ${name}`);
    daemon.close();
    await api.close();
    fs.rmSync(root, { recursive: true, force: true });
})();
