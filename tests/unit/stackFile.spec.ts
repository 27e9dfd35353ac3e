// The deploy command's stack-file writer (deploy/stackFile.ts): atomic, serialised across
// processes, and keeping every comment and key it does not change; a file that does not parse or
// that lost keys stops the deploy with a plain error, writing nothing.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { DeployError } from "../../deploy/cli";
import { current, readStackFile, save, setPlain, withStackFileLock } from "../../deploy/stackFile";

const USER_FILE = `# The user's own header.
encryptionsalt: v1:abc
config:
  # why this e-mail
  datadog-exercise:notifyEmail: you@example.com # inline
  datadog-exercise:hostTags:
    - team:solutions-engineering
    - purpose:demo
  datadog:apiUrl: http://127.0.0.1:9/
  other:unknown:
    nested: [1, 2]
# the end of the file
`;

/** A writer process (tests/unit/stackFileWriter.ts); resolves with the partial reads it saw. */
function writer(file: string, key: string, n: number, marker: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "stackFileWriter.ts"), file, key, String(n), marker], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("close", () => resolve(JSON.parse(out.trim().split("\n").pop() || '["no output"]')));
    });
}

describe("the stack file writer (deploy/stackFile.ts)", function () {
    this.timeout(120_000);
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, USER_FILE);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps every comment, key and its order, changing only the key it sets", async () => {
        readStackFile(dir, "dev");
        await withStackFileLock(file, async () => {
            const doc = current(file);
            setPlain(doc, "datadog-exercise:downtimeStartDate", "2026-12-09");
            setPlain(doc, "datadog-exercise:notifyEmail", "oncall@example.com");
            save(file, doc);
        });
        const text = fs.readFileSync(file, "utf8");
        // Every line of the user's, in order; the e-mail's changed in place, with its comment.
        const lines = text.split("\n");
        let at = 0;
        for (const line of USER_FILE.replace("you@example.com", '"oncall@example.com"').split("\n")) {
            const i = lines.indexOf(line, at);
            assert.ok(i >= 0, `kept: ${line}\n${text}`);
            at = i + 1;
        }
        assert.match(text, /^ {4}nested: \[1, 2\]\n {2}datadog-exercise:downtimeStartDate: "2026-12-09"\n/m, "the new key last in config, quoted");
        assert.deepStrictEqual(fs.readdirSync(dir), ["Pulumi.dev.yaml"], "no temp file or lock left");
    });

    it("two writer processes at once: every update lands, and neither ever reads a partial file", async () => {
        // A large file (a long comment), so that a write in place would be seen half done.
        const marker = "# the last line";
        fs.writeFileSync(file, `${USER_FILE}${"# padding ".repeat(20_000)}\n${marker}\n`);
        const [a, b] = await Promise.all([writer(file, "test:a", 15, marker), writer(file, "test:b", 15, marker)]);
        assert.deepStrictEqual([a, b], [[], []], "partial reads");
        const config = parse(fs.readFileSync(file, "utf8")).config;
        assert.deepStrictEqual([config["test:a"], config["test:b"]], ["15", "15"], "no update lost");
        assert.deepStrictEqual(config["datadog-exercise:hostTags"], ["team:solutions-engineering", "purpose:demo"]);
    });

    it("refuses a stack file that lost a key since it was read, naming the file and the key, writing nothing", async () => {
        readStackFile(dir, "dev");
        const wiped = "config:\n  datadog-exercise:notifyEmail: you@example.com\n";
        fs.writeFileSync(file, wiped);
        await assert.rejects(
            withStackFileLock(file, async () => save(file, current(file))),
            (e: DeployError) => e instanceof DeployError && e.message.startsWith(`${file} has lost keys since this deploy read it: encryptionsalt, config.datadog-exercise:hostTags, config.datadog:apiUrl, config.other:unknown.\nNothing was written.`),
        );
        assert.strictEqual(fs.readFileSync(file, "utf8"), wiped);
    });

    it("refuses a stack file that does not parse, naming the file, with no stack trace", () => {
        fs.writeFileSync(file, "config:\n  a: [1\n");
        assert.throws(() => readStackFile(dir, "dev"), (e: DeployError) => e instanceof DeployError && e.message.startsWith(`${file} cannot be parsed: `) && !e.message.includes("    at "));
    });
    it("takes over the lock of a crashed deploy (not refreshed for 30 s), and waits, saying so, for a live one", async () => {
        const lock = `${file}.lock`;
        fs.mkdirSync(lock);
        const ago = new Date(Date.now() - 31_000);
        fs.utimesSync(lock, ago, ago);
        const log = console.log;
        const lines: string[] = [];
        console.log = (line: string) => lines.push(line);
        try {
            assert.strictEqual(await withStackFileLock(file, async () => "ran"), "ran");
        } finally {
            console.log = log;
        }
        assert.deepStrictEqual(lines, [], "taken over at once, with no wait");
        assert.strictEqual(fs.existsSync(lock), false, "released");

        fs.mkdirSync(lock); // a live holder's: just refreshed
        const said = new Promise<string>((resolve) => (console.log = resolve));
        let ran = false;
        try {
            const waiting = withStackFileLock(file, async () => (ran = true));
            assert.strictEqual(await said, "Pulumi.dev.yaml is being written by another deploy: waiting for it.");
            assert.strictEqual(ran, false);
            fs.rmdirSync(lock); // the holder releases it
            await waiting;
        } finally {
            console.log = log;
        }
        assert.strictEqual(ran, true);
    });
});
