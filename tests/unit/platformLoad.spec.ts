// What a stack's program loads: only its own platform's SDK (index.ts loads each platform's
// components in that platform's function).
import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as path from "path";

describe("the program loads only its platform's SDK", () => {
    it("a Docker stack (dev) loads @pulumi/docker and never @pulumi/kubernetes", () => {
        const out = execFileSync(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "platformLoad.ts")], { encoding: "utf8", cwd: path.join(__dirname, "..", "..") });
        const loaded: string[] = JSON.parse(out.trim().split("\n").pop()!);
        assert.ok(loaded.includes("@pulumi/docker"), loaded.join(", "));
        assert.ok(!loaded.includes("@pulumi/kubernetes"), loaded.join(", "));
    });
});
