// Run by platformLoad.spec.ts in a process of its own: the dev stack's program (platform docker)
// under the unit suite's mocks, then prints the Pulumi SDK packages the process has loaded.
import { runProgram } from "./harness";

void runProgram({ stack: "dev" }).then(() => {
    const packages = new Set(Object.keys(require.cache).flatMap((f) => /node_modules\/(@pulumi\/[^/]+)\//.exec(f)?.[1] ?? []));
    console.log(JSON.stringify([...packages].sort()));
});
