// The deploy command's only way to write a stack file (Pulumi.<stack>.yaml): under a lock of its
// own, shared by every deploy of the stack, that a crashed process cannot leave held
// (proper-lockfile: a <file>.lock directory whose mtime the holder refreshes; one not refreshed for
// STALE_MS is taken over); as one rename of a complete temp file, so that no reader (another
// deploy, the CLI of a running up) ever sees a partial or empty file; through the `yaml` package's
// Document, so that comments, key order and every key it does not change stay as they were.
//
// What only the CLI can make (a secret's ciphertext, the salt `pulumi stack init` writes) is made
// by the CLI on a private copy of the stack file; the keys it changed there are then merged here.
import type { Stack } from "@pulumi/pulumi/automation";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as lockfile from "proper-lockfile";
import { Document, isMap, isScalar, parseDocument } from "yaml";
import { DeployError } from "./cli";

/** A lock not refreshed for this long is a dead process's: the next deploy takes it over. */
const STALE_MS = 30_000;

export const stackFilePath = (projectDir: string, stack: string) => path.join(projectDir, `Pulumi.${stack}.yaml`);

/** Per file: the keys (top level, and config's as config.<key>) this process last read or wrote. */
const seen = new Map<string, Set<string>>();

function keysOf(doc: Document): Set<string> {
    const keys = new Set<string>();
    if (!isMap(doc.contents)) return keys;
    for (const pair of doc.contents.items) {
        const top = String(isScalar(pair.key) ? pair.key.value : pair.key);
        keys.add(top);
        if (top === "config" && isMap(pair.value)) for (const c of pair.value.items) keys.add(`config.${String(isScalar(c.key) ? c.key.value : c.key)}`);
    }
    return keys;
}

/** The stack file's Document, or undefined when there is none; a file that does not parse is a plain error. */
function load(file: string): Document | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
    }
    const doc = parseDocument(text);
    const problem = doc.errors[0] ?? (doc.contents !== null && !isMap(doc.contents) ? { message: "its top level is not a map of keys" } : undefined);
    if (problem) {
        throw new DeployError(
            `${file} cannot be parsed: ${problem.message.split("\n")[0]}\n` +
                `Nothing was written. Fix the file (git diff ${path.basename(file)} shows what changed), then rerun.`,
        );
    }
    return doc;
}

/** The stack file's config block (undefined when there is no file), remembering its keys. */
export function readStackFile(projectDir: string, stack: string): Record<string, unknown> | undefined {
    const file = stackFilePath(projectDir, stack);
    const doc = load(file);
    seen.set(file, doc ? keysOf(doc) : new Set());
    if (!doc) return undefined;
    return ((doc.toJS() ?? {}) as { config?: Record<string, unknown> }).config ?? {};
}

/** Writes `text` to `file` as one rename: a reader sees the old file or the new one, never a part. */
export function writeAtomically(file: string, text: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o644;
    try {
        const fd = fs.openSync(tmp, "wx", mode);
        try {
            fs.writeFileSync(fd, text);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(tmp, file);
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

/**
 * Runs `fn` holding the stack file's lock (waiting for another deploy that holds it, saying so
 * once). Only for the deploy command's read-modify-write of the stack file.
 */
export async function withStackFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
    let lost: Error | undefined;
    const opts = {
        realpath: false,
        stale: STALE_MS,
        onCompromised: (e: Error) => {
            lost = e;
        },
    };
    let release: () => Promise<void>;
    try {
        release = await lockfile.lock(file, opts);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
        console.log(`${path.basename(file)} is being written by another deploy: waiting for it.`);
        release = await lockfile.lock(file, { ...opts, retries: { forever: true, minTimeout: 100, maxTimeout: 500 } });
    }
    const result = await fn().finally(() => release().catch(() => undefined));
    if (lost) throw new DeployError(`lost the lock of ${file} (${lost.message}): rerun, and check the file with git diff.`);
    return result;
}

/**
 * The stack file as it is now, for a change under its lock: a plain error, writing nothing, when it
 * does not parse or has lost a key this process had read or written.
 */
export function current(file: string): Document {
    const doc = load(file) ?? new Document();
    const now = keysOf(doc);
    const lost = [...(seen.get(file) ?? [])].filter((k) => !now.has(k));
    if (lost.length > 0) {
        throw new DeployError(
            `${file} has lost ${lost.length === 1 ? "a key" : "keys"} since this deploy read it: ${lost.join(", ")}.\n` +
                `Nothing was written. Something else rewrote the file: restore ${lost.length === 1 ? "it" : "them"} (git diff ${path.basename(file)}), then rerun.`,
        );
    }
    return doc;
}

/** Saves `doc` (a change of `current(file)`, under the lock) atomically, and remembers its keys. */
export function save(file: string, doc: Document): void {
    writeAtomically(file, doc.toString({ flowCollectionPadding: false }));
    seen.set(file, keysOf(doc));
}

/**
 * Sets config `key` to the string `value`, double-quoted: the CLI's YAML reader would take a plain
 * 2026-12-09 for a timestamp, a plain yes for a boolean.
 */
export function setPlain(doc: Document, key: string, value: string): void {
    const old = doc.getIn(["config", key], true);
    const node = isScalar(old) ? old : doc.createNode(value); // a scalar keeps its comments
    node.value = value;
    node.type = "QUOTE_DOUBLE";
    if (node !== old) doc.setIn(["config", key], node);
}

/** The value at `keyPath` of `from`, set into `to` (its node: a secret's `secure:` map stays a map). */
function copyKey(from: Document, to: Document, keyPath: string[]): void {
    const node = from.getIn(keyPath, true);
    if (node !== undefined) to.setIn(keyPath, node);
}

/**
 * Runs the CLI (`args`, which name the stack; `input` on stdin) on a private copy of the stack file (in a temp project
 * with the project's Pulumi.yaml), then merges into `doc` every top-level key it changed (the salt)
 * and the config keys `configKeys`. The stack file itself is never written by the CLI.
 */
export async function viaCli(
    projectDir: string,
    stack: string,
    doc: Document,
    env: Record<string, string>,
    args: string[],
    input: string | undefined,
    configKeys: string[],
): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "datadog-exercise-stackfile-"));
    try {
        fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(tmp, "Pulumi.yaml"));
        const copy = stackFilePath(tmp, stack);
        fs.writeFileSync(copy, doc.toString({ flowCollectionPadding: false }), { mode: 0o600 });
        const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
            const child = spawn("pulumi", args, { cwd: tmp, env: { ...process.env, ...env }, stdio: ["pipe", "ignore", "pipe"] });
            let err = "";
            child.stderr.on("data", (d) => (err += d));
            child.on("error", reject);
            child.on("close", (c) => resolve({ code: c, stderr: err }));
            child.stdin.end(input ?? "");
        });
        if (code !== 0) throw new DeployError(`pulumi ${args.slice(0, 2).join(" ")} failed: ${stderr.trim()}`);
        const after = load(copy) ?? new Document();
        const before = doc.toJS() as Record<string, unknown> | null;
        const made = (after.toJS() ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(made)) {
            if (key !== "config" && JSON.stringify(made[key]) !== JSON.stringify(before?.[key])) copyKey(after, doc, [key]);
        }
        for (const key of configKeys) copyKey(after, doc, ["config", key]);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * doctor's check of the stack file against the backend: the passphrase salt the state was saved
 * with, and the stack file's encryptionsalt (which its keys' ciphertext needs). Prints each
 * disagreement with its fix; returns their number.
 */
export async function stackFileDrift(stack: Stack): Promise<number> {
    const name = stack.name.split("/").pop() as string;
    const file = stackFilePath(stack.workspace.workDir, name);
    const base = path.basename(file);
    const providers = ((await stack.exportStack()).deployment as { secrets_providers?: { type?: string; state?: { salt?: string } } }).secrets_providers;
    const salt = providers?.type === "passphrase" ? providers.state?.salt : undefined;
    if (salt === undefined) return 0; // not a passphrase stack, or never deployed
    let own: unknown;
    try {
        own = ((load(file)?.toJS() ?? {}) as { encryptionsalt?: unknown }).encryptionsalt;
    } catch (e) {
        if (!(e instanceof DeployError)) throw e;
        console.log(`doctor: ${e.message}`);
        return 1;
    }
    if (own === salt) return 0;
    console.log(
        `doctor: ${base} ${own === undefined ? "has no encryptionsalt" : "has another encryptionsalt than the backend's"}: the backend saved stack '${name}' with ${salt}.\n` +
            `  Fix: set encryptionsalt: ${salt} in ${base}, delete its datadog:apiKey and datadog:appKey lines, ` +
            `then run npm run deploy -- up ${name} with DD_API_KEY and DD_APP_KEY set: it stores the keys again.`,
    );
    return 1;
}
