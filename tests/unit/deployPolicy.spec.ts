// The deploy command's policy options (deploy/policy.ts): the pack on every up and preview, the
// stack's own pack config when it has one, --no-policy to skip. tests/engine/policy.spec.ts runs them.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "../../deploy/cli";
import { policyOptions } from "../../deploy/policy";

describe("deploy: the policy pack", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-policy-"));
        fs.mkdirSync(path.join(dir, "policy", "node_modules", "@pulumi", "policy"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policy", "node_modules", "@pulumi", "policy", "index.js"), "");
        fs.mkdirSync(path.join(dir, "policy", "bin"));
        fs.writeFileSync(path.join(dir, "policy", "bin", "index.js"), "");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs unless --no-policy is given, with any command and stack", () => {
        assert.strictEqual(parseArgs(["up", "prod"]).policy, true);
        assert.strictEqual(parseArgs(["preview", "--no-policy", "prod"]).policy, false);
        assert.strictEqual(parseArgs(["--no-policy"]).command, "up");
    });

    it("passes the project's policy/ as the pack, and no config when the stack has none", () => {
        assert.deepStrictEqual(policyOptions(dir, "dev"), { policyPacks: [path.join(dir, "policy")] });
    });

    it("passes Pulumi.<stack>.policy.json as the pack's config for that stack only", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.prod.policy.json"), '{ "docker-ports-loopback": "advisory" }');
        assert.deepStrictEqual(policyOptions(dir, "prod"), { policyPacks: [path.join(dir, "policy")], policyPackConfigs: [path.join(dir, "Pulumi.prod.policy.json")] });
        assert.deepStrictEqual(policyOptions(dir, "dev"), { policyPacks: [path.join(dir, "policy")] });
    });

    it("says how to install the pack, or skip it, when its packages are missing", () => {
        fs.rmSync(path.join(dir, "policy", "node_modules"), { recursive: true });
        assert.match(String(policyOptions(dir, "dev")), /not installed: run npm ci \(or pass --no-policy/);
    });

    it("says how to build the pack, or skip it, when its JavaScript is missing", () => {
        fs.rmSync(path.join(dir, "policy", "bin"), { recursive: true });
        assert.match(String(policyOptions(dir, "dev")), /not built: run npm ci \(the pack's prepare step builds policy\/bin\), or pass --no-policy/);
    });
});
