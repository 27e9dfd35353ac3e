// `npm run deploy -- scenario <name> [stack] [options]`: sets the stack's `scenario` key and runs up
// (docs/live-demo.md). A missing or typo'd scenario, or one the stack's config cannot reach, is
// refused here, naming why, before any backend, stack or file is touched.
import { PROJECT } from "../components/config/keys";
import { SCENARIOS } from "../components/config/scenario";
import { DeployError } from "./cli";

export const SCENARIO_KEY = `${PROJECT}:scenario`;
const USAGE = `usage: npm run deploy -- scenario <${SCENARIOS.join("|")}> [stack]`;

/**
 * The config that `scenario <name>` writes before its up. A bad name is a usage error (exit 2); a
 * scenario that the stack file's values cannot reach fails with the config error's own lines.
 */
export function scenarioConfig(name: string | undefined, stack: string, stackFile: Record<string, unknown> | undefined): Record<string, { value: string; secret: boolean }> {
    if (name === undefined) throw new DeployError(`scenario: which one? One of ${SCENARIOS.join(", ")}.\n${USAGE}`, 2);
    if (!(SCENARIOS as readonly string[]).includes(name)) {
        throw new DeployError(`unknown scenario '${name}': the scenarios are ${SCENARIOS.join(", ")}.\n${USAGE}`, 2);
    }
    const problems = unreachable(name, stack, stackFile);
    if (problems.length > 0) throw new DeployError(`Cannot set the scenario of stack '${stack}' (nothing was written):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return { [SCENARIO_KEY]: { value: name, secret: false } };
}

/** The config error's lines about the scenario, read with the stack file's plain values and this scenario. */
function unreachable(name: string, stack: string, stackFile: Record<string, unknown> | undefined): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ConfigError, loadStackConfig } = require("../components/config/stackConfig") as typeof import("../components/config/stackConfig");
    const get = (key: string) => {
        const v = key === SCENARIO_KEY ? name : stackFile?.[key];
        return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
    };
    try {
        loadStackConfig({ stack, get, isSecret: () => undefined });
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.filter((p) => p.startsWith(`${SCENARIO_KEY} =`));
    }
    return [];
}
