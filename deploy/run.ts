// The deploy command's checks, in the order that writes nothing until every one has passed:
// arguments (deploy.ts), the environment, the stack's existence, preflight (the platform, the keys).
// Only then does the engine side (operate.ts, the Automation API) load.
import * as fs from "fs";
import { DeployError, Invocation } from "./cli";
import { apiUrl, DeployInputs, deployInputs, readStackFile } from "./inputs";
import { policyOptions } from "./policy";
import { keysAccepted, platformPreflight } from "./preflight";
import { usePulumiCli } from "./pulumiCli";

/** `extraConfig`: values to write with the environment's (the scenario subcommand's key). */
export async function run(inv: Invocation, projectDir: string, env: NodeJS.ProcessEnv, extraConfig: DeployInputs["config"] = {}): Promise<number> {
    const stackFile = readStackFile(projectDir, inv.stack);
    const changes = inv.command === "up" || inv.command === "preview";
    const inputs = changes ? deployInputs(env, stackFile) : { config: {}, problems: [] };
    Object.assign(inputs.config, extraConfig);
    if (inputs.problems.length > 0) {
        throw new DeployError(`Cannot ${inv.command} stack '${inv.stack}':\n${inputs.problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const policy = changes && inv.policy ? policyOptions(projectDir, inv.stack) : undefined;
    if (typeof policy === "string") throw new DeployError(`Cannot ${inv.command} stack '${inv.stack}': ${policy}`);
    // The Pulumi CLI (PATH's, else the pinned one, downloaded once), whether the stack exists, and preflight: before anything is written.
    await usePulumiCli(env, `Cannot ${inv.command} stack '${inv.stack}'`);
    if (stackFile === undefined || !changes) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const engine = require("./operate") as typeof import("./operate");
        const probe = await engine.chooseBackend(projectDir, env, { write: false, createLocal: false });
        const { exists, known } = await engine.stackExists(projectDir, probe, inv.stack);
        if (!exists && !changes) throw new DeployError(`stack '${inv.stack}' does not exist in this backend yet: npm run deploy -- up ${inv.stack} creates it.`);
        if (!exists) {
            const files = fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
            const all = [...new Set([...files, ...known])].sort();
            throw new DeployError(`unknown stack '${inv.stack}': there is no Pulumi.${inv.stack}.yaml and no such stack. Known stacks: ${all.join(", ")}.`);
        }
    }
    if (changes || inv.command === "destroy") await platformPreflight({ projectDir, stack: inv.stack, stackFile, env, command: inv.command });
    if (changes) {
        const site = inputs.config["datadog-exercise:site"]?.value ?? (stackFile?.["datadog-exercise:site"] as string | undefined) ?? "datadoghq.com";
        await keysAccepted(apiUrl(stackFile, inputs), { apiKey: inputs.config["datadog:apiKey"]?.value, appKey: inputs.config["datadog:appKey"]?.value }, site, env);
    }

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const operate = require("./operate") as typeof import("./operate");
    return operate.operate(inv, projectDir, env, inputs);
}
