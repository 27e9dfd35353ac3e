// The deploy command's CLI lookup (deploy/pulumiCli.ts), with its I/O injected: PATH's pulumi when
// new enough, else the pinned one in $PULUMI_HOME/versions/<pinned>/bin, downloaded when missing.
// tests/engine/firstRun.spec.ts runs the real lookup on a fresh clone.
import * as assert from "assert";
import * as path from "path";
import { DeployError } from "../../deploy/cli";
import { atLeast, CliIO, findPulumiCli, MINIMUM_VERSION, PINNED_VERSION } from "../../deploy/pulumiCli";

const HOME = "/home/u/.pulumi-home";
const PINNED_BIN = path.join(HOME, "versions", PINNED_VERSION, "bin");
const WHAT = "Cannot up stack 'dev'";

/** An I/O with PATH's CLI `onPath`, the pinned one present or not, and an install that does `install`. */
function io(onPath: { file: string; version: string } | undefined, pinned: boolean, install: () => Promise<void> = async () => {}) {
    const calls = { installs: [] as string[][], logs: [] as string[] };
    const fake: CliIO = {
        pathCli: async () => onPath,
        isExecutable: (f) => pinned && f === path.join(PINNED_BIN, "pulumi"),
        install: async (v, root) => {
            calls.installs.push([v, root]);
            await install();
        },
        log: (l) => calls.logs.push(l),
    };
    return { fake, calls };
}
const env = { PULUMI_HOME: HOME };
const refused = async () => {
    throw new Error("https://get.pulumi.com/install.sh: connect ECONNREFUSED 127.0.0.1:9");
};

describe("deploy: the Pulumi CLI lookup", () => {
    it("uses PATH's pulumi when it is new enough, and says so; nothing is downloaded", async () => {
        const { fake, calls } = io({ file: "/usr/local/bin/pulumi", version: "v3.280.0" }, false);
        const cli = await findPulumiCli(env, fake, WHAT);
        assert.deepStrictEqual(cli, { binDir: "/usr/local/bin", version: "3.280.0", line: "Pulumi CLI: 3.280.0, /usr/local/bin/pulumi (from PATH)." });
        assert.deepStrictEqual(calls.installs, []);
    });

    it("uses the pinned one when PATH's is too old, and says why", async () => {
        const { fake, calls } = io({ file: "/usr/bin/pulumi", version: "v3.100.0" }, true);
        const cli = await findPulumiCli(env, fake, WHAT);
        assert.strictEqual(cli.binDir, PINNED_BIN);
        assert.strictEqual(cli.line, `Pulumi CLI: ${PINNED_VERSION}, ${PINNED_BIN}/pulumi (pinned; PATH's /usr/bin/pulumi is 3.100.0, older than ${MINIMUM_VERSION}).`);
        assert.deepStrictEqual(calls.installs, []);
    });

    it("downloads the pinned one into $PULUMI_HOME/versions/<pinned> when PATH has none and it is not there yet", async () => {
        const { fake, calls } = io(undefined, false);
        const cli = await findPulumiCli(env, fake, WHAT);
        assert.deepStrictEqual(calls.installs, [[PINNED_VERSION, path.join(HOME, "versions", PINNED_VERSION)]]);
        assert.strictEqual(cli.line, `Pulumi CLI: ${PINNED_VERSION}, ${PINNED_BIN}/pulumi (pinned; PATH has no pulumi).`);
        assert.match(calls.logs.join("\n"), /^Downloading the Pulumi CLI 3\.274\.1 into .* \(PATH has no pulumi; once\)\.\.\.$/);
    });

    it("no CLI and the download fails: a plain error naming the CLI, its version, the cause and the fixes", async () => {
        const { fake } = io(undefined, false, refused);
        const e = await findPulumiCli(env, fake, WHAT).then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof DeployError, String(e));
        assert.strictEqual(
            e.message,
            [
                `Cannot up stack 'dev': it needs the Pulumi CLI ${MINIMUM_VERSION} or newer, and PATH has no pulumi; downloading ${PINNED_VERSION} failed (https://get.pulumi.com/install.sh: connect ECONNREFUSED 127.0.0.1:9).`,
                `  Install it: curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED_VERSION}, or put a pulumi ${MINIMUM_VERSION} or newer on PATH; then rerun.`,
            ].join("\n"),
        );
    });

    it("a too-old CLI and the download fails: the same error, naming the old one", async () => {
        const { fake } = io({ file: "/usr/bin/pulumi", version: "v3.100.0" }, false, refused);
        const e = await findPulumiCli(env, fake, WHAT).then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof DeployError, String(e));
        assert.match(e.message, /needs the Pulumi CLI 3\.274\.1 or newer, and PATH's \/usr\/bin\/pulumi is 3\.100\.0, older than 3\.274\.1; downloading 3\.274\.1 failed \(.*ECONNREFUSED/);
        assert.match(e.message, /\n {2}Install it: /);
    });

    it("compares versions numerically, a pre-release of the minimum counting as it", () => {
        assert.ok(atLeast("v3.274.1", "3.274.1"));
        assert.ok(atLeast("3.1000.0", "3.274.1"));
        assert.ok(atLeast("v4.0.0", "3.274.1"));
        assert.ok(!atLeast("v3.274.0", "3.274.1"));
        assert.ok(!atLeast("v3.99.9", "3.274.1"));
        assert.ok(!atLeast("unknown", "3.274.1"));
    });
});
