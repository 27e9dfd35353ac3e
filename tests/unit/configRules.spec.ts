// The rules across keys, for every pair each one names, on both sides of its boundary, with
// values other than the defaults (a rule checked for one pair only lets the others through).
import * as assert from "node:assert/strict";
import { ConfigError, loadStackConfig } from "../../components/config/stackConfig";
import { PROJECT, validConfig } from "./harness";

const key = (k: string) => `${PROJECT}:${k}`;

/** The problems loadStackConfig lists for these keys (short names) on top of a valid config; [] when it accepts them. */
function problems(values: Record<string, string>): string[] {
    const all: Record<string, string> = { ...validConfig(), ...Object.fromEntries(Object.entries(values).map(([k, v]) => [key(k), v])) };
    try {
        loadStackConfig({ stack: "dev", get: (k) => all[k], isSecret: () => true });
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return [...e.problems];
    }
}

/** [warning key, critical key, a critical value off its default, the smallest warning allowed]. */
const PAIRS = [
    ["warningThreshold", "criticalThreshold", 640, 0],
    ["latencyP95WarningMs", "latencyP95CriticalMs", 1750, 1],
    ["errorRateWarningPercent", "errorRateCriticalPercent", 42, 1],
] as const;

describe("stack config: a warning threshold below its critical one, for each of the three pairs", () => {
    for (const [warning, critical, value, lowest] of PAIRS) {
        const expected = `${PROJECT}:${warning} = "${value}": must be lower than ${critical} (${value}): Datadog rejects a warning at or above the critical threshold. Fix: `;

        it(`rejects ${warning} equal to ${critical}, naming both and the critical value`, () => {
            const found = problems({ [warning]: String(value), [critical]: String(value) });
            assert.equal(found.length, 1, found.join("\n"));
            assert.ok(found[0].startsWith(expected), found[0]);
        });

        it(`rejects ${warning} above ${critical}`, () => {
            const found = problems({ [warning]: String(value + 1), [critical]: String(value) });
            assert.deepEqual(
                found.map((p) => p.split(": ")[0]),
                [`${PROJECT}:${warning} = "${value + 1}"`],
            );
        });

        it(`accepts ${warning} one below ${critical}, and at its own minimum`, () => {
            assert.deepEqual(problems({ [warning]: String(value - 1), [critical]: String(value) }), []);
            assert.deepEqual(problems({ [warning]: String(lowest), [critical]: String(value) }), []);
        });

        it(`does not compare ${warning} with an invalid ${critical}: only the invalid key is listed`, () => {
            const found = problems({ [warning]: String(value), [critical]: "lots" });
            assert.deepEqual(found.map((p) => p.split(" = ")[0]), [`${PROJECT}:${critical}`]);
        });
    }

    it("checks the three pairs in one run, listing each that fails", () => {
        const all = Object.fromEntries(PAIRS.flatMap(([w, c, v]) => [[w, String(v)], [c, String(v)]]));
        assert.deepEqual(problems(all).map((p) => p.split(" = ")[0]), PAIRS.map(([w]) => `${PROJECT}:${w}`));
    });
});

describe("stack config: noDataMinutes at least twice evaluationWindowMinutes", () => {
    it("accepts exactly twice the window, and more", () => {
        assert.deepEqual(problems({ evaluationWindowMinutes: "13", noDataMinutes: "26" }), []);
        assert.deepEqual(problems({ evaluationWindowMinutes: "13", noDataMinutes: "27" }), []);
    });

    it("rejects one minute less, quoting twice the configured window", () => {
        const found = problems({ evaluationWindowMinutes: "13", noDataMinutes: "25" });
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^datadog-exercise:noDataMinutes = "25": must be at least twice evaluationWindowMinutes \(26\), /);
    });

    it("rejects the default noDataMinutes under a longer window", () => {
        assert.match(problems({ evaluationWindowMinutes: "6" }).join("\n"), /noDataMinutes = 10 \(default\): must be at least twice evaluationWindowMinutes \(12\)/);
    });
});

describe("stack config: PostgreSQL's host port apart from the app's", () => {
    it("rejects the app's configured port, quoting it", () => {
        assert.deepEqual(
            problems({ appPort: "6061", postgresHostPort: "6061" }).map((p) => p.split(". Fix")[0]),
            ['datadog-exercise:postgresHostPort = "6061": must differ from appPort (6061)'],
        );
    });

    it("accepts the default app port for PostgreSQL once the app moves", () => {
        assert.deepEqual(problems({ appPort: "6061", postgresHostPort: "5050" }), []);
    });
});

describe("stack config: each whole-number key at both ends of the range Pulumi.yaml gives it", () => {
    /** key, lowest, highest allowed, and the other keys' values that let each end pass their cross-key rules. */
    const RANGES: [string, number, number, Record<string, string>, Record<string, string>][] = [
        ["checkIntervalSeconds", 1, 3600, {}, {}],
        ["warningThreshold", 0, 1000, {}, { criticalThreshold: "1000", warningThreshold: "999" }],
        ["criticalThreshold", 0, 1000, { warningThreshold: "0", criticalThreshold: "1" }, {}],
        ["evaluationWindowMinutes", 1, 1440, {}, { noDataMinutes: "2880" }],
        ["noDataMinutes", 2, 2880, { evaluationWindowMinutes: "1" }, {}],
        ["latencyP95WarningMs", 1, 60000, {}, { latencyP95CriticalMs: "60000", latencyP95WarningMs: "59999" }],
        ["latencyP95CriticalMs", 1, 60000, { latencyP95WarningMs: "1", latencyP95CriticalMs: "2" }, {}],
        ["errorRateWarningPercent", 1, 99, {}, { errorRateCriticalPercent: "99", errorRateWarningPercent: "98" }],
        ["errorRateCriticalPercent", 1, 99, { errorRateWarningPercent: "1", errorRateCriticalPercent: "2" }, {}],
        ["sloTargetPercent", 1, 99, {}, {}],
        ["trafficRequestsPerSecond", 0, 50, {}, {}],
        ["appPort", 1, 65535, {}, {}],
        ["postgresHostPort", 0, 65535, {}, {}],
    ];

    for (const [k, lowest, highest, atLowest, atHighest] of RANGES) {
        it(`${k}: accepts ${lowest} and ${highest}, rejects ${lowest - 1} and ${highest + 1}`, () => {
            // An end that a cross-key rule forbids on its own (warning 1000 needs critical above it) is
            // tested one step in, with its partner at the end.
            assert.deepEqual(problems({ [k]: String(lowest), ...atLowest }), []);
            assert.deepEqual(problems({ [k]: String(highest), ...atHighest }), []);
            for (const outside of [lowest - 1, highest + 1]) {
                assert.deepEqual(problems({ [k]: String(outside) }).map((p) => p.split(": ")[0]), [`${PROJECT}:${k} = "${outside}"`], `${k} = ${outside}`);
            }
        });
    }
});
