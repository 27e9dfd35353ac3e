import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import { DateTime } from "luxon";

export interface MonitorDowntimesArgs {
    /** The monitors to silence: every monitor that carries all these tags (the stack's three). */
    monitorTags: readonly string[];
    env: string;
    /** IANA time zone the schedules are written in. */
    timezone: string;
    /** YYYY-MM-DD: the first local date the schedules apply from. */
    startDate: string;
    /** Notified (`@<address>`) when a downtime starts, as the exercise asks. */
    notifyEmail: string;
}

export interface Recurrence {
    /** RRULE without DTSTART (Datadog takes the start separately). */
    readonly rrule: string;
    /** Local date-time in the schedule's time zone, to the second as the API returns it, no offset. */
    readonly start: string;
    /** Datadog duration: an integer and m, h, d or w. */
    readonly duration: string;
}

/** RRULE weekday codes, by Luxon's weekday number (1 = Monday). */
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
type Day = (typeof DAYS)[number];

/** The first date on or after `date` (YYYY-MM-DD) whose weekday is one of `byDay`. */
function firstOnOrAfter(date: string, byDay: readonly Day[]): DateTime {
    const day = DateTime.fromISO(date, { zone: "utc" }); // a calendar date; UTC only to be free of the host's zone
    for (let i = 0; i < 7; i++) {
        const d = day.plus({ days: i });
        if (byDay.includes(DAYS[d.weekday - 1])) return d;
    }
    throw new Error(`no weekday of ${byDay.join(",")} after ${date}`);
}

const EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY = ["SU", "MO", "TU", "WE", "TH", "FR"] as const;
const WEEKNIGHT_START_HOUR = 19;
const WEEKNIGHT_HOURS = 14;
const WORKDAY_START_HOUR = (WEEKNIGHT_START_HOUR + WEEKNIGHT_HOURS) % 24; // 09:00

/**
 * The two schedules. Together they silence the monitor on Saturdays and Sundays and on weekdays
 * before 09:00 or from 19:00, local time:
 *
 * - weeknights: 19:00 for 14 h, starting Sunday to Friday. Sunday's covers Monday 00:00-09:00
 *   (a Monday-to-Friday rule misses it); Friday's runs into the weekend.
 * - weekends: Saturday 00:00 for 2 days.
 *
 * They overlap on Friday night and Sunday evening, so no minute between them is left uncovered.
 * A duration is elapsed time: on a weeknight when the clocks change, the weeknight downtime ends
 * an hour off 09:00 (see inexactWeeknights). Starts derive from the configured date only (no
 * clock), so a second preview shows no change. They carry seconds because the API returns them
 * so: a start without them would differ from the read-back state on every refresh.
 */
export function downtimeRecurrences(startDate: string): { weeknights: Recurrence; weekends: Recurrence } {
    return {
        weeknights: {
            rrule: `FREQ=WEEKLY;BYDAY=${EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY.join(",")}`,
            start: `${firstOnOrAfter(startDate, EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY).toFormat("yyyy-MM-dd")}T${WEEKNIGHT_START_HOUR}:00:00`,
            duration: `${WEEKNIGHT_HOURS}h`,
        },
        weekends: {
            rrule: "FREQ=WEEKLY;BYDAY=SA",
            start: `${firstOnOrAfter(startDate, ["SA"]).toFormat("yyyy-MM-dd")}T00:00:00`,
            duration: "2d",
        },
    };
}

/** A weeknight whose downtime does not end at 09:00 local time, because the clocks change during it. */
export interface InexactNight {
    /** The local date the night starts (19:00), YYYY-MM-DD. */
    readonly night: string;
    /** Its weekday, e.g. Thursday. */
    readonly weekday: string;
    /** The local time the downtime ends instead of 09:00, HH:mm. */
    readonly endsAt: string;
}

/**
 * The weeknights, in the 52 weeks from `startDate`, on which the clocks change between 19:00 and
 * 09:00 and the next morning is a workday (Friday's night runs into the weekend downtime, which
 * covers the difference). 14 h from 19:00 then ends at 10:00 (spring) or 08:00 (autumn).
 */
export function inexactWeeknights(startDate: string, timezone: string): InexactNight[] {
    const first = firstOnOrAfter(startDate, EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY);
    const nights: InexactNight[] = [];
    let week = DateTime.fromObject({ year: first.year, month: first.month, day: first.day, hour: WEEKNIGHT_START_HOUR }, { zone: timezone });
    for (let w = 0; w < 52; w++) {
        const nextWeek = week.plus({ weeks: 1 }); // 19:00 a week later, whatever the clocks did
        // The same offset a week apart: no change in between (no zone changes twice in a week).
        for (let d = 0; d < 7 && nextWeek.offset !== week.offset; d++) {
            const start = week.plus({ days: d });
            const end = start.plus({ hours: WEEKNIGHT_HOURS });
            const nightBeforeWorkday = !["FR", "SA"].includes(DAYS[start.weekday - 1]);
            if (nightBeforeWorkday && (end.hour !== WORKDAY_START_HOUR || end.minute !== 0)) {
                nights.push({ night: start.toFormat("yyyy-MM-dd"), weekday: start.toFormat("cccc"), endsAt: end.toFormat("HH:mm") });
            }
        }
        week = nextWeek;
    }
    return nights;
}

export function inexactWeeknightsWarning(startDate: string, timezone: string, nights: readonly InexactNight[]): string {
    const workday = `${String(WORKDAY_START_HOUR).padStart(2, "0")}:00`;
    const named = nights.map(
        (n) =>
            `the night of ${n.weekday} ${n.night} ends at ${n.endsAt} ` +
            (n.endsAt > workday ? `(${workday}-${n.endsAt} muted too)` : `(${n.endsAt}-${workday} not muted)`),
    );
    return (
        `timezone = "${timezone}": the clocks change there during a weeknight downtime, which lasts a fixed ` +
        `${WEEKNIGHT_HOURS} h from ${WEEKNIGHT_START_HOUR}:00 (a Datadog downtime has a duration, not an end time). ` +
        `In the year from downtimeStartDate (${startDate}): ${named.join("; ")}. The same nights recur each year the zone keeps its rules.`
    );
}

/**
 * The starts that are not in the future at `now`, in the schedules' zone. Datadog rejects a
 * downtime whose start has passed when it is created or updated (an unchanged one is not sent).
 */
export function passedStarts(recurrences: readonly Recurrence[], timezone: string, now: Date): string[] {
    return recurrences.map((r) => r.start).filter((start) => DateTime.fromISO(start, { zone: timezone }).toMillis() <= now.getTime());
}

export function downtimeStartNote(startDate: string, passed: readonly string[], timezone: string): string {
    const starts = passed.length === 1 ? `start ${passed[0]} has` : `starts ${passed.join(" and ")} have`;
    return (
        `downtimeStartDate = "${startDate}": the downtimes' first ${starts} passed (${timezone}). ` +
        "This matters only for an update that creates or changes the downtimes: Datadog rejects a past start then " +
        "(unchanged downtimes are not sent). Before such an update: pulumi config set downtimeStartDate <a date after today>"
    );
}

/** Recurring downtimes (v2 DowntimeSchedule) on the stack's monitors: weeknights and weekends. */
export class MonitorDowntimes extends pulumi.ComponentResource {
    public readonly weeknights: datadog.DowntimeSchedule;
    public readonly weekends: datadog.DowntimeSchedule;

    constructor(name: string, args: MonitorDowntimesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:MonitorDowntimes", name, {}, opts);
        const recurrences = downtimeRecurrences(args.startDate);
        // The clock is read for this note only; the resources never depend on it. A note, not a
        // warning: once the downtimes exist it shows on every preview, and then it is harmless.
        const passed = passedStarts(Object.values(recurrences), args.timezone, new Date());
        if (passed.length > 0) {
            pulumi.log.info(downtimeStartNote(args.startDate, passed, args.timezone), this);
        }
        const inexact = inexactWeeknights(args.startDate, args.timezone);
        if (inexact.length > 0) {
            pulumi.log.warn(inexactWeeknightsWarning(args.startDate, args.timezone, inexact), this);
        }
        const schedule = (part: "weeknights" | "weekends", message: string) =>
            new datadog.DowntimeSchedule(
                `${name}-${part}`,
                {
                    scope: `env:${args.env}`,
                    monitorIdentifier: { monitorTags: [...args.monitorTags] },
                    recurringSchedule: { timezone: args.timezone, recurrences: [recurrences[part]] },
                    displayTimezone: args.timezone,
                    message,
                    muteFirstRecoveryNotification: true,
                },
                { parent: this },
            );

        const notify = `@${args.notifyEmail}`;
        this.weeknights = schedule("weeknights", `Out of hours: weeknights 19:00-09:00. Managed by Pulumi (datadog-exercise).\n${notify}`);
        this.weekends = schedule("weekends", `Weekend: all day Saturday and Sunday. Managed by Pulumi (datadog-exercise).\n${notify}`);

        this.registerOutputs({ weeknightsId: this.weeknights.id, weekendsId: this.weekends.id });
    }
}
