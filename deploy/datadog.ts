// What Datadog holds for a stack, read with the list endpoints: monitors and SLOs by the stack's
// tags, dashboards by title, downtimes by their monitor tags. Used to resolve the pending creates
// of a crashed deploy and by `doctor`.
import { PROJECT } from "../components/config/keys";

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
    const r = await fetch(new URL(p, access.url), {
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

/** Every object of the stack whose env is `env`, read from Datadog. */
export async function stackObjects(access: DatadogAccess, env: string): Promise<DatadogObject[]> {
    const tags = [`env:${env}`, `project:${PROJECT}`];
    const hasTags = (t: readonly string[] | undefined) => tags.every((x) => (t ?? []).includes(x));
    const [monitors, dashboards, slos, downtimes] = await Promise.all([
        call(access, "GET", `api/v1/monitor?monitor_tags=${encodeURIComponent(tags.join(","))}`),
        call(access, "GET", "api/v1/dashboard"),
        call(access, "GET", `api/v1/slo?tags_query=${encodeURIComponent(tags.join(","))}`),
        call(access, "GET", "api/v2/downtime"),
    ]);
    const objects: DatadogObject[] = [];
    for (const m of (monitors ?? []) as Wire[]) {
        if (hasTags(m.tags)) objects.push({ type: "datadog:index/monitor:Monitor", id: String(m.id), key: m.name, label: `monitor ${m.id} "${m.name}"` });
    }
    for (const d of (dashboards?.dashboards ?? []) as Wire[]) {
        if (String(d.title).startsWith("Datadog exercise") && String(d.title).endsWith(`(${env})`)) {
            objects.push({ type: "datadog:index/dashboard:Dashboard", id: d.id, key: d.title, label: `dashboard ${d.id} "${d.title}"` });
        }
    }
    for (const s of (slos?.data ?? []) as Wire[]) {
        if (hasTags(s.tags)) objects.push({ type: "datadog:index/serviceLevelObjective:ServiceLevelObjective", id: s.id, key: s.name, label: `SLO ${s.id} "${s.name}"` });
    }
    for (const d of (downtimes?.data ?? []) as Wire[]) {
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
