// Rules for Datadog objects: monitors that notify someone, carry env and service, agree with their
// own query and handle no data; downtimes in a named time zone, starting in the future; dashboards
// scoped by a template variable.
import * as fs from "fs";
import { Inputs, UNKNOWN, arr, obj, str } from "./inputs";
import { Rule } from "./rule";

const MONITOR = "datadog:index/monitor:Monitor";
const DOWNTIME = "datadog:index/downtimeSchedule:DowntimeSchedule";
const DASHBOARD = "datadog:index/dashboard:Dashboard";

/** A notification handle: @user@example.com, @slack-channel, @pagerduty-service, @webhook-name, ... */
const HANDLE = /(^|[\s,;:(){}[\]])@[\w.+-]+/;

export const monitorNotifies: Rule = {
    name: "monitor-notifies-someone",
    description: "Every monitor's message notifies someone: an @ handle (@you@example.com, @slack-channel, @pagerduty-service).",
    enforcementLevel: "mandatory",
    types: [MONITOR],
    check(r, report) {
        const message = r.props.message;
        if (message === UNKNOWN) return;
        if (!HANDLE.test(str(message) ?? "")) {
            report(`monitor ${r.name}: its message has no @ handle, so it alerts nobody. Add one, e.g. "@you@example.com" or "@slack-<channel>".`);
        }
    },
};

/**
 * The provider's defaultTags as key:value tags: the Datadog provider adds them to every monitor it
 * creates. The engine may send a provider's object input as JSON text. UNKNOWN when a preview cannot know them.
 */
export function providerDefaultTags(provider: Inputs | undefined): string[] | typeof UNKNOWN {
    let d = provider?.props.defaultTags;
    if (d === UNKNOWN) return UNKNOWN;
    if (typeof d === "string") {
        try {
            d = JSON.parse(d);
        } catch {
            return [];
        }
    }
    const tags = obj(obj(d).tags);
    if (Object.values(tags).includes(UNKNOWN)) return UNKNOWN;
    return Object.entries(tags).flatMap(([k, v]) => (typeof v === "string" ? [`${k}:${v}`] : []));
}

export const monitorTags: Rule = {
    name: "monitor-env-service-tags",
    description:
        "Every monitor carries env: and service: tags, its own or its Datadog provider's defaultTags (unified service tagging: filters, downtimes and the service page find it by them).",
    enforcementLevel: "mandatory",
    types: [MONITOR],
    check(r, report) {
        if (r.props.tags === UNKNOWN) return;
        const defaults = providerDefaultTags(r.provider);
        if (defaults === UNKNOWN) return;
        const tags = [...arr(r.props.tags), ...defaults];
        if (tags.includes(UNKNOWN)) return;
        const missing = ["env", "service"].filter((k) => !tags.some((t) => typeof t === "string" && t.startsWith(`${k}:`) && t.length > k.length + 1));
        if (missing.length > 0) {
            report(
                `monitor ${r.name}: no ${missing.map((k) => `${k}:<value>`).join(" or ")} tag. ` +
                    `Add ${missing.map((k) => `"${k}:..."`).join(" and ")} to its tags, or to its Datadog provider's defaultTags.`,
            );
        }
    },
};

/** Monitor types whose query ends in a comparison with the critical threshold. */
const METRIC_TYPES = new Set(["metric alert", "query alert"]);
const COMPARISON = /(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i;

export const monitorThresholds: Rule = {
    name: "monitor-thresholds-consistent",
    description: "A metric monitor's query compares with its critical threshold, and its warning is on the safe side of critical.",
    enforcementLevel: "mandatory",
    types: [MONITOR],
    check(r, report) {
        const { type, query, monitorThresholds } = r.props;
        if (!METRIC_TYPES.has(str(type) ?? "")) return;
        if (query === UNKNOWN || monitorThresholds === UNKNOWN) return;
        const m = COMPARISON.exec(str(query) ?? "");
        if (!m) {
            report(`monitor ${r.name}: its query does not end in a comparison with a number (e.g. "... > 800"), so its critical threshold cannot be checked.`);
            return;
        }
        const [, op, value] = m;
        const thresholds = obj(monitorThresholds);
        const critical = thresholds.critical;
        const warning = thresholds.warning;
        if (critical === UNKNOWN || warning === UNKNOWN) return;
        if (critical === undefined || Number(critical) !== Number(value)) {
            report(`monitor ${r.name}: its query alerts at ${op} ${value}, but monitorThresholds.critical is ${critical ?? "not set"}. Make them equal.`);
            return;
        }
        if (warning === undefined) return;
        const above = op.startsWith(">");
        if (above ? !(Number(warning) < Number(critical)) : !(Number(warning) > Number(critical))) {
            report(
                `monitor ${r.name}: warning ${warning} is not ${above ? "below" : "above"} critical ${critical} (the query alerts at ${op} ${value}), so it never warns before it alerts. ` +
                    `Set warning ${above ? "below" : "above"} ${critical}.`,
            );
        }
    },
};

/** The query's evaluation window, in minutes: avg(last_5m), last_1h, last_1d, last_1w. */
export function windowMinutes(query: string): number | undefined {
    const m = /last_(\d+)([mhdw])\b/.exec(query);
    if (!m) return undefined;
    return Number(m[1]) * { m: 1, h: 60, d: 1440, w: 10080 }[m[2] as "m" | "h" | "d" | "w"];
}

/** onMissingData values that handle no data (the SDK's camelCase or the API's snake_case); "default" does not. */
const HANDLES_MISSING_DATA = new Set(["shownodata", "showandnotifynodata", "resolve"]);
/** Monitor types that never lack data in the sense of notify_no_data. */
const NO_DATA_EXEMPT = new Set(["composite", "slo alert"]);

export const monitorNoData: Rule = {
    name: "monitor-no-data-handled",
    description: "Every monitor handles no data: notifyNoData with a noDataTimeframe of at least twice its window, or onMissingData (not \"default\").",
    enforcementLevel: "mandatory",
    types: [MONITOR],
    check(r, report) {
        const { type, query, notifyNoData, noDataTimeframe, onMissingData } = r.props;
        if (NO_DATA_EXEMPT.has(str(type) ?? "")) return;
        if ([type, query, notifyNoData, noDataTimeframe, onMissingData].includes(UNKNOWN)) return;
        if (HANDLES_MISSING_DATA.has((str(onMissingData) ?? "").replace(/_/g, "").toLowerCase())) return;
        if (notifyNoData !== true) {
            report(`monitor ${r.name}: a silent source looks like a healthy one. Set notifyNoData: true with a noDataTimeframe, or onMissingData: "show_and_notify_no_data".`);
            return;
        }
        const window = windowMinutes(str(query) ?? "");
        const timeframe = typeof noDataTimeframe === "number" ? noDataTimeframe : undefined;
        if (timeframe === undefined) {
            report(`monitor ${r.name}: notifyNoData is set without a noDataTimeframe. Set one${window ? ` of at least ${2 * window} minutes (twice its ${window}-minute window)` : ""}.`);
        } else if (window !== undefined && timeframe < 2 * window) {
            report(`monitor ${r.name}: noDataTimeframe ${timeframe} is less than twice its ${window}-minute window: it would report no data between normal evaluations. Set it to at least ${2 * window}.`);
        }
    },
};

/** The wall-clock time now in `timeZone` as YYYY-MM-DDTHH:mm:ss (throws a RangeError for an unknown zone). */
export function wallClock(timeZone: string, now: Date): string {
    const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
    }).formatToParts(now);
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The IANA time zone database's zone and link names, as spelled there (the tzdata package is a
 * JSON copy of it; the program's config reads the same). Intl cannot be the judge: it takes
 * "+02:00" on Node 22, and any letter case.
 */
const IANA_ZONES: ReadonlyMap<string, string> = new Map(
    Object.keys((JSON.parse(fs.readFileSync(require.resolve("tzdata"), "utf8")) as { zones: object }).zones).map((n) => [n.toLowerCase(), n]),
);

/** Why `zone` is not an IANA zone name that follows its region's daylight saving, or undefined when it is. */
export function zoneProblem(zone: string): string | undefined {
    if (/^(UTC|GMT)?\s*[+-]\d/i.test(zone) || /^Etc\/GMT[+-]\d+$/i.test(zone)) return "is a UTC offset, not an IANA time zone: a fixed offset ignores daylight saving";
    const spelled = IANA_ZONES.get(zone.toLowerCase());
    // EST, MST, HST are IANA names too, but fixed: EST never moves to EDT. UTC and GMT are meant to be fixed.
    if (/^[A-Z]{2,5}$/i.test(zone) && !/^(UTC|GMT)$/i.test(zone)) return "is an abbreviation, not an IANA time zone: an abbreviation names no region's daylight saving";
    if (spelled === undefined) return "is not an IANA time zone";
    if (spelled !== zone) return `is not an IANA time zone as spelled (the database spells it "${spelled}")`;
    return undefined;
}

export const downtimeTimezone: Rule = {
    name: "downtime-names-timezone",
    description: "A recurring downtime names its IANA time zone, Region/City, not an offset or an abbreviation (Datadog's default is UTC, which moves a 'weeknights 19:00' downtime by hours; a fixed offset ignores daylight saving).",
    enforcementLevel: "mandatory",
    types: [DOWNTIME],
    check(r, report) {
        const schedule = r.props.recurringSchedule;
        if (schedule === undefined || schedule === UNKNOWN) return;
        const timezone = obj(schedule).timezone;
        if (timezone === UNKNOWN) return;
        if (typeof timezone !== "string" || timezone === "") {
            report(`downtime ${r.name}: recurringSchedule has no timezone, so Datadog reads its starts and rrules in UTC. Set recurringSchedule.timezone, e.g. "America/Los_Angeles".`);
        } else {
            const problem = zoneProblem(timezone);
            if (problem) report(`downtime ${r.name}: recurringSchedule.timezone "${timezone}" ${problem}. Use a Region/City name such as "Europe/Paris", or "UTC".`);
        }
    },
};

/** A start in the past, described, or undefined. Local starts (no offset) are read in `zone`. */
function pastStart(start: unknown, zone: string | undefined, now: Date): string | undefined {
    if (typeof start !== "string" || start === "") return undefined;
    if (/(Z|[+-]\d{2}:?\d{2})$/i.test(start)) {
        const t = Date.parse(start);
        return Number.isNaN(t) || t > now.getTime() ? undefined : `${start} is in the past`;
    }
    const zoneName = zone && !zoneProblem(zone) ? zone : "UTC";
    const local = start.length === 16 ? `${start}:00` : start;
    const nowLocal = wallClock(zoneName, now);
    return local > nowLocal ? undefined : `${start} (${zoneName}) is in the past (now ${nowLocal})`;
}

export const downtimeFutureStart: Rule = {
    name: "downtime-starts-in-future",
    description:
        "A downtime's start is in the future: Datadog rejects a past start when the downtime is created or changed. " +
        "Advisory by default: the pack also sees unchanged downtimes, which Datadog keeps as they are.",
    enforcementLevel: "advisory",
    types: [DOWNTIME],
    check(r, report) {
        const now = new Date();
        const { recurringSchedule, oneTimeSchedule } = r.props;
        const problems: string[] = [];
        if (recurringSchedule !== undefined && recurringSchedule !== UNKNOWN) {
            const zone = str(obj(recurringSchedule).timezone);
            for (const rec of arr(obj(recurringSchedule).recurrences)) {
                const p = rec === UNKNOWN ? undefined : pastStart(obj(rec).start, zone, now);
                if (p) problems.push(`a recurrence's start ${p}`);
            }
        }
        if (oneTimeSchedule !== undefined && oneTimeSchedule !== UNKNOWN) {
            const p = pastStart(obj(oneTimeSchedule).start, "UTC", now);
            if (p) problems.push(`its one-time start ${p}`);
        }
        for (const p of problems) report(`downtime ${r.name}: ${p}; Datadog rejects it when the downtime is created or changed. Set a start after now.`);
    },
};

/** Every query string in a dashboard's widgets (q, query), however deeply nested. */
export function widgetQueries(widgets: unknown): string[] {
    const out: string[] = [];
    const walk = (v: unknown, key?: string): void => {
        if (typeof v === "string" && (key === "q" || key === "query")) out.push(v);
        else if (Array.isArray(v)) v.forEach((e) => walk(e));
        else if (v !== null && typeof v === "object") for (const [k, e] of Object.entries(v)) walk(e, k);
    };
    walk(widgets);
    return out;
}

export const dashboardTemplateVariables: Rule = {
    name: "dashboard-template-variable-scopes-widgets",
    description: "A dashboard has a template variable, and every widget query uses one ($host, $env): the same dashboard then serves every host or env.",
    enforcementLevel: "advisory",
    types: [DASHBOARD],
    check(r: Inputs, report) {
        const { templateVariables, widgets } = r.props;
        if (templateVariables === UNKNOWN || widgets === UNKNOWN) return;
        const queries = widgetQueries(widgets);
        if (queries.length === 0) return;
        const names = arr(templateVariables).flatMap((v) => str(obj(v).name) ?? []);
        if (names.length === 0) {
            report(`dashboard ${r.name}: no template variable, so its ${queries.length} queries are fixed to one scope. Add templateVariables (e.g. env) and use $env in the queries.`);
            return;
        }
        const uses = new RegExp(`\\$(${names.map((n) => n.replace(/[^\w-]/g, "\\$&")).join("|")})\\b`);
        const unscoped = queries.filter((q) => !uses.test(q));
        if (unscoped.length > 0) {
            report(`dashboard ${r.name}: ${unscoped.length} of ${queries.length} queries use none of its template variables (${names.map((n) => `$${n}`).join(", ")}), e.g. "${unscoped[0]}".`);
        }
    },
};

export const DATADOG_RULES: readonly Rule[] = [
    monitorNotifies,
    monitorTags,
    monitorThresholds,
    monitorNoData,
    downtimeTimezone,
    downtimeFutureStart,
    dashboardTemplateVariables,
];
