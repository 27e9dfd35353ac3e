// `npm run deploy -- verify [stack] [--wait <minutes>]`: asks Datadog, with the stack's own keys,
// whether each signal the demo promises has arrived since the stack's last update (docs/live-demo.md).
import { Api, datadogApi, plainError } from "./datadogClient";
import { duration, Output, ProgressLine, table } from "./report";
import { StackContext, StackMonitor } from "./stackContext";
import { pause, Timing } from "./timing";

export type SignalState = "arrived" | "waiting" | "missing";

/** What one look at a signal found: when it first arrived (undefined: not yet), and what was seen. */
export interface Look {
    arrivedAt?: Date;
    seen: string;
}

export interface Signal {
    name: string;
    /** Minutes after the update within which it should have arrived: "waiting" before, "missing" after. */
    expectMinutes: number;
    /** The next thing to check when it has not arrived. */
    next: string;
    look(api: Api, now: Date): Promise<Look>;
}

export interface Row {
    signal: string;
    state: SignalState;
    arrivedAt?: Date;
    seen: string;
    next: string;
}

/** The metrics query of the last minutes since the update: its points, and the rollup interval the API used. */
async function points(api: Api, ctx: StackContext, now: Date, query: string): Promise<{ points: [number, number][]; interval: number }> {
    const from = Math.max(ctx.lastUpdate.getTime(), now.getTime() - 10 * 60_000);
    const r = await api.metrics.queryMetrics({ from: Math.floor(from / 1000), to: Math.floor(now.getTime() / 1000), query });
    const series = r.series ?? [];
    const all = series.flatMap((s) => (s.pointlist ?? []).filter((p): p is [number, number] => p[1] !== null && p[0] >= from));
    return { points: all.sort((a, b) => a[0] - b[0]), interval: Math.max(0, ...series.map((s) => s.interval ?? 0)) };
}

/** The first log of `query` since the update (logs search, oldest first). */
async function firstLog(api: Api, ctx: StackContext, now: Date, query: string): Promise<Look> {
    const r = await api.logs.listLogs({
        body: { filter: { query, from: ctx.lastUpdate.toISOString(), to: now.toISOString() }, sort: "timestamp", page: { limit: 1 } },
    });
    const log = r.data?.[0];
    return log?.attributes?.timestamp ? { arrivedAt: new Date(log.attributes.timestamp), seen: `"${String(log.attributes.message ?? "").slice(0, 40)}"` } : { seen: "no log line yet" };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The signals of a stack, with the query each one asks and what to check when it is missing. */
export function signals(ctx: StackContext): Signal[] {
    const c = ctx.config;
    const k8s = c.platform === "kubernetes";
    const ns = `${c.env}-exercise`;
    const agentStatus = k8s ? `kubectl -n ${ns} exec <the agent pod: kubectl -n ${ns} get pods> -- agent status` : `docker exec ${c.env}-datadog-agent agent status`;
    const agentCheck = (check: string) => (k8s ? `kubectl -n ${ns} exec <the agent pod> -- agent check ${check}` : `docker exec ${c.env}-datadog-agent agent check ${check}`);
    // On Kubernetes the host is the node: ask by env (and service), not by the configured hostname.
    const scope = k8s ? `env:${c.env}` : `host:${c.hostname}`;
    const metricSignal = (name: string, query: string, next: string, expectMinutes = 3): Signal => ({
        name,
        expectMinutes,
        next,
        look: async (api, now) => {
            const p = await points(api, ctx, now, query);
            const n = p.points.length;
            return n > 0 ? { arrivedAt: new Date(p.points[0][0]), seen: `${n} point${n === 1 ? "" : "s"}` } : { seen: "no point yet" };
        },
    });
    const logSignal = (name: string, query: string, next: string): Signal => ({ name, expectMinutes: 3, next, look: (api, now) => firstLog(api, ctx, now, query) });
    const range = c.scenario.myMetric;
    const list: Signal[] = [
        {
            name: "Agent host",
            expectMinutes: 3,
            next: `${agentStatus} (Forwarder: API key and site); README Troubleshooting, 403 Forbidden`,
            look: async (api, now) => {
                const r = await api.hosts.listHosts({ filter: k8s ? `env:${c.env}` : c.hostname });
                const hosts = (r.hostList ?? []).filter((h) => k8s || h.name === c.hostname || h.hostName === c.hostname);
                const wanted = [`env:${c.env}`, ...c.hostTags];
                for (const h of hosts) {
                    const tags = new Set(Object.values(h.tagsBySource ?? {}).flat());
                    const lacking = wanted.filter((t) => !tags.has(t));
                    if (lacking.length === 0) return { arrivedAt: now, seen: `${h.name}, tags ${wanted.join(" ")}` };
                    return { seen: `${h.name} lacks the tags ${lacking.join(" ")}` };
                }
                return { seen: k8s ? `no host with env:${c.env}` : `no host ${c.hostname}` };
            },
        },
    ];
    if (range) {
        list.push({
            name: "my_metric",
            expectMinutes: 2 + (3 * c.checkIntervalSeconds) / 60,
            next: `${agentCheck("custom_my_metric")}; README Troubleshooting, my_metric missing`,
            look: async (api, now) => {
                const p = await points(api, ctx, now, `avg:my_metric{${scope}}`);
                if (p.points.length < 3) return { seen: `${p.points.length} point${p.points.length === 1 ? "" : "s"} since the update` };
                const spacing = median(p.points.slice(1).map((pt, i) => (pt[0] - p.points[i][0]) / 1000));
                const expected = Math.max(c.checkIntervalSeconds, p.interval);
                const values = p.points.map((pt) => pt[1]);
                const [low, high] = [Math.min(...values), Math.max(...values)];
                const seen = `${p.points.length} points, every ${Math.round(spacing)} s, ${Math.round(low)}..${Math.round(high)}`;
                if (spacing < expected / 2 || spacing > expected * 1.5) return { seen: `${seen}: not every ${c.checkIntervalSeconds} s (checkIntervalSeconds)` };
                if (low < range.low || high > range.high) return { seen: `${seen}: outside ${c.scenario.name}'s ${range.low}..${range.high}` };
                return { arrivedAt: new Date(p.points[0][0]), seen: `${seen} (${c.scenario.name}: ${range.low}..${range.high})` };
            },
        });
    }
    list.push(
        metricSignal("PostgreSQL metrics", `avg:postgresql.connections{env:${c.env}}`, agentCheck("postgres")),
        metricSignal("DBM query metrics", `sum:postgresql.queries.count{env:${c.env}}.as_count()`, `${agentCheck("postgres")} (dbm: true; the datadog role's pg_stat_statements)`),
        metricSignal("traces", `sum:trace.flask.request.hits{env:${c.env},service:${c.service}}.as_count()`, `${agentStatus} (APM Agent); README Troubleshooting, No traces in APM`),
        logSignal("PostgreSQL logs", `service:postgres env:${c.env}`, `${agentStatus} (Logs Agent)`),
        logSignal("app logs", `service:${c.service} env:${c.env}`, `${agentStatus} (Logs Agent)`),
        logSignal("app log with a trace id", `service:${c.service} env:${c.env} @dd.trace_id:*`, "the app's DD_LOGS_INJECTION=true and its JSON log format (container-src/app/app.py)"),
    );
    for (const m of ctx.monitors) list.push(monitorSignal(ctx, m));
    return list;
}

/** A monitor reports a state other than No Data (in `nodata`, the my_metric monitor's is No Data). */
function monitorSignal(ctx: StackContext, m: StackMonitor): Signal {
    const nodata = ctx.config.scenario.name === "nodata" && m.kind === "my_metric";
    return {
        name: `${m.kind} monitor`,
        expectMinutes: ctx.config.monitor.noDataMinutes,
        next: `its page in Datadog (monitor ${m.id}); the rows above it: a monitor reports No Data while its metric is missing`,
        look: async (api, now) => {
            const state = String((await api.monitors.getMonitor({ monitorId: m.id })).overallState ?? "unknown");
            const ok = nodata ? state === "No Data" : ["OK", "Warn", "Alert"].includes(state);
            return ok ? { arrivedAt: now, seen: state } : { seen: nodata ? `${state} (nodata promises No Data)` : state };
        },
    };
}

/** The rows of one look at every signal; a signal seen before keeps its first arrival. */
export async function look(api: Api, ctx: StackContext, list: Signal[], first: Map<string, Date>, now: Date, t: Timing): Promise<Row[]> {
    const since = (now.getTime() - ctx.lastUpdate.getTime()) / t.minuteMs;
    return Promise.all(
        list.map(async (s) => {
            const l = await s.look(api, now);
            if (l.arrivedAt && !first.has(s.name)) first.set(s.name, l.arrivedAt);
            const arrivedAt = l.arrivedAt ? first.get(s.name) : undefined;
            return { signal: s.name, state: arrivedAt ? "arrived" : since < s.expectMinutes ? "waiting" : "missing", arrivedAt, seen: l.seen, next: s.next } satisfies Row;
        }),
    );
}

/** The table: each signal, its state, when it first arrived (after the update), what was seen; the next check for one not arrived. */
export function verifyTable(rows: Row[], lastUpdate: Date, t: Timing): string {
    const after = (d: Date | undefined) => (d === undefined ? "-" : d < lastUpdate ? "before it" : `+${duration(((d.getTime() - lastUpdate.getTime()) / t.minuteMs) * 60)}`);
    return table(
        ["signal", "state", "first arrived (since the update)", "seen", "next check"],
        rows.map((r) => [r.signal, r.state, after(r.arrivedAt), r.seen, r.state === "arrived" ? "" : r.next]),
    );
}

export async function verify(ctx: StackContext, waitMinutes: number | undefined, t: Timing, out: Output, signal?: AbortSignal): Promise<number> {
    const api = datadogApi(ctx.access, (line) => console.error(line));
    const list = signals(ctx);
    const first = new Map<string, Date>();
    const started = Date.now();
    const progress = new ProgressLine(out);
    console.log(`verify ${ctx.stack}: env ${ctx.config.env}, ${ctx.config.platform === "kubernetes" ? "Kubernetes (by env and service)" : `host ${ctx.config.hostname}`}, service ${ctx.config.service}, scenario ${ctx.config.scenario.name}; last update ${ctx.lastUpdate.toISOString()}`);
    let rows: Row[];
    for (;;) {
        try {
            rows = await look(api, ctx, list, first, new Date(), t);
        } catch (e) {
            progress.done();
            throw plainError(e, ctx.access, ctx.stack);
        }
        const left = rows.filter((r) => r.state !== "arrived");
        const elapsed = Date.now() - started;
        if (left.length === 0 || waitMinutes === undefined || elapsed >= waitMinutes * t.minuteMs || signal?.aborted) break;
        progress.update(
            `${rows.length - left.length}/${rows.length} arrived; waiting for ${left.map((r) => r.signal).join(", ")} (${duration((elapsed / t.minuteMs) * 60)} of ${duration(waitMinutes * 60)})`,
        );
        await pause(t.pollMs, signal);
    }
    progress.done();
    console.log(verifyTable(rows, ctx.lastUpdate, t));
    const left = rows.filter((r) => r.state !== "arrived").length;
    console.log(left === 0 ? `Every signal has arrived (${rows.length}).` : `${left} of ${rows.length} signals have not arrived: see their next check above, or docs/live-demo.md.`);
    return left === 0 ? 0 : 1;
}
