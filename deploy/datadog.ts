// What Datadog holds for a stack, read with the list endpoints, every page of each: monitors and
// SLOs by the stack's exact tags, dashboards by their exact titles, downtimes by their exact monitor
// tags (never a substring: env dev never matches dev2's or prod-dev's objects). Used to resolve the
// pending creates of a crashed deploy and by `doctor`.
import { PROJECT } from "../components/config/keys";
import { proxiedFetch } from "./proxy";

/** The Pulumi resource types of the Datadog objects this program creates. */
export const KINDS = {
    "datadog:index/monitor:Monitor": { kind: "monitor", path: (id: string) => `api/v1/monitor/${id}` },
    "datadog:index/dashboard:Dashboard": { kind: "dashboard", path: (id: string) => `api/v1/dashboard/${id}` },
    "datadog:index/serviceLevelObjective:ServiceLevelObjective": { kind: "SLO", path: (id: string) => `api/v1/slo/${id}` },
    "datadog:index/downtimeSchedule:DowntimeSchedule": { kind: "downtime", path: (id: string) => `api/v2/downtime/${id}` },
} as const;
export type ResourceType = keyof typeof KINDS;

/** JSON as the API sends it and the state holds it: untyped wire data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Wire = any;

/** One object in Datadog, with what identifies it as a stack's resource. */
export interface DatadogObject {
    type: ResourceType;
    id: string;
    /** A monitor's or SLO's name, a dashboard's title, a downtime's monitor tags and rrule. */
    key: string;
    label: string;
}

export interface DatadogAccess {
    url: string;
    apiKey: string;
    appKey: string;
}

async function call(access: DatadogAccess, method: string, p: string): Promise<Wire> {
    const r = await proxiedFetch(new URL(p, access.url), {
        method,
        headers: { "DD-API-KEY": access.apiKey, "DD-APPLICATION-KEY": access.appKey },
        signal: AbortSignal.timeout(15_000),
    });
    if (!r.ok && r.status !== 404) throw new Error(`${method} ${new URL(p, access.url).href} answered ${r.status}`);
    return r.status === 204 ? undefined : r.json();
}

const downtimeKey = (tags: readonly string[], rrule: unknown) => `${[...tags].sort().join(",")} ${String(rrule)}`;

/** The identifying key of a resource from its Pulumi inputs (as the state holds them). */
export function keyOfInputs(type: ResourceType, inputs: Record<string, Wire>): string {
    switch (type) {
        case "datadog:index/dashboard:Dashboard":
            return String(inputs.title);
        case "datadog:index/downtimeSchedule:DowntimeSchedule":
            return downtimeKey(inputs.monitorIdentifier?.monitorTags ?? [], inputs.recurringSchedule?.recurrences?.[0]?.rrule);
        default:
            return String(inputs.name);
    }
}

/**
 * Each list endpoint's paging, as Datadog's API reference gives it: the parameters of the offset
 * (or page number) and of the page's size, the size asked, and where the page's items are.
 * A page may hold fewer items than asked (the API caps sizes): the last page is the empty one.
 */
const LISTS = {
    monitors: { path: "api/v1/monitor", page: (n: number) => ({ page: String(n), page_size: "1000" }), items: (r: Wire) => r },
    dashboards: { path: "api/v1/dashboard", page: (_n: number, at: number) => ({ start: String(at), count: "100" }), items: (r: Wire) => r?.dashboards },
    slos: { path: "api/v1/slo", page: (_n: number, at: number) => ({ offset: String(at), limit: "1000" }), items: (r: Wire) => r?.data },
    downtimes: { path: "api/v2/downtime", page: (_n: number, at: number) => ({ "page[offset]": String(at), "page[limit]": "100" }), items: (r: Wire) => r?.data },
} as const;

/** Every item of a list endpoint: page after page until an empty one. */
async function listAll(access: DatadogAccess, list: keyof typeof LISTS, filter: Record<string, string> = {}): Promise<Wire[]> {
    const { path, page, items } = LISTS[list];
    const all: Wire[] = [];
    for (let n = 0; ; n++) {
        const got = ((items(await call(access, "GET", `${path}?${new URLSearchParams({ ...filter, ...page(n, all.length) })}`)) ?? []) as Wire[]);
        if (got.length === 0) return all;
        all.push(...got);
    }
}

/**
 * Every object of the stack whose env is `env`, read from Datadog: monitors, SLOs and downtimes
 * that carry both of its tags, dashboards whose title is one of `titles` exactly.
 */
export async function stackObjects(access: DatadogAccess, env: string, titles: ReadonlySet<string>): Promise<DatadogObject[]> {
    const tags = [`env:${env}`, `project:${PROJECT}`];
    const hasTags = (t: readonly string[] | undefined) => tags.every((x) => (t ?? []).includes(x));
    const [monitors, dashboards, slos, downtimes] = await Promise.all([
        listAll(access, "monitors", { monitor_tags: tags.join(",") }),
        listAll(access, "dashboards"),
        listAll(access, "slos", { tags_query: tags.join(",") }),
        listAll(access, "downtimes"),
    ]);
    const objects: DatadogObject[] = [];
    for (const m of monitors) {
        if (hasTags(m.tags)) objects.push({ type: "datadog:index/monitor:Monitor", id: String(m.id), key: m.name, label: `monitor ${m.id} "${m.name}"` });
    }
    for (const d of dashboards) {
        if (titles.has(d.title)) {
            objects.push({ type: "datadog:index/dashboard:Dashboard", id: d.id, key: d.title, label: `dashboard ${d.id} "${d.title}"` });
        }
    }
    for (const s of slos) {
        if (hasTags(s.tags)) objects.push({ type: "datadog:index/serviceLevelObjective:ServiceLevelObjective", id: s.id, key: s.name, label: `SLO ${s.id} "${s.name}"` });
    }
    for (const d of downtimes) {
        const a = d.attributes ?? {};
        const monitorTags: string[] = a.monitor_identifier?.monitor_tags ?? [];
        if (hasTags(monitorTags) && a.canceled == null) {
            const rrule = a.schedule?.recurrences?.[0]?.rrule;
            objects.push({ type: "datadog:index/downtimeSchedule:DowntimeSchedule", id: d.id, key: downtimeKey(monitorTags, rrule), label: `downtime ${d.id} (${rrule})` });
        }
    }
    return objects;
}

export async function deleteObject(access: DatadogAccess, o: DatadogObject): Promise<void> {
    await call(access, "DELETE", KINDS[o.type].path(o.id));
}
