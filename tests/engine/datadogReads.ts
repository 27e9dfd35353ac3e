// The Datadog API stand-in's read endpoints (datadogApi.ts routes to them first), for verify,
// scenario --wait and rehearse: what "arrives", and when, is a timeline the test scripts.
//
// - GET /api/v1/hosts (filter: a host name, or comma-separated tags), answered as HostListResponse;
// - GET /api/v1/query (from, to in seconds; query `<aggr>:<metric>{<tag>,...}[.as_count()]`), as
//   MetricsQueryResponse: one series per query, points every intervalSeconds from its arrival;
// - POST /api/v2/logs/events/search (a LogsListRequest: `service:x env:y [@dd.trace_id:*]`, ISO or
//   now-relative from/to, sort, page.limit), as LogsListResponse;
// - a monitor's overall_state (GET /api/v1/monitor/{id}) follows its scripted states.
// Every request is checked with the client's models (datadogApi.ts's check), and every answer is
// checked against the response model before it is sent: a shape the client would not read is a 500.
// Shapes: docs.datadoghq.com/api/latest/hosts (Get all hosts), /metrics (Query timeseries points,
// v1), /logs (Search logs, v2) and /monitors (Get a monitor's details): their example responses.
// A "never" arrival is Infinity.
import { v1, v2 } from "@datadog/datadog-api-client";

/** The stand-in's 4xx/5xx: status and the API's {"errors": [...]} body. */
export class ReadError extends Error {
    constructor(
        readonly status: number,
        readonly errors: string[],
    ) {
        super(errors.join("; "));
    }
}

export interface ScriptedHost {
    name: string;
    /** tags_by_source, as the API groups them ("Datadog": the Agent's host tags). */
    tagsBySource: Record<string, string[]>;
    at: number;
}
export interface ScriptedSeries {
    metric: string;
    /** Tags the series carries (host:<name>, env:<env>, service:<service>, …): a query's scope must be among them. */
    tags: string[];
    intervalSeconds: number;
    low: number;
    high: number;
    at: number;
}
export interface ScriptedLog {
    service: string;
    tags: string[];
    message: string;
    traceId?: string;
    at: number;
}
export interface ScriptedState {
    /** The monitor's name. */
    name: RegExp;
    state: "OK" | "Warn" | "Alert" | "No Data";
    at: number;
}

type Check = (serializer: typeof v1.ObjectSerializer, data: unknown, type: string) => string[];
type Json = Record<string, any>;

export class Telemetry {
    hosts: ScriptedHost[] = [];
    series: ScriptedSeries[] = [];
    logs: ScriptedLog[] = [];
    states: ScriptedState[] = [];
    /** The next n reads answer 429, with X-RateLimit-Reset: 1 (seconds), as the API does. */
    rateLimited = 0;
    /** Clears the script. */
    reset(): void {
        this.hosts = [];
        this.series = [];
        this.logs = [];
        this.states = [];
        this.rateLimited = 0;
    }

    constructor(private readonly problems: Check) {}

    /** The answer of a read endpoint, or undefined for a request that is none. */
    route(method: string, path: string, body: unknown, query: URLSearchParams): [number, unknown] | undefined {
        const key = `${method} ${path}`;
        const handlers: Record<string, () => [number, unknown]> = {
            "GET /api/v1/hosts": () => [200, this.answer(v1.ObjectSerializer, this.listHosts(query), "HostListResponse")],
            "GET /api/v1/query": () => [200, this.answer(v1.ObjectSerializer, this.queryMetrics(query), "MetricsQueryResponse")],
            "POST /api/v2/logs/events/search": () => [200, this.answer(v2.ObjectSerializer, this.searchLogs(body as Json), "LogsListResponse")],
        };
        if (!handlers[key]) return undefined;
        this.limit();
        return handlers[key]();
    }

    /** Throws the 429 the script asks for. */
    limit(): void {
        if (this.rateLimited === 0) return;
        this.rateLimited--;
        throw new ReadError(429, ["Too many requests"]);
    }

    /** The monitor as the API returns it, its overall_state the latest scripted state that has come. */
    monitorState(m: Json): Json {
        const now = Date.now();
        const come = this.states.filter((s) => s.name.test(String(m.name)) && s.at <= now).sort((a, b) => a.at - b.at).pop();
        return come ? { ...m, overall_state: come.state, overall_state_modified: new Date(come.at).toISOString() } : m;
    }

    private answer(serializer: typeof v1.ObjectSerializer, answer: unknown, type: string): unknown {
        const problems = this.problems(serializer, answer, type);
        if (problems.length > 0) throw new ReadError(500, [`the stand-in's own answer is no ${type}: ${problems.join("; ")}`]);
        return answer;
    }

    private listHosts(query: URLSearchParams): Json {
        const filter = query.get("filter") ?? "";
        const now = Date.now();
        const tags = filter.includes(":") ? filter.split(",").map((t) => t.trim()) : [];
        const hosts = this.hosts.filter(
            (h) => h.at <= now && (filter === "" || (tags.length > 0 ? tags.every((t) => Object.values(h.tagsBySource).flat().includes(t)) : h.name.includes(filter))),
        );
        const list = hosts.map((h, i) => ({
            aliases: [h.name],
            apps: ["agent", "ntp"],
            host_name: h.name,
            id: 2_000_000_000 + i,
            is_muted: false,
            last_reported_time: Math.floor(now / 1000),
            meta: { agent_version: "7.73.0", platform: "linux" },
            metrics: { cpu: 4.2, iowait: 0.1, load: 0.3 },
            mute_timeout: null,
            name: h.name,
            sources: ["agent"],
            tags_by_source: h.tagsBySource,
            up: true,
        }));
        return { host_list: list, total_matching: list.length, total_returned: list.length };
    }

    private queryMetrics(query: URLSearchParams): Json {
        const [from, to, q] = [Number(query.get("from")), Number(query.get("to")), query.get("query") ?? ""];
        if (!Number.isInteger(from) || !Number.isInteger(to) || q === "") throw new ReadError(400, ["from, to and query are required"]);
        const m = /^(avg|sum|min|max):([\w.]+)\{([^}]*)\}(\.as_count\(\))?$/.exec(q);
        if (!m) throw new ReadError(400, [`Error parsing query: ${q}`]);
        const [, aggr, metric, scope] = m;
        const wanted = scope === "*" ? [] : scope.split(",");
        const now = Math.min(Date.now(), to * 1000);
        const series = this.series
            .filter((s) => s.metric === metric && wanted.every((t) => s.tags.includes(t)) && s.at <= now)
            .map((s, index) => {
                const step = s.intervalSeconds * 1000;
                const pointlist: [number, number][] = [];
                for (let k = Math.max(0, Math.ceil((from * 1000 - s.at) / step)); s.at + k * step <= now; k++) {
                    pointlist.push([s.at + k * step, s.low + ((k * 7919) % (s.high - s.low + 1))]);
                }
                return { s, index, pointlist };
            })
            .filter((x) => x.pointlist.length > 0)
            .map(({ s, index, pointlist }) => ({
                aggr,
                display_name: metric,
                end: pointlist[pointlist.length - 1][0] + s.intervalSeconds * 1000 - 1,
                expression: q,
                interval: s.intervalSeconds,
                length: pointlist.length,
                metric,
                pointlist,
                query_index: index,
                scope: scope,
                start: pointlist[0][0],
                tag_set: [],
            }));
        return { status: "ok", res_type: "time_series", query: q, from_date: from * 1000, to_date: to * 1000, series, message: "", group_by: [] };
    }

    private searchLogs(body: Json): Json {
        const problems = this.problems(v2.ObjectSerializer, body, "LogsListRequest");
        if (problems.length > 0) throw new ReadError(400, problems);
        const now = Date.now();
        const time = (t: string | undefined, fallback: number) => {
            if (t === undefined) return fallback;
            const rel = /^now(?:-(\d+)([smhd]))?$/.exec(t);
            if (rel) return now - (rel[1] ? Number(rel[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[rel[2] as "s"] : 0);
            const d = Date.parse(t);
            if (Number.isNaN(d)) throw new ReadError(400, [`Invalid time: ${t}`]);
            return d;
        };
        const from = time(body.filter?.from, now - 15 * 60_000);
        const to = Math.min(now, time(body.filter?.to, now));
        const terms = String(body.filter?.query ?? "*").split(/\s+/).filter((x) => x !== "*" && x !== "");
        const match = (l: ScriptedLog) =>
            terms.every((term) => (term === "@dd.trace_id:*" ? l.traceId !== undefined : term.startsWith("service:") ? l.service === term.slice(8) : l.tags.includes(term)));
        const found = this.logs.filter((l) => l.at >= from && l.at <= to && match(l)).sort((a, b) => (body.sort === "timestamp" ? a.at - b.at : b.at - a.at));
        const page = found.slice(0, body.page?.limit ?? 10);
        return {
            data: page.map((l, i) => ({
                id: `AQAAAY${String(l.at).padStart(14, "0")}${i}`,
                type: "log",
                attributes: {
                    attributes: l.traceId ? { dd: { trace_id: l.traceId } } : {},
                    host: "i-0123456789",
                    message: l.message,
                    service: l.service,
                    status: "info",
                    tags: l.tags,
                    timestamp: new Date(l.at).toISOString(),
                },
            })),
            links: {},
            meta: { elapsed: 12, request_id: "pddv1ChZkYWY3MmU", status: "done", ...(found.length > page.length ? { page: { after: "eyJhZnRlciI6e319" } } : {}) },
        };
    }
}
