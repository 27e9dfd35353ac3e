// The deploy command's copy of the CLI's output: the program's follow-up to a failed update goes.
import * as assert from "assert";
import { withoutFollowUp } from "../../deploy/engine";

/** The text `withoutFollowUp` writes for these chunks. */
function filtered(chunks: string[]): string {
    let out = "";
    const f = withoutFollowUp((t) => (out += t));
    chunks.forEach(f.write);
    f.end();
    return out;
}

const FOLLOW_UP = [
    "    failed to deliver log message.\n",
    "    error: Error: Channel has been shut down\n",
    "    original message: Running program '/p/index.ts' failed with an unhandled exception:\n",
    "    Error: 14 UNAVAILABLE: resource monitor shut down while sending resource outputs\n",
    "        at callErrorFromStatus (node_modules/@grpc/grpc-js/src/call.ts:84:17)\n",
    "     message severity: error\n",
];

describe("the CLI's output, as the deploy command prints it", () => {
    it("drops the program's follow-up to a failed update, and keeps the real error around it", () => {
        const real = "    error: error creating monitor from /api/v1/monitor: 500 Internal Server Error\n";
        assert.strictEqual(filtered([real, ...FOLLOW_UP, "\n", "Resources:\n"]), `${real}\nResources:\n`);
    });

    it("drops it when it arrives split across chunks, mid-line", () => {
        const text = FOLLOW_UP.join("");
        assert.strictEqual(filtered(["before\n", text.slice(0, 20), text.slice(20, 99), text.slice(99), "after\n"]), "before\nafter\n");
    });

    it("keeps every other line as it is, and writes a progress line's dots at once", () => {
        let out = "";
        const f = withoutFollowUp((t) => (out += t));
        f.write("Updating (dev):\n@ updating..");
        assert.strictEqual(out, "Updating (dev):\n@ updating..");
        f.write("..\n +  datadog:index:Monitor m created (1s)\n");
        f.end();
        assert.strictEqual(out, "Updating (dev):\n@ updating....\n +  datadog:index:Monitor m created (1s)\n");
    });
});
