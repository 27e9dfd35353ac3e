// What the benchmark scripts share: a command's wall and CPU time (its own and every descendant's
// it waited for, as the shell's `times` reports them), medians, the machine's load, and runs that
// alternate between the cases so that each sees the same load.
import { spawn } from "child_process";
import * as os from "os";

export interface Timing {
    /** Wall seconds, from the spawn to the exit. */
    wall: number;
    /** CPU seconds (user + system) of the command and of every process it waited for. */
    cpu: number;
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `cmd args` under bash, which prints its children's CPU time (`times`) on fd 3 when the command ends. */
export function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Timing> {
    return new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const child = spawn("bash", ["-c", '"$@"; rc=$?; times >&3; exit $rc', "timed", cmd, ...args], {
            cwd,
            env,
            stdio: ["ignore", "pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        let times = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        child.stdio[3]!.on("data", (d) => (times += d));
        child.on("error", reject);
        child.on("close", (code) => {
            const wall = Number(process.hrtime.bigint() - t0) / 1e9;
            // `times`: the shell's user and system time, then its children's: "0m1.234s 0m0.567s".
            const children = times.trim().split("\n")[1] ?? "";
            const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
            resolve({ wall, cpu, code: code ?? -1, stdout, stderr });
        });
    });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The load averages (1, 5, 15 min) and the core count, as one line. */
export const load = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} on ${os.cpus().length} cores`;

export interface Case {
    name: string;
    run: () => Promise<Timing>;
}

/**
 * Runs every case `runs` times, alternating (a, b, a, b, ...), after one warm-up run of each;
 * a run that exits non-zero stops the benchmark with its output. Returns each case's timings.
 */
export async function alternate(cases: Case[], runs: number): Promise<Map<string, Timing[]>> {
    const out = new Map<string, Timing[]>(cases.map((c) => [c.name, []]));
    const check = (c: Case, t: Timing) => {
        if (t.code !== 0) throw new Error(`${c.name} exited ${t.code}\n${t.stdout.slice(-3000)}\n${t.stderr.slice(-3000)}`);
        return t;
    };
    for (const c of cases) check(c, await c.run()); // warm the file cache
    for (let i = 0; i < runs; i++) {
        for (const c of cases) out.get(c.name)!.push(check(c, await c.run()));
    }
    return out;
}

/** Prints one line per case: the medians of wall and CPU and every run; then each case's ratio to the first (the floor). */
export function report(title: string, results: Map<string, Timing[]>, loadBefore: string): void {
    const [floorName] = results.keys();
    const floor = results.get(floorName)!;
    const [fw, fc] = [median(floor.map((t) => t.wall)), median(floor.map((t) => t.cpu))];
    console.log(`${title}: medians of ${floor.length} alternating runs, in seconds`);
    console.log(`  before: ${loadBefore}`);
    console.log(`  after:  ${load()}`);
    for (const [name, ts] of results) {
        const [w, c] = [median(ts.map((t) => t.wall)), median(ts.map((t) => t.cpu))];
        const ratio = name === floorName ? "(the floor)" : `x${(w / fw).toFixed(2)} wall, x${(c / fc).toFixed(2)} CPU`;
        console.log(`  ${name}`);
        console.log(`      wall ${w.toFixed(2).padStart(6)}  CPU ${c.toFixed(2).padStart(6)}  ${ratio}`);
        console.log(`      runs (wall/CPU): ${ts.map((t) => `${t.wall.toFixed(1)}/${t.cpu.toFixed(1)}`).join(" ")}`);
    }
}

/** A user's environment sets no PULUMI_NODEJS_* variable: what the project's files say is what runs. */
export function asUser(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    for (const k of Object.keys(env)) if (k.startsWith("PULUMI_NODEJS_")) delete env[k];
    return env;
}
