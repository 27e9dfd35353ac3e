// `npm run deploy` as a terminal starts it, for the engine specs that signal it.
import { ChildProcess, spawn } from "child_process";
import { randomUUID } from "crypto";
import * as os from "os";
import { RunResult } from "./harness";

/**
 * `npm run deploy -- <args>` in `dir`, in a process group of its own: `interrupt` sends SIGINT to
 * the whole group (a Ctrl-C); `marker` (DEPLOY_SPEC_RUN) tags every process it starts; `printed`
 * resolves once its output matches.
 */
export function startDeploy(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
    const marker = randomUUID();
    const child: ChildProcess = spawn("npm", ["run", "-s", "deploy", "--", ...args], {
        cwd: dir,
        env: { ...env, DEPLOY_SPEC_RUN: marker },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
    });
    let stdout = "";
    let stderr = "";
    const waiting: [RegExp, () => void][] = [];
    const check = () => waiting.splice(0).forEach(([re, resolve]) => (re.test(stdout + stderr) ? resolve() : waiting.push([re, resolve])));
    child.stdout!.on("data", (d) => ((stdout += d), check()));
    child.stderr!.on("data", (d) => ((stderr += d), check()));
    const done = new Promise<RunResult>((resolve, reject) => {
        child.on("error", reject);
        // Killed by a signal (npm re-raises the SIGINT it got): the code a shell reports, 128 + its number.
        child.on("close", (code, signal) => resolve({ code: code ?? 128 + os.constants.signals[signal as NodeJS.Signals], stdout, stderr }));
    });
    const printed = (re: RegExp) => new Promise<void>((resolve) => (waiting.push([re, resolve]), check()));
    return { marker, done, printed, interrupt: () => process.kill(-child.pid!, "SIGINT") };
}
