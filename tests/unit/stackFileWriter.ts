// A deploy's stack-file writes, as another process makes them (tests/unit/stackFile.spec.ts): `n`
// read-modify-writes under the lock, each adding one to config key `key`, and between them reads of
// the file without the lock. Prints one JSON line: the reads that were not the whole file.
import * as fs from "fs";
import { parse } from "yaml";
import { current, save, setPlain, withStackFileLock } from "../../deploy/stackFile";

const [file, key, n, marker] = process.argv.slice(2);

async function main(): Promise<void> {
    const bad: string[] = [];
    const read = () => {
        const text = fs.readFileSync(file, "utf8");
        if (!text.includes(marker)) bad.push(`${text.length} characters, without the file's last line`);
        else parse(text);
    };
    for (let i = 0; i < Number(n); i++) {
        await withStackFileLock(file, async () => {
            const doc = current(file);
            setPlain(doc, key, String(Number(doc.getIn(["config", key]) ?? 0) + 1));
            save(file, doc);
        });
        for (let r = 0; r < 50; r++) read();
    }
    console.log(JSON.stringify(bad));
}

main().catch((e: Error) => {
    console.log(JSON.stringify([`failed: ${e.message}`]));
    process.exitCode = 1;
});
