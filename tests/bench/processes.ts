// Where a command's CPU goes: samples /proc every 50 ms while `cmd args` runs and reports the CPU
// (user + system) of each process it started, by what it runs (a plugin, the program's node, ...).
// A process's last sample is counted, so up to 50 ms of each process's end may be missed. Linux only.
import { spawn } from "child_process";
import * as fs from "fs";

const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux/amd64)

interface Proc {
    ppid: number;
    cpu: number;
    what: string;
}

function read(pid: number): Proc | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, what: describe(argv) };
    } catch {
        return undefined;
    }
}

/** A short name for a process: the executable's base name, and for node the script or -e it runs. */
function describe(argv: string[]): string {
    const base = (s: string) => s.split("/").pop() ?? s;
    if (argv.length === 0) return "?";
    if (base(argv[0]) !== "node") return base(argv[0]);
    const script = argv.slice(1).find((a, i, all) => !a.startsWith("-") && !["--require", "-r", "--import"].includes(all[i - 1] ?? ""));
    return `node ${script ? script.replace(/.*node_modules\//, "") : argv.slice(1).join(" ")}`.slice(0, 80);
}

/** Runs the command and returns the CPU seconds by process description (summed over processes alike), and its exit code. */
export function cpuByProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; cpu: Map<string, number>; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const seen = new Map<number, Proc>();
        const sample = () => {
            const procs = new Map<number, Proc>();
            for (const p of fs.readdirSync("/proc")) if (/^\d+$/.test(p)) {
                const r = read(Number(p));
                if (r) procs.set(Number(p), r);
            }
            const ours = (pid: number): boolean => pid === child.pid || (seen.has(pid) && pid !== 0) || (procs.has(pid) && ours(procs.get(pid)!.ppid));
            // A process that has exited (a zombie) has no argv left: keep what it ran.
            for (const [pid, r] of procs) if (ours(pid)) seen.set(pid, { ...r, what: r.what === "?" ? (seen.get(pid)?.what ?? "?") : r.what });
        };
        const timer = setInterval(sample, 50);
        child.on("error", reject);
        child.on("close", (code) => {
            clearInterval(timer);
            const cpu = new Map<string, number>();
            for (const r of seen.values()) cpu.set(r.what, (cpu.get(r.what) ?? 0) + r.cpu);
            resolve({ code: code ?? -1, cpu, output });
        });
    });
}

/** The lines of a report: each process's CPU, the largest first, and the total. */
export function cpuLines(cpu: Map<string, number>): string[] {
    const total = [...cpu.values()].reduce((a, b) => a + b, 0);
    return [...[...cpu].sort((a, b) => b[1] - a[1]).map(([what, s]) => `${s.toFixed(2).padStart(6)} s  ${what}`), `${total.toFixed(2).padStart(6)} s  total`];
}
