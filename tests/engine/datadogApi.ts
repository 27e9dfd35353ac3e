// A stand-in for the Datadog API, for the engine tests only: an HTTP server on 127.0.0.1 that
// serves exactly what the Datadog provider calls for this program, and nothing else.
//
// - Every create and update body is checked with Datadog's own client models
//   (@datadog/datadog-api-client's ObjectSerializer): unknown enum values, a oneOf that matches no
//   widget type, wrong types, unknown fields, missing or null required fields are a 400.
// - The rules of the real API that matter here are a 400 with the reason: a metric alert's
//   threshold in the query equals options.thresholds.critical; warning is below critical.
// - Answers have the real API's shape, taken from the recorded cassettes of the provider's own
//   acceptance tests (DataDog/terraform-provider-datadog, datadog/tests/cassettes/, cited below).
// - It records every request (method, path, parsed body) for the tests to assert on (and emits
//   each one, once answered or held), and can be told to fail: 500 on the next create of a kind;
//   504 after storing the next creates of a kind (a gateway timeout after Datadog stored it); any
//   key but the pair it was started with is refused (403), as the API refuses a wrong key.
// - It can hold back the answer of a route (e.g. POST /api/v1/dashboard) for some milliseconds,
//   after it has stored the object, as a slow API does.
// - The list endpoints (monitors by monitor_tags, dashboards, SLOs by tags_query, downtimes) answer
//   in the shapes of TestAccDatadogMonitorDatasource.yaml, TestAccDatadogDashboardListDatasource.yaml,
//   TestAccDatadogServiceLevelObjectivesDatasource.yaml and TestAccDowntimeScheduleBasicRecurring.yaml,
//   one page at a time with the API reference's paging parameters and defaults: monitors page and
//   page_size (100; every monitor when page is not given), dashboards start and count (100), SLOs
//   offset and limit (1000), downtimes page[offset] and page[limit] (30). `maxPageSize` caps every
//   page, as the API caps the sizes it is asked, so that a test can put objects past the first page.
//
// It never accepts what the real API rejects; it may reject what the real API accepts (unknown
// fields, for one), which would show as a failing test, never as a passing one.
import { v1, v2 } from "@datadog/datadog-api-client";
import { UnparsedObject } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/util";
import { EventEmitter } from "events";
import * as http from "http";
import { DateTime } from "luxon";
import type { AddressInfo } from "net";
import { rrulestr } from "rrule";
import { ReadError, Telemetry } from "./datadogReads";

export interface RecordedRequest {
    readonly method: string;
    /** The path without the query string. */
    readonly path: string;
    /** The parsed JSON body, or undefined when there was none. */
    readonly body: unknown;
}

/** An id in a path, of any kind the stand-in hands out: monitor, dashboard, downtime, SLO. */
export const ID_SEGMENT = /\/(\d+|[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}|[0-9a-f-]{36}|[0-9a-f]{32})(?=\/|$)/;

/** JSON as it goes over the wire: untyped, as the tests read it. */
export type Json = Record<string, any>;
type Kind = "monitor" | "dashboard" | "downtime" | "slo";

class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly errors: string[],
    ) {
        super(errors.join("; "));
    }
}

/** What is wrong with `data` as a `type` of Datadog's models (v1 or v2), each with its JSON path. */
function modelProblems(serializer: typeof v1.ObjectSerializer, data: unknown, type: string): string[] {
    let instance: unknown;
    try {
        instance = serializer.deserialize(data, type, "");
    } catch (e) {
        return [`${type}: ${(e as Error).message}`]; // a wrong primitive type, a missing required field
    }
    const problems: string[] = [];
    const walk = (node: unknown, raw: unknown, path: string): void => {
        if (node instanceof UnparsedObject) {
            problems.push(`${path}: ${JSON.stringify(raw)} is not a valid value (unknown enum value, or no type of a oneOf matches)`);
        } else if (node instanceof Date) {
            if (Number.isNaN(node.getTime())) problems.push(`${path}: ${JSON.stringify(raw)} is not a date`);
        } else if (Array.isArray(node)) {
            node.forEach((n, i) => walk(n, (raw as unknown[])[i], `${path}[${i}]`));
        } else if (node !== null && typeof node === "object") {
            const model = (node.constructor as { getAttributeTypeMap?: () => Record<string, { baseName: string; required?: boolean }> })
                .getAttributeTypeMap?.();
            if (model === undefined) return; // a free-form map
            const extra = (node as Json).additionalProperties as Json | undefined;
            for (const key of Object.keys(extra ?? {})) problems.push(`${path}.${key}: unknown field`);
            for (const [attr, info] of Object.entries(model)) {
                if (attr === "additionalProperties") continue;
                const rawValue = (raw as Json)[info.baseName];
                if (info.required && rawValue === null) problems.push(`${path}.${info.baseName}: required, must not be null`);
                walk((node as Json)[attr], rawValue, `${path}.${info.baseName}`);
            }
        }
    };
    walk(instance, data, "$");
    return problems;
}

export { modelProblems };

function check(serializer: typeof v1.ObjectSerializer, data: unknown, type: string): void {
    const problems = modelProblems(serializer, data, type);
    if (problems.length > 0) throw new ApiError(400, problems);
}

/** The API's rules on a metric alert's thresholds that the models cannot express. */
function monitorRuleProblems(m: Json): string[] {
    const options = (m.options ?? {}) as Json;
    const t = (options.thresholds ?? {}) as { critical?: number; warning?: number | null };
    if (m.type !== "metric alert" && m.type !== "query alert") return [];
    const match = /\s(>=|>|<=|<)\s*(-?[0-9.]+)\s*$/.exec(String(m.query));
    if (!match) return ["The value provided for parameter 'query' is invalid"];
    const [, comparator, value] = match;
    const problems: string[] = [];
    if (t.critical === undefined || Number(value) !== t.critical) {
        problems.push(`Alert threshold (${t.critical}) does not match that used in the query (${value}).`);
    }
    if (t.warning !== undefined && t.warning !== null && t.critical !== undefined) {
        const above = comparator.startsWith(">");
        if (above ? t.warning >= t.critical : t.warning <= t.critical) {
            problems.push(`Warning threshold (${t.warning}) must be ${above ? "less" : "greater"} than the alert threshold (${t.critical}).`);
        }
    }
    return problems;
}

/** The slug the API puts in a dashboard's url: lower case, spaces as '-', other punctuation dropped. */
function slug(title: string): string {
    return title
        .toLowerCase()
        .replace(/\s+/g, "-")
        .replace(/[^a-z0-9-]/g, "");
}

/** A dashboard id as the API makes them: three groups of three lowercase letters or digits. */
function dashboardId(n: number): string {
    const s = (n * 7919 + 1_000_003).toString(36).padStart(9, "0").slice(-9);
    return `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6, 9)}`;
}

const CREATOR = { name: "frog", handle: "frog@datadoghq.com", email: "frog@datadoghq.com", id: 1445416 };
const ORG_ID = 321813;

export class DatadogApiStandIn {
    readonly requests: RecordedRequest[] = [];
    readonly monitors = new Map<number, Json>();
    readonly dashboards = new Map<string, Json>();
    readonly downtimes = new Map<string, Json>();
    readonly slos = new Map<string, Json>();
    /** The next create of each of these kinds answers 500 (once; the kind is then removed). */
    readonly failNextCreate = new Set<Kind>();
    /** The next n creates of a kind are stored, then answered 504 (n counts down; the kind is then removed). */
    readonly storeThen504 = new Map<Kind, number>();
    /** "METHOD /path" (ids as {id}) -> milliseconds the answer is held after the request was handled. */
    readonly delays = new Map<string, number>();
    /** The most items a list endpoint puts in one page, whatever size it is asked (the API's own caps when unset). */
    maxPageSize: number | undefined = undefined;
    /** What has arrived, and when: the read endpoints' scripted timeline (datadogReads.ts). */
    readonly telemetry = new Telemetry(modelProblems);
    /** Emits "request" (a RecordedRequest) when a request has been handled, before its answer is sent. */
    readonly events = new EventEmitter();
    private nextId = 1;
    private server!: http.Server;
    url = "";

    private constructor(
        private readonly apiKey: string,
        private readonly appKey: string,
    ) {}

    /** Starts the stand-in on an ephemeral loopback port; only this key pair is valid. */
    static async start(keys: { apiKey: string; appKey: string }): Promise<DatadogApiStandIn> {
        const api = new DatadogApiStandIn(keys.apiKey, keys.appKey);
        api.server = http.createServer((req, res) => api.handle(req, res));
        await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
        api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/`;
        return api;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    /** Resolves with the first request, past or future, that `match` accepts. */
    waitFor(match: (r: RecordedRequest) => boolean): Promise<RecordedRequest> {
        const seen = this.requests.find(match);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve) => {
            const on = (r: RecordedRequest) => {
                if (!match(r)) return;
                this.events.off("request", on);
                resolve(r);
            };
            this.events.on("request", on);
        });
    }

    /** The bodies of the requests with this method whose path matches. */
    bodies(method: string, path: RegExp): Json[] {
        return this.requests.filter((r) => r.method === method && path.test(r.path)).map((r) => r.body as Json);
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const [path, search = ""] = (req.url ?? "/").split("?");
            const text = Buffer.concat(chunks).toString("utf8");
            let status: number;
            let answer: unknown;
            let recorded: RecordedRequest = { method: req.method ?? "", path, body: undefined };
            try {
                const body = text === "" ? undefined : JSON.parse(text);
                recorded = { method: req.method ?? "", path, body };
                this.requests.push(recorded);
                this.authenticate(req, path);
                [status, answer] = this.route(req.method ?? "", path, body, new URLSearchParams(search));
            } catch (e) {
                if (e instanceof ApiError || e instanceof ReadError) [status, answer] = [e.status, { errors: e.errors }];
                else if (e instanceof SyntaxError) [status, answer] = [400, { errors: ["Invalid JSON"] }];
                else [status, answer] = [500, { errors: [String(e)] }];
            }
            this.events.emit("request", recorded);
            const send = () => {
                // A 429 says when to retry, as the API's rate limit headers do.
                const limit = status === 429 ? { "X-RateLimit-Limit": "60", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1" } : {};
                res.writeHead(status, answer === undefined ? limit : { "Content-Type": "application/json", ...limit });
                res.end(answer === undefined ? undefined : JSON.stringify(answer));
            };
            const delay = this.delays.get(`${req.method} ${path.replace(ID_SEGMENT, "/{id}")}`);
            if (delay) setTimeout(send, delay);
            else send();
        });
    }

    /** Wrong or missing keys: 403 {"errors":["Forbidden"]}, as the API answers. */
    private authenticate(req: http.IncomingMessage, path: string): void {
        const apiOk = req.headers["dd-api-key"] === this.apiKey;
        // /api/v1/validate checks the API key only.
        const appOk = path === "/api/v1/validate" || req.headers["dd-application-key"] === this.appKey;
        if (!apiOk || !appOk) throw new ApiError(403, ["Forbidden"]);
    }

    private route(method: string, path: string, body: unknown, query: URLSearchParams): [number, unknown] {
        const key = `${method} ${path.replace(ID_SEGMENT, "/{id}")}`;
        const id = /\/api\/v[12]\/\w+\/([^/]+)/.exec(path)?.[1] ?? "";
        const read = this.telemetry.route(method, path, body, query);
        if (read) return read;
        switch (key) {
            case "GET /api/v1/validate":
                return [200, { valid: true }];
            case "POST /api/v1/monitor/validate":
                this.validMonitor(body, "Monitor");
                return [200, {}]; // TestAccDatadogMonitor_Basic.yaml: validate answers {}
            case "POST /api/v1/monitor/{id}/validate":
                this.monitor(Number(id));
                this.validMonitor(body, "Monitor");
                return [200, {}]; // TestAccDowntimeScheduleBasicOneTimeWithMonitorID.yaml
            case "POST /api/v1/monitor":
                return this.created("monitor", this.createMonitor(body as Json));
            case "GET /api/v1/monitor": {
                // monitor_tags: a comma-separated list, each of which a monitor must carry.
                const tags = (query.get("monitor_tags") ?? "").split(",").filter(Boolean);
                const all = [...this.monitors.values()].filter((m) => tags.every((t) => (m.tags as string[]).includes(t)));
                if (!query.has("page")) return [200, all];
                const size = this.pageSize(query.get("page_size"), 100, 1000);
                return [200, all.slice(Number(query.get("page")) * size).slice(0, size)];
            }
            case "GET /api/v1/dashboard": {
                const all = [...this.dashboards.values()].map(({ widgets: _w, ...summary }) => (void _w, summary));
                return [200, { dashboards: this.page(all, query.get("start"), this.pageSize(query.get("count"), 100)) }];
            }
            case "GET /api/v1/slo": {
                const tags = (query.get("tags_query") ?? "").split(",").filter(Boolean);
                const all = [...this.slos.values()].filter((o) => tags.every((t) => (o.tags as string[]).includes(t)));
                return [200, { data: this.page(all, query.get("offset"), this.pageSize(query.get("limit"), 1000)), error: null }];
            }
            case "GET /api/v2/downtime": {
                const all = [...this.downtimes.values()].map((d) => this.downtimeData(d));
                const data = this.page(all, query.get("page[offset]"), this.pageSize(query.get("page[limit]"), 30));
                return [200, { data, meta: { page: { total_filtered_count: all.length } } }];
            }
            case "GET /api/v1/monitor/{id}":
                this.telemetry.limit();
                return [200, this.telemetry.monitorState(this.monitor(Number(id)))];
            case "PUT /api/v1/monitor/{id}":
                return [200, this.updateMonitor(Number(id), body as Json)];
            case "DELETE /api/v1/monitor/{id}":
                this.monitor(Number(id));
                this.monitors.delete(Number(id));
                return [200, { deleted_monitor_id: Number(id) }]; // TestAccDatadogMonitor_Updated.yaml
            case "POST /api/v1/dashboard":
                return this.created("dashboard", this.putDashboard(undefined, body as Json));
            case "GET /api/v1/dashboard/{id}":
                return [200, this.dashboard(id)];
            case "PUT /api/v1/dashboard/{id}":
                return [200, this.putDashboard(this.dashboard(id), body as Json)];
            case "DELETE /api/v1/dashboard/{id}":
                this.dashboard(id);
                this.dashboards.delete(id);
                return [200, { deleted_dashboard_id: id }]; // TestAccDatadogDashboard_update.yaml
            case "POST /api/v2/downtime":
                return this.created("downtime", this.putDowntime(undefined, body as Json));
            case "GET /api/v2/downtime/{id}":
                return [200, { data: this.downtimeData(this.downtime(id)) }];
            case "PATCH /api/v2/downtime/{id}":
                return [200, this.putDowntime(this.downtime(id), body as Json)];
            case "DELETE /api/v2/downtime/{id}":
                this.downtime(id);
                this.downtimes.delete(id);
                return [204, undefined]; // TestAccDowntimeScheduleBasicRecurring.yaml: 204, no body
            // SLOs answer {data, error: null}, data a list on create and update
            // (TestAccDatadogServiceLevelObjective_Basic.yaml).
            case "POST /api/v1/slo":
                return this.created("slo", { data: [this.putSlo(undefined, body as Json)], error: null });
            case "GET /api/v1/slo/{id}":
                return [200, { data: this.slo(id), error: null }];
            case "PUT /api/v1/slo/{id}":
                return [200, { data: [this.putSlo(this.slo(id), body as Json)], error: null }];
            case "DELETE /api/v1/slo/{id}":
                this.slo(id);
                this.slos.delete(id);
                return [200, { data: [id], error: null }];
            default:
                throw new ApiError(404, [`the stand-in does not serve ${method} ${path}`]);
        }
    }

    /** The size of a page: as asked (else the endpoint's default), at most `max` and maxPageSize. */
    private pageSize(asked: string | null, fallback: number, max = Infinity): number {
        return Math.min(asked === null ? fallback : Number(asked), max, this.maxPageSize ?? Infinity);
    }

    private page<T>(all: T[], offset: string | null, size: number): T[] {
        return all.slice(Number(offset ?? 0), Number(offset ?? 0) + size);
    }

    /** A stored object's answer: 200, or 504 when storeThen504 asks it of this kind. */
    private created(kind: Kind, answer: unknown): [number, unknown] {
        const left = this.storeThen504.get(kind) ?? 0;
        if (left === 0) return [200, answer];
        if (left === 1) this.storeThen504.delete(kind);
        else this.storeThen504.set(kind, left - 1);
        return [504, { errors: ["Gateway Timeout"] }];
    }

    private failIfAsked(kind: Kind): void {
        if (this.failNextCreate.delete(kind)) throw new ApiError(500, ["Internal Server Error"]);
    }

    private validMonitor(body: unknown, type: "Monitor" | "MonitorUpdateRequest"): Json {
        check(v1.ObjectSerializer, body, type);
        const problems = monitorRuleProblems(body as Json);
        if (problems.length > 0) throw new ApiError(400, problems);
        return body as Json;
    }

    private monitor(id: number): Json {
        const m = this.monitors.get(id);
        if (!m) throw new ApiError(404, ["Monitor not found"]); // TestAccDatadogMonitor_Updated.yaml
        return m;
    }

    /**
     * The monitor as the API returns it (TestAccDowntimeScheduleBasicOneTimeWithMonitorID.yaml,
     * TestAccDatadogMonitor_Basic.yaml): the fields sent, plus id, org_id, multi, created/modified,
     * creator, overall_state; options gain notify_audit (false unless sent) and silenced {}.
     */
    private createMonitor(body: Json): Json {
        const m = this.validMonitor(body, "Monitor");
        this.failIfAsked("monitor");
        const id = 243548376 + this.nextId++;
        const now = new Date();
        const monitor: Json = {
            id,
            org_id: ORG_ID,
            type: m.type,
            name: m.name,
            message: m.message,
            tags: m.tags ?? [],
            query: m.query,
            options: { ...(m.options as Json), notify_audit: (m.options as Json)?.notify_audit ?? false, silenced: {} },
            multi: /\bby\s*\{/.test(String(m.query)),
            created_at: now.getTime(),
            created: now.toISOString(),
            modified: now.toISOString(),
            deleted: null,
            priority: m.priority ?? null,
            restricted_roles: m.restricted_roles ?? null,
            draft_status: m.draft_status ?? "published",
            assets: [],
            overall_state_modified: null,
            overall_state: "No Data",
            creator: CREATOR,
        };
        this.monitors.set(id, monitor);
        return monitor;
    }

    /** PUT replaces what is sent (TestAccDatadogMonitor_Updated.yaml). */
    private updateMonitor(id: number, body: Json): Json {
        const old = this.monitor(id);
        const m = this.validMonitor(body, "MonitorUpdateRequest");
        const { id: _ignored, ...fields } = m;
        void _ignored;
        const monitor: Json = {
            ...old,
            ...fields,
            options: { ...(m.options as Json), notify_audit: (m.options as Json)?.notify_audit ?? false, silenced: {} },
            multi: /\bby\s*\{/.test(String(m.query ?? old.query)),
            modified: new Date().toISOString(),
        };
        this.monitors.set(id, monitor);
        return monitor;
    }

    private dashboard(id: string): Json {
        const d = this.dashboards.get(id);
        if (!d) throw new ApiError(404, [`Dashboard with ID ${id} not found`]); // TestAccDatadogDashboardQueryValue.yaml
        return d;
    }

    /**
     * The dashboard as the API returns it (TestAccDatadogDashboardMultiSizeLayout_createAuto.yaml,
     * TestAccDatadogDashboardQueryValue.yaml): the fields sent without the empty id, plus id,
     * url /dashboard/<id>/<slug of the title>, author, is_read_only, created_at/modified_at, and a
     * numeric id on each widget.
     */
    private putDashboard(old: Json | undefined, body: Json): Json {
        check(v1.ObjectSerializer, body, "Dashboard");
        if (!old) this.failIfAsked("dashboard");
        const id = (old?.id as string | undefined) ?? dashboardId(this.nextId++);
        const now = new Date().toISOString();
        const { id: _ignored, ...fields } = body;
        void _ignored;
        const dashboard: Json = {
            id,
            ...fields,
            author_handle: CREATOR.handle,
            author_name: CREATOR.name,
            url: `/dashboard/${id}/${slug(String(body.title))}`,
            is_read_only: false,
            widgets: (body.widgets as Json[]).map((w, i) => ({ ...w, id: w.id ?? 2199010037072634 + i + this.nextId++ })),
            created_at: old?.created_at ?? now,
            modified_at: now,
        };
        this.dashboards.set(id, dashboard);
        return dashboard;
    }

    private slo(id: string): Json {
        const s = this.slos.get(id);
        if (!s) throw new ApiError(404, [`SLO not found: ${id} not found`]); // TestAccDatadogServiceLevelObjective_Basic.yaml
        return s;
    }

    /**
     * The SLO as the API returns it (TestAccDatadogServiceLevelObjective_Basic.yaml): the fields
     * sent, plus a 32-hex id, creator, created_at/modified_at in seconds, monitor_tags [], type_id
     * 1 for a metric SLO, and each threshold's target_display (and warning_display).
     */
    private putSlo(old: Json | undefined, body: Json): Json {
        check(v1.ObjectSerializer, body, old ? "ServiceLevelObjective" : "ServiceLevelObjectiveRequest");
        if (!old) this.failIfAsked("slo");
        const id = (old?.id as string | undefined) ?? (this.nextId++).toString(16).padStart(32, "c");
        const now = Math.floor(Date.now() / 1000);
        const { id: _ignored, ...fields } = body;
        void _ignored;
        const display = (n: number) => (Number.isInteger(n) ? `${n}.` : String(n));
        const slo: Json = {
            monitor_tags: [],
            ...fields,
            id,
            creator: { handle: CREATOR.handle, name: CREATOR.name, email: CREATOR.email },
            type_id: body.type === "metric" ? 1 : 0,
            thresholds: (body.thresholds as Json[]).map((t) => ({
                ...t,
                target_display: display(t.target),
                ...(t.warning === undefined ? {} : { warning_display: display(t.warning) }),
            })),
            created_at: old?.created_at ?? now,
            modified_at: now,
        };
        this.slos.set(id, slo);
        return slo;
    }

    private downtime(id: string): Json {
        const d = this.downtimes.get(id);
        if (!d) throw new ApiError(404, ["Not found"]); // no cassette records a downtime 404; the v2 error shape
        return d;
    }

    /**
     * A downtime's attributes as the API keeps them (TestAccDowntimeScheduleBasicRecurring.yaml,
     * TestAccDowntimeScheduleChanged.yaml, TestAccDowntimeScheduleBasicOneTimeWithMonitorID.yaml):
     * a recurrence's start reads back as the local date-time to the second, without offset, as
     * sent; display_timezone "" reads back as UTC; message null when not sent; notify_end_types
     * ["expired"] and notify_end_states all three when not sent.
     */
    private putDowntime(old: Json | undefined, body: Json): Json {
        check(v2.ObjectSerializer, body, old ? "DowntimeUpdateRequest" : "DowntimeCreateRequest");
        const a = (body.data as Json).attributes as Json;
        const schedule = a.schedule as Json | undefined;
        for (const r of ((schedule?.recurrences ?? []) as Json[])) {
            try {
                rrulestr(String(r.rrule));
            } catch {
                throw new ApiError(400, [`Invalid recurrence rule: ${String(r.rrule)}`]);
            }
            if (r.start !== undefined && r.start !== null && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(String(r.start))) {
                throw new ApiError(400, [`Invalid start: ${String(r.start)}`]);
            }
            // The API refuses a past start on create and on update (the project's troubleshooting
            // row); stricter than it may be on an update that resends an unchanged start.
            if (r.start && DateTime.fromISO(String(r.start), { zone: String(schedule?.timezone ?? "UTC") }) <= DateTime.now()) {
                throw new ApiError(400, ["Scheduled downtime start cannot be in the past"]);
            }
        }
        const monitorId = (a.monitor_identifier as Json | undefined)?.monitor_id;
        if (monitorId !== undefined) this.monitor(Number(monitorId));
        if (!old) this.failIfAsked("downtime");
        const id = (old?.id as string | undefined) ?? `7044ed63-b463-4544-96c8-${String(this.nextId++).padStart(12, "0")}`;
        const now = new Date().toISOString();
        const prev = (old?.attributes ?? {}) as Json;
        const attributes: Json = {
            ...prev,
            ...a,
            display_timezone: a.display_timezone || prev.display_timezone || "UTC",
            message: a.message ?? null,
            notify_end_types: a.notify_end_types ?? prev.notify_end_types ?? ["expired"],
            notify_end_states: a.notify_end_states ?? prev.notify_end_states ?? ["alert", "no data", "warn"],
            canceled: null,
            status: "scheduled",
            created: prev.created ?? now,
            modified: now,
        };
        if (schedule?.recurrences) {
            attributes.schedule = {
                timezone: schedule.timezone ?? "UTC",
                recurrences: (schedule.recurrences as Json[]).map((r) => ({
                    rrule: r.rrule,
                    duration: r.duration,
                    start: r.start ? String(r.start).replace(/^(.{16})$/, "$1:00") : now.slice(0, 19),
                })),
            };
        }
        const downtime: Json = { id, attributes, monitorId: monitorId ?? null };
        this.downtimes.set(id, downtime);
        return {
            data: {
                ...this.downtimeData(downtime),
                relationships: {
                    created_by: { data: { type: "users", id: "3ad549bf-eba0-11e9-a77a-0705486660d0" } },
                    monitor: { data: monitorId === undefined ? null : { type: "monitor", id: String(monitorId) } },
                },
            },
        };
    }

    private downtimeData(d: Json): Json {
        return { type: "downtime", id: d.id, attributes: d.attributes };
    }
}
