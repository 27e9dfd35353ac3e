// The guardrails on every deploy: the Automation API options that run the policy pack (policy/) on
// a preview or an up, with the stack's own pack config when it has one (Pulumi.<stack>.policy.json,
// e.g. to turn a rule advisory or to opt in to public ports: docs/guardrails.md).
import * as fs from "fs";
import * as path from "path";

export interface PolicyOptions {
    policyPacks: string[];
    policyPackConfigs?: string[];
}

/** The options for `stack.preview`/`stack.up`, or a one-line reason why the pack cannot run. */
export function policyOptions(projectDir: string, stack: string): PolicyOptions | string {
    const pack = path.join(projectDir, "policy");
    try {
        // A workspace of the project (package.json): npm ci installs its packages with the program's.
        require.resolve("@pulumi/policy", { paths: [pack] });
    } catch {
        return `the policy pack's packages are not installed: run npm ci (or pass --no-policy to deploy without the guardrails).`;
    }
    if (!fs.existsSync(path.join(pack, "bin", "index.js"))) {
        return `the policy pack is not built: run npm ci (the pack's prepare step builds policy/bin), or pass --no-policy to deploy without the guardrails.`;
    }
    const config = path.join(projectDir, `Pulumi.${stack}.policy.json`);
    return { policyPacks: [pack], ...(fs.existsSync(config) ? { policyPackConfigs: [config] } : {}) };
}
