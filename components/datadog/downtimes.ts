import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";

export interface MonitorDowntimesArgs {
    /** The monitor to silence. */
    monitorId: pulumi.Input<string>;
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

const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;

/** The first date on or after `date` (YYYY-MM-DD) whose weekday is one of `byDay`. */
function firstOnOrAfter(date: string, byDay: readonly (typeof DAYS)[number][]): string {
    const [y, m, d] = date.split("-").map(Number);
    for (let i = 0; i < 7; i++) {
        const day = new Date(Date.UTC(y, m - 1, d + i)); // a calendar date; UTC only to avoid the host's zone
        if (byDay.includes(DAYS[day.getUTCDay()])) return day.toISOString().slice(0, 10);
    }
    throw new Error(`no weekday of ${byDay.join(",")} after ${date}`);
}

const EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY = ["SU", "MO", "TU", "WE", "TH", "FR"] as const;

/**
 * The two schedules. Together they silence the monitor exactly on Saturdays and Sundays and on
 * weekdays before 09:00 or from 19:00, local time:
 *
 * - weeknights: 19:00 for 14 h, starting Sunday to Friday. Sunday's covers Monday 00:00-09:00
 *   (a Monday-to-Friday rule misses it); Friday's runs into the weekend.
 * - weekends: Saturday 00:00 for 2 days.
 *
 * They overlap on Friday night and Sunday evening, so no minute between them is left uncovered.
 * Starts derive from the configured date only (no clock), so a second preview shows no change.
 * They carry seconds because the API returns them so: a start without them would differ from
 * the read-back state on every refresh.
 */
export function downtimeRecurrences(startDate: string): { weeknights: Recurrence; weekends: Recurrence } {
    return {
        weeknights: {
            rrule: `FREQ=WEEKLY;BYDAY=${EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY.join(",")}`,
            start: `${firstOnOrAfter(startDate, EVENINGS_BEFORE_WORKDAYS_AND_FRIDAY)}T19:00:00`,
            duration: "14h",
        },
        weekends: {
            rrule: "FREQ=WEEKLY;BYDAY=SA",
            start: `${firstOnOrAfter(startDate, ["SA"])}T00:00:00`,
            duration: "2d",
        },
    };
}

/** The zone's wall-clock time at `now`, as YYYY-MM-DDTHH:MM:SS. */
function wallClock(timezone: string, now: Date): string {
    const p = Object.fromEntries(
        new Intl.DateTimeFormat("en-US", {
            timeZone: timezone,
            hourCycle: "h23",
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
        })
            .formatToParts(now)
            .map((part) => [part.type, part.value]),
    );
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The starts that are not in the future at `now`, in the schedules' zone. Datadog rejects a
 * downtime whose start has passed when it is created or updated (an unchanged one is not sent).
 * Wall-clock strings of one format compare in time order.
 */
export function passedStarts(recurrences: readonly Recurrence[], timezone: string, now: Date): string[] {
    const local = wallClock(timezone, now);
    return recurrences.map((r) => r.start).filter((start) => start <= local);
}

export function downtimeStartNote(startDate: string, passed: readonly string[], timezone: string): string {
    const starts = passed.length === 1 ? `start ${passed[0]} has` : `starts ${passed.join(" and ")} have`;
    return (
        `downtimeStartDate = "${startDate}": the downtimes' first ${starts} passed (${timezone}). ` +
        "This matters only for an update that creates or changes the downtimes: Datadog rejects a past start then " +
        "(unchanged downtimes are not sent). Before such an update: pulumi config set downtimeStartDate <a date after today>"
    );
}

/** Recurring downtimes (v2 DowntimeSchedule) on the monitor: weeknights and weekends. */
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
        const schedule = (part: "weeknights" | "weekends", message: string) =>
            new datadog.DowntimeSchedule(
                `${name}-${part}`,
                {
                    scope: `env:${args.env}`,
                    monitorIdentifier: { monitorId: pulumi.output(args.monitorId).apply(Number) },
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
