// `npm run deploy -- [up|preview|destroy|outputs|scenario <name>|doctor|verify|rehearse] [stack] [options]` (docs/deploy.md)
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
/** verify --wait without minutes: polls this long. */
const DEFAULT_WAIT_MINUTES = 10;

/* eslint-disable @typescript-eslint/no-require-imports */
/** Runs the command; returns the exit code. Every error the user can act on is a DeployError. */
export async function main(argv: readonly string[], projectDir: string, env: NodeJS.ProcessEnv): Promise<number> {
    const inv = parseArgs(argv, (word) => fs.existsSync(path.join(projectDir, `Pulumi.${word}.yaml`)));
    if (inv.help) {
        console.log(USAGE);
        return 0;
    }
    // verify and rehearse read the deployed stack (docs/live-demo.md).
    if (inv.command === "rehearse") return (require("./rehearse") as typeof import("./rehearse")).rehearse(inv, projectDir, env);
    const { timing } = require("./timing") as typeof import("./timing");
    const { readStack } = require("./stackContext") as typeof import("./stackContext");
    if (inv.command === "verify") {
        const { verify } = require("./verify") as typeof import("./verify");
        return verify(await readStack(projectDir, env, inv.stack), inv.waitMinutes ?? (inv.waitGiven ? DEFAULT_WAIT_MINUTES : undefined), timing(env), process.stdout);
    }
    // scenario <name>: up, with the scenario's key written first; with --wait, then the monitor's state.
    const { readStackFile } = require("./inputs") as typeof import("./inputs");
    const stackFile = readStackFile(projectDir, inv.stack);
    const scenarioModule = require("./scenario") as typeof import("./scenario");
    const scenario = inv.command === "scenario" ? scenarioModule.scenarioConfig(inv.scenario, inv.stack, stackFile) : {};
    const run = require("./run") as typeof import("./run");
    const code = await run.run(inv.command === "scenario" ? { ...inv, command: "up" } : inv, projectDir, env, scenario);
    if (inv.command !== "scenario" || !inv.waitGiven || code !== 0) return code;
    const { TARGETS, waitForState } = require("./waitState") as typeof import("./waitState");
    const name = inv.scenario as import("../components/config/scenario").ScenarioName;
    if (!TARGETS[name]) {
        console.log(`scenario ${name} promises no monitor state to wait for (docs/live-demo.md).`);
        return 0;
    }
    const previous = String(stackFile?.[scenarioModule.SCENARIO_KEY] ?? "exercise") as typeof name;
    return (await waitForState(await readStack(projectDir, env, inv.stack), previous, timing(env), process.stdout)).reached ? 0 : 1;
}
/* eslint-enable @typescript-eslint/no-require-imports */

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
