// What the CLI needs to run a Node policy pack: a `pulumi-analyzer-policy` executable on PATH.
// A Pulumi release ships one beside the CLI (a small script that runs @pulumi/pulumi's
// cmd/run-policy-pack with node, from the pack's directory). The toolchain in ../shared/toolchain
// lacks it (its archive holds the CLI, the Node language host and three providers), so the engine
// tests provide one of their own that does what the release's does.
import * as fs from "fs";
import * as path from "path";

const NAME = "pulumi-analyzer-policy";
const SHIM_DIR = path.resolve(__dirname, "..", "..", ".cache", NAME);

// The CLI starts it in the pack's directory with the engine's address and the pack's path; node
// there resolves the pack's own @pulumi/pulumi (policy/node_modules).
const SHIM = `#!/bin/sh
# Written by tests/engine/policyAnalyzer.ts: the equivalent of the ${NAME} a Pulumi release ships.
runner=$(node -p 'require.resolve("@pulumi/pulumi/cmd/run-policy-pack")') || exit 1
exec node "$runner" "$@"
`;

function onPath(dirs: (string | undefined)[]): boolean {
    return dirs.some((d) => d !== undefined && d !== "" && fs.existsSync(path.join(d, NAME)));
}

/** The directory to put on PATH for policy packs, or undefined when the CLI's directory or PATH has the analyzer. */
export function policyAnalyzerDir(binDir: string | undefined): string | undefined {
    if (onPath([binDir, ...(process.env.PATH ?? "").split(path.delimiter)])) return undefined;
    fs.mkdirSync(SHIM_DIR, { recursive: true });
    const file = path.join(SHIM_DIR, NAME);
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== SHIM) {
        fs.writeFileSync(`${file}.${process.pid}`, SHIM, { mode: 0o755 });
        fs.renameSync(`${file}.${process.pid}`, file); // atomic: suites may start side by side
    }
    return SHIM_DIR;
}
