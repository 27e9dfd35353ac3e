// `npm run deploy -- scenario <name> [stack] [options]`: sets the stack's `scenario` key and runs up
// (docs/live-demo.md). A missing or typo'd scenario is refused here, naming the valid ones, before
// any backend, stack or file is touched.
import { PROJECT } from "../components/config/keys";
import { SCENARIOS } from "../components/config/scenario";
import { DeployError } from "./cli";

export const SCENARIO_KEY = `${PROJECT}:scenario`;
const USAGE = `usage: npm run deploy -- scenario <${SCENARIOS.join("|")}> [stack]`;

/** The config that `scenario <name>` writes before its up; a usage error (exit 2) for a bad name. */
export function scenarioConfig(name: string | undefined): Record<string, { value: string; secret: boolean }> {
    if (name === undefined) throw new DeployError(`scenario: which one? One of ${SCENARIOS.join(", ")}.\n${USAGE}`, 2);
    if (!(SCENARIOS as readonly string[]).includes(name)) {
        throw new DeployError(`unknown scenario '${name}': the scenarios are ${SCENARIOS.join(", ")}.\n${USAGE}`, 2);
    }
    return { [SCENARIO_KEY]: { value: name, secret: false } };
}
