// `npm run deploy -- scenario <name> [stack] [--target <urn>]... [--target-dependents]`: sets the
// stack's `scenario` key and runs up (docs/live-demo.md). deploy.ts calls scenarioArgs() on its
// arguments first: a typo'd scenario is refused here, naming the valid ones, before any backend,
// stack or file is touched.
import { PROJECT } from "../components/config/stackConfig";
import { SCENARIOS } from "../components/config/scenario";

export const SCENARIO_KEY = `${PROJECT}:scenario`;
const USAGE = `usage: npm run deploy -- scenario <${SCENARIOS.join("|")}> [stack]`;

/** A bad scenario argument: its message is printed as it is. */
export class ScenarioArgError extends Error {}

/**
 * The arguments for deploy.ts's parseArgs and the config to write before `up`: for `scenario <name>
 * [stack] [options]`, ["up", stack, options...] and the scenario key; any other arguments unchanged, no config.
 */
export function scenarioArgs(argv: readonly string[]): { argv: string[]; config: Record<string, { value: string; secret: boolean }> } {
    if (argv[0] !== "scenario") return { argv: [...argv], config: {} };
    const name = argv[1];
    if (name === undefined || name.startsWith("-")) throw new ScenarioArgError(`scenario: which one? One of ${SCENARIOS.join(", ")}.\n${USAGE}`);
    if (!(SCENARIOS as readonly string[]).includes(name)) {
        throw new ScenarioArgError(`unknown scenario '${name}': the scenarios are ${SCENARIOS.join(", ")}.\n${USAGE}`);
    }
    return { argv: ["up", ...argv.slice(2)], config: { [SCENARIO_KEY]: { value: name, secret: false } } };
}
