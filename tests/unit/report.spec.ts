import * as assert from "node:assert/strict";
import { duration, ProgressLine, table } from "../../deploy/report";
import { Row, verifyTable } from "../../deploy/verify";

/** An output that records what is written, as a terminal or as a pipe. */
const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { out: { isTTY, write: (s: string) => written.push(s) }, written };
};

describe("read commands: table and progress line", () => {
    it("aligns each column to its widest cell, under a rule, with no trailing blanks", () => {
        assert.equal(
            table(["signal", "state"], [["Agent host", "arrived"], ["traces", "missing"]]),
            ["signal      state", "----------  -------", "Agent host  arrived", "traces      missing"].join("\n"),
        );
    });

    it("verify's table: first arrival after the update, and the next check only for a signal not arrived", () => {
        const update = new Date("2030-01-01T10:00:00Z");
        const rows: Row[] = [
            { signal: "my_metric", state: "arrived", arrivedAt: new Date("2030-01-01T10:01:05Z"), seen: "9 points", next: "agent check custom_my_metric" },
            { signal: "traces", state: "missing", seen: "no point yet", next: "agent status (APM Agent)" },
        ];
        const lines = verifyTable(rows, update, { minuteMs: 60_000, pollMs: 1000 }).split("\n");
        assert.match(lines[2], /^my_metric +arrived +\+1 min 05 s +9 points$/);
        assert.match(lines[3], /^traces +missing +- +no point yet +agent status \(APM Agent\)$/);
    });

    it("durations: seconds, minutes and seconds, hours and minutes", () => {
        assert.deepEqual([duration(45), duration(185), duration(3720)], ["45 s", "3 min 05 s", "1 h 02 min"]);
    });

    it("on a terminal, rewrites one line in place, then ends it", () => {
        const { out, written } = sink(true);
        const p = new ProgressLine(out);
        p.update("1/9 arrived");
        p.update("1/9 arrived");
        p.update("2/9 arrived");
        p.done();
        assert.deepEqual(written, ["\r\x1b[2K1/9 arrived", "\r\x1b[2K1/9 arrived", "\r\x1b[2K2/9 arrived", "\n"]);
    });

    it("elsewhere (a pipe, a CI log), prints each changed text as a plain line, and no control character", () => {
        const { out, written } = sink(false);
        const p = new ProgressLine(out);
        p.update("1/9 arrived");
        p.update("1/9 arrived");
        p.update("2/9 arrived");
        p.done();
        assert.deepEqual(written, ["1/9 arrived\n", "2/9 arrived\n"]);
    });
});
