// `npm run deploy -- [up|preview|destroy|outputs|scenario <name>|doctor] [stack] [options]` (docs/deploy.md)
//
// Creates or updates a stack from environment variables, through Pulumi's Automation API on this
// project's directory: DD_API_KEY, DD_APP_KEY (stored as secrets), DD_SITE, NOTIFY_EMAIL. Everything
// else comes from Pulumi.<stack>.yaml. Without a Pulumi login or PULUMI_BACKEND_URL, the state goes
// to .pulumi-state/ in the project, encrypted with a passphrase generated beside it.
//
// Only node built-ins and ./cli load before the arguments are checked: the rest (the Automation
// API, the config rules) is required after, so that a bad argument is answered at once.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DeployError, parseArgs, USAGE } from "./cli";

export { parseArgs } from "./cli";

/** Runs the command; returns the exit code. Every error the user can act on is a DeployError. */
export async function main(argv: readonly string[], projectDir: string, env: NodeJS.ProcessEnv): Promise<number> {
    const inv = parseArgs(argv, (word) => fs.existsSync(path.join(projectDir, `Pulumi.${word}.yaml`)));
    if (inv.help) {
        console.log(USAGE);
        return 0;
    }
    // scenario <name>: up, with the scenario's key written first.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readStackFile } = require("./inputs") as typeof import("./inputs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const scenario = inv.command === "scenario" ? (require("./scenario") as typeof import("./scenario")).scenarioConfig(inv.scenario, inv.stack, readStackFile(projectDir, inv.stack)) : {};
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const run = require("./run") as typeof import("./run");
    return run.run(inv.command === "scenario" ? { ...inv, command: "up" } : inv, projectDir, env, scenario);
}

if (require.main === module) {
    main(process.argv.slice(2), path.resolve(__dirname, ".."), process.env).then(
        (code) => process.exit(code),
        (e: unknown) => {
            if (e instanceof DeployError) {
                console.error(`error: ${e.message}`);
                process.exit(e.exitCode);
            }
            console.error(unexpected(e, os.tmpdir()));
            process.exit(1);
        },
    );
}

/**
 * An error the command does not expect: one line with its message and the log file that holds its
 * whole trace (written into `dir`), never the trace itself (docs/deploy.md).
 */
export function unexpected(e: unknown, dir: string): string {
    const err = e instanceof Error ? e : new Error(String(e));
    const log = path.join(dir, `datadog-exercise-deploy-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.log`);
    let where = `its trace is in ${log}`;
    try {
        fs.writeFileSync(log, `${err.stack ?? err.message}\n`);
    } catch (w) {
        where = `its trace could not be written to ${log} (${(w as Error).message})`;
    }
    const message = err.message.split("\n").find((l) => l.trim() !== "") ?? err.name;
    return `error: unexpected: ${message.trim()}. What to do: rerun; if it happens again, report it with the log (${where}).`;
}
