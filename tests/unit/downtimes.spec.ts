import * as assert from "node:assert/strict";
import { RRule } from "rrule";
import { downtimeRecurrences, downtimeStartNote, inexactWeeknights, passedStarts, Recurrence } from "../../components/datadog/downtimes";
import { PROJECT, ProgramRun, runProgram, T } from "./harness";

// ---- time-zone arithmetic with Intl only -----------------------------------------------------

const formats = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock fields of an instant in a zone. */
function wallClock(instant: number, tz: string) {
    let format = formats.get(tz);
    if (!format) {
        format = new Intl.DateTimeFormat("en-US", {
            timeZone: tz,
            hourCycle: "h23",
            weekday: "short",
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
        });
        formats.set(tz, format);
    }
    const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    return {
        date: `${parts.year}-${parts.month}-${parts.day}`,
        weekday: parts.weekday as string,
        hour: Number(parts.hour),
        minute: Number(parts.minute),
        asUtc: Date.UTC(+parts.year, +parts.month - 1, +parts.day, Number(parts.hour), +parts.minute),
    };
}

/** The instant at which the zone's clocks show `floating` (a Date whose UTC fields are the wall time). */
function wallToInstant(floating: Date, tz: string): number {
    let guess = floating.getTime();
    for (let i = 0; i < 3; i++) guess += floating.getTime() - wallClock(guess, tz).asUtc;
    return guess;
}

const DURATION_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
function durationMs(d: string): number {
    const m = /^(\d+)([mhdw])$/.exec(d);
    assert.ok(m, `bad duration ${d}`);
    return Number(m[1]) * DURATION_MS[m[2]];
}

/** Expands a recurrence with the rrule package, in wall-clock time of the zone, into [start, end) instants. */
function silencedIntervals(r: Recurrence, tz: string, from: Date, to: Date): [number, number][] {
    const [date, time] = r.start.split("T");
    const [y, mo, d] = date.split("-").map(Number);
    const [h, mi] = time.split(":").map(Number);
    const rule = new RRule({ ...RRule.parseString(r.rrule), dtstart: new Date(Date.UTC(y, mo - 1, d, h, mi)) });
    // Start a week early so a window that began before `from` is seen.
    return rule
        .between(new Date(from.getTime() - DURATION_MS.w), to, true)
        .map((occurrence) => wallToInstant(occurrence, tz))
        .map((start) => [start, start + durationMs(r.duration)]);
}

/** The rule the downtimes must implement: Saturday, Sunday, or a weekday before 09:00 or from 19:00. */
const shouldBeSilenced = (w: { weekday: string; hour: number }) => w.weekday === "Sat" || w.weekday === "Sun" || w.hour < 9 || w.hour >= 19;

interface Disagreement {
    instant: number;
    local: ReturnType<typeof wallClock>;
    silenced: boolean;
}

/**
 * Checks every half hour of the `days` days after `startDate` (the start date's own early
 * morning precedes the first downtime) and returns those that disagree with the rule.
 */
function disagreements(startDate: string, tz: string, days: number): Disagreement[] {
    const { weeknights, weekends } = downtimeRecurrences(startDate);
    const [y, m, d] = startDate.split("-").map(Number);
    const from = new Date(Date.UTC(y, m - 1, d + 1));
    const to = new Date(Date.UTC(y, m - 1, d + days));
    // Their union, as disjoint intervals in time order, which the instants walk through once.
    const union: [number, number][] = [];
    for (const [start, end] of [...silencedIntervals(weeknights, tz, from, to), ...silencedIntervals(weekends, tz, from, to)].sort((x, y) => x[0] - y[0])) {
        const last = union.at(-1);
        if (last && start <= last[1]) last[1] = Math.max(last[1], end);
        else union.push([start, end]);
    }
    const bad: Disagreement[] = [];
    let i = 0;
    for (let t = wallToInstant(from, tz), end = wallToInstant(to, tz); t < end; t += 30 * 60_000) {
        while (i < union.length && union[i][1] <= t) i++;
        const silenced = i < union.length && union[i][0] <= t;
        const local = wallClock(t, tz);
        if (silenced !== shouldBeSilenced(local)) bad.push({ instant: t, local, silenced });
    }
    return bad;
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** The half hours of two weeks that disagree with the rule, described. */
function mismatches(startDate: string, tz: string): string[] {
    return disagreements(startDate, tz, 14).map(
        ({ instant, local, silenced }) =>
            `${new Date(instant).toISOString()} (${local.weekday} ${hhmm(local.hour * 60 + local.minute)} ${tz}): ${silenced ? "silenced" : "not silenced"}`,
    );
}

/**
 * The nights of the year from `startDate` on which the expansion disagrees with the rule, with
 * the local time the night's silence really ends: a morning's half hours belong to the night
 * before; extra silenced half hours end it later than 09:00, unsilenced ones earlier.
 */
function offNights(startDate: string, tz: string): { night: string; endsAt: string }[] {
    const byNight = new Map<string, Disagreement[]>();
    for (const x of disagreements(startDate, tz, 367)) {
        const [y, m, d] = x.local.date.split("-").map(Number);
        const night = x.local.hour < 12 ? new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10) : x.local.date;
        byNight.set(night, [...(byNight.get(night) ?? []), x]);
    }
    return [...byNight].map(([night, xs]) => {
        const minutes = xs.map((x) => x.local.hour * 60 + x.local.minute);
        return { night, endsAt: xs[0].silenced ? hhmm(Math.max(...minutes) + 30) : hhmm(Math.min(...minutes)) };
    });
}

// ---- specs -----------------------------------------------------------------------------------

describe("MonitorDowntimes: schedule", () => {
    it("silences exactly weeknights 19:00-09:00 and weekends, half hour by half hour over two weeks", () => {
        assert.deepEqual(mismatches("2026-12-01", "America/Los_Angeles"), []);
    });

    it("covers Monday 00:00-09:00, which a Monday-to-Friday 19:00 rule misses", () => {
        const { weeknights, weekends } = downtimeRecurrences("2026-12-01");
        const naive: Recurrence = { ...weeknights, rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" };
        const from = new Date(Date.UTC(2026, 11, 1));
        const to = new Date(Date.UTC(2026, 11, 15));
        const intervals = [...silencedIntervals(naive, "UTC", from, to), ...silencedIntervals(weekends, "UTC", from, to)];
        const monday3am = Date.UTC(2026, 11, 7, 3);
        assert.equal(intervals.some(([s, e]) => s <= monday3am && monday3am < e), false, "the naive rule leaves Monday 03:00 open");
        const ours = [...silencedIntervals(weeknights, "UTC", from, to), ...silencedIntervals(weekends, "UTC", from, to)];
        assert.equal(ours.some(([s, e]) => s <= monday3am && monday3am < e), true);
    });

    it("holds across the spring DST change in Europe/Paris", () => {
        assert.deepEqual(mismatches("2027-03-22", "Europe/Paris"), []);
    });

    it("holds across the autumn DST change in America/Los_Angeles", () => {
        assert.deepEqual(mismatches("2027-11-01", "America/Los_Angeles"), []);
    });

    it("starts on the first matching day on or after the start date, to the second as the API returns it", () => {
        // 2026-12-05 is a Saturday.
        assert.deepEqual(downtimeRecurrences("2026-12-05"), {
            weeknights: { rrule: "FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR", start: "2026-12-06T19:00:00", duration: "14h" },
            weekends: { rrule: "FREQ=WEEKLY;BYDAY=SA", start: "2026-12-05T00:00:00", duration: "2d" },
        });
    });

    it("starts the weeknights on the start date itself when it is a weekday", () => {
        // 2026-12-01 is a Tuesday.
        assert.deepEqual(
            Object.values(downtimeRecurrences("2026-12-01")).map((r) => r.start),
            ["2026-12-01T19:00:00", "2026-12-05T00:00:00"],
        );
    });
});

describe("MonitorDowntimes: zones whose clocks change on a weeknight", () => {
    const named = (tz: string) => inexactWeeknights("2027-01-04", tz).map(({ night, endsAt }) => ({ night, endsAt }));

    it("names the nights the expansion finds off in Africa/Cairo: Thursday into April's last Friday ends at 10:00, into October's at 08:00", () => {
        const off = offNights("2027-01-04", "Africa/Cairo");
        assert.deepEqual(off, [
            { night: "2027-04-29", endsAt: "10:00" },
            { night: "2027-10-28", endsAt: "08:00" },
        ]);
        assert.deepEqual(named("Africa/Cairo"), off);
    });

    it("names the one night the expansion finds off in Asia/Jerusalem (its autumn change falls in the weekend)", () => {
        const off = offNights("2027-01-04", "Asia/Jerusalem");
        assert.deepEqual(off, [{ night: "2027-03-25", endsAt: "10:00" }]);
        assert.deepEqual(named("Asia/Jerusalem"), off);
    });
});

describe("MonitorDowntimes: passed starts", () => {
    const recurrences = Object.values(downtimeRecurrences("2026-12-01")); // Tue 19:00, Sat 00:00

    it("finds none before the first start, in the schedules' zone", () => {
        // 2026-12-02T02:59:59Z is Tuesday 18:59:59 in Los Angeles.
        assert.deepEqual(passedStarts(recurrences, "America/Los_Angeles", new Date("2026-12-02T02:59:59Z")), []);
    });

    it("finds the weeknight start once it is 19:00 there, though UTC is a day ahead", () => {
        assert.deepEqual(passedStarts(recurrences, "America/Los_Angeles", new Date("2026-12-02T03:00:00Z")), ["2026-12-01T19:00:00"]);
    });

    it("reads the same instant in each zone's own clock", () => {
        // 2026-12-01T19:30Z: 19:30 in UTC (passed), 11:30 in Los Angeles (not yet).
        const instant = new Date("2026-12-01T19:30:00Z");
        assert.deepEqual(passedStarts(recurrences, "UTC", instant), ["2026-12-01T19:00:00"]);
        assert.deepEqual(passedStarts(recurrences, "America/Los_Angeles", instant), []);
    });

    it("names one passed start in the singular", () => {
        assert.match(downtimeStartNote("2026-12-01", ["2026-12-01T19:00:00"], "UTC"), /first start 2026-12-01T19:00:00 has passed \(UTC\)\./);
    });

    it("finds both once the Saturday start has passed", () => {
        assert.deepEqual(passedStarts(recurrences, "Europe/Paris", new Date("2026-12-05T00:00:00+01:00")), [
            "2026-12-01T19:00:00",
            "2026-12-05T00:00:00",
        ]);
    });
});

describe("MonitorDowntimes: resources", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
    });

    it("creates two v2 DowntimeSchedules on the stack's monitors (by their tags), scoped to the env, in the configured zone", () => {
        const downtimes = run.ofType(T.downtime);
        assert.deepEqual(downtimes.map((d) => d.name).sort(), ["datadog-downtimes-weekends", "datadog-downtimes-weeknights"]);
        for (const d of downtimes) {
            assert.deepEqual(d.inputs.monitorIdentifier, { monitorTags: ["env:dev", "project:datadog-exercise"] });
            assert.equal(d.inputs.scope, "env:dev");
            assert.equal(d.inputs.recurringSchedule.timezone, "America/Los_Angeles");
            assert.deepEqual(d.parentTypes, ["datadog-exercise:datadog:MonitorDowntimes"]);
        }
        assert.deepEqual(run.get(T.downtime, "datadog-downtimes-weeknights").inputs.recurringSchedule.recurrences, [
            { rrule: "FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR", start: "2099-12-01T19:00:00", duration: "14h" },
        ]);
        assert.deepEqual(run.get(T.downtime, "datadog-downtimes-weekends").inputs.recurringSchedule.recurrences, [
            { rrule: "FREQ=WEEKLY;BYDAY=SA", start: "2099-12-05T00:00:00", duration: "2d" },
        ]);
    });

    it("notifies the configured e-mail address in both downtimes' messages", async () => {
        const other = await runProgram({ config: { [`${PROJECT}:notifyEmail`]: "sre-team@example.org" } });
        const messages = other.ofType(T.downtime).map((d) => d.inputs.message);
        assert.equal(messages.length, 2);
        for (const message of messages) assert.match(message, /\n@sre-team@example\.org$/);
    });

    it("follows the configured timezone and start date", async () => {
        const paris = await runProgram({ config: { [`${PROJECT}:timezone`]: "Europe/Paris", [`${PROJECT}:downtimeStartDate`]: "2027-01-02" } });
        const weekends = paris.get(T.downtime, "datadog-downtimes-weekends").inputs.recurringSchedule;
        assert.equal(weekends.timezone, "Europe/Paris");
        assert.equal(weekends.recurrences[0].start, "2027-01-02T00:00:00");
    });

    it("registers identical downtimes under clocks 400 days apart, so a later preview shows no change", async () => {
        const inputs = (r: ProgramRun) => r.ofType(T.downtime).map((d) => d.inputs);
        const later = await runProgram({ clockOffsetMs: 400 * 86_400_000 });
        assert.deepEqual(inputs(later), inputs(run));
    });

    it("notes at preview, naming the key, that the downtimes' starts have passed", async () => {
        const notes = (await runProgram({ config: { [`${PROJECT}:downtimeStartDate`]: "2020-01-07" } })).logs.info;
        assert.deepEqual(notes.filter((n) => n.startsWith("downtimeStartDate")), [
            'downtimeStartDate = "2020-01-07": the downtimes\' first starts 2020-01-07T19:00:00 and 2020-01-11T00:00:00 have passed (America/Los_Angeles). ' +
                "This matters only for an update that creates or changes the downtimes: Datadog rejects a past start then " +
                "(unchanged downtimes are not sent). Before such an update: pulumi config set downtimeStartDate <a date after today>",
        ]);
    });

    it("says nothing of the start while it is ahead", async () => {
        assert.deepEqual(run.logs.info.filter((n) => n.startsWith("downtimeStartDate")), []);
    });

    it("warns at preview where the clocks change on a weeknight, naming the nights and their end", async () => {
        const cairo = await runProgram({ config: { [`${PROJECT}:timezone`]: "Africa/Cairo", [`${PROJECT}:downtimeStartDate`]: "2027-01-04" } });
        assert.deepEqual(cairo.logs.warn, [
            'timezone = "Africa/Cairo": the clocks change there during a weeknight downtime, which lasts a fixed 14 h from 19:00 ' +
                "(a Datadog downtime has a duration, not an end time). In the year from downtimeStartDate (2027-01-04): " +
                "the night of Thursday 2027-04-29 ends at 10:00 (09:00-10:00 muted too); " +
                "the night of Thursday 2027-10-28 ends at 08:00 (08:00-09:00 not muted). The same nights recur each year the zone keeps its rules.",
        ]);
    });

    it("warns nothing for the dev and prod zones, Los Angeles and Paris", async () => {
        const paris = await runProgram({ config: { [`${PROJECT}:timezone`]: "Europe/Paris", [`${PROJECT}:downtimeStartDate`]: "2027-01-02" } });
        assert.deepEqual([run.logs.warn, paris.logs.warn], [[], []]);
    });

});
