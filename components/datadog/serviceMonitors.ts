import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import { stateMessage } from "./monitor";

/** The app's service thresholds: latency in milliseconds, error rate in percent of requests. */
export interface ServiceThresholds {
    readonly latencyP95WarningMs: number;
    readonly latencyP95CriticalMs: number;
    readonly errorRateWarningPercent: number;
    readonly errorRateCriticalPercent: number;
}

export interface ServiceMonitorsArgs {
    env: string;
    /** The app's APM service (DD_SERVICE). */
    service: string;
    thresholds: ServiceThresholds;
    evaluationWindowMinutes: number;
    noDataMinutes: number;
    notifyEmail: string;
    /**
     * Whether a silent service is news: true while the traffic container runs. Without it, no
     * request for noDataMinutes is the normal state, and a NO DATA alert would be noise.
     */
    notifyNoData: boolean;
    /** Tags every monitor of the stack carries; the downtimes select monitors by them. */
    tags: readonly string[];
}

/** The app's requests, as ddtrace's Flask integration names them: trace metrics on every request. */
export function serviceScope(env: string, service: string): string {
    return `{env:${env},service:${service}}`;
}

/** p95 of flask.request, a distribution in seconds, against a threshold in milliseconds. */
export function latencyQuery(a: Pick<ServiceMonitorsArgs, "env" | "service" | "evaluationWindowMinutes">, criticalMs: number): string {
    return `percentile(last_${a.evaluationWindowMinutes}m):p95:trace.flask.request${serviceScope(a.env, a.service)} > ${criticalMs / 1000}`;
}

/**
 * Errors per hundred requests. default_zero: a window without a single error has no errors series
 * at all, and the ratio would read as No Data instead of 0 %.
 */
export function errorRateQuery(a: Pick<ServiceMonitorsArgs, "env" | "service" | "evaluationWindowMinutes">, criticalPercent: number): string {
    const scope = serviceScope(a.env, a.service);
    return (
        `sum(last_${a.evaluationWindowMinutes}m):(default_zero(sum:trace.flask.request.errors${scope}.as_count()) / ` +
        `sum:trace.flask.request.hits${scope}.as_count()) * 100 > ${criticalPercent}`
    );
}

function message(what: string, unit: string, a: ServiceMonitorsArgs): string {
    const over = `over the last ${a.evaluationWindowMinutes} minutes`;
    return stateMessage(
        {
            alert: `${a.service} ${what} is {{value}}${unit} ${over}, above the critical threshold of {{threshold}}${unit}.`,
            warning: `${a.service} ${what} is {{value}}${unit} ${over}, above the warning threshold of {{warn_threshold}}${unit}.`,
            noData: `${a.service} has served no traced request for ${a.noDataMinutes} minutes. Check that the app and the traffic containers run, and the Agent's APM status (agent status).`,
            recovery: `${a.service} ${what} is back under its thresholds ({{value}}${unit}).`,
        },
        a.notifyEmail,
    );
}

/** Two APM monitors on the app's service: p95 latency and error rate, each with warning, critical and no data. */
export class ServiceMonitors extends pulumi.ComponentResource {
    public readonly latency: datadog.Monitor;
    public readonly errorRate: datadog.Monitor;

    constructor(name: string, args: ServiceMonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:ServiceMonitors", name, {}, opts);
        const t = args.thresholds;
        const monitor = (part: string, title: string, query: string, text: string, warning: number, critical: number) =>
            new datadog.Monitor(
                `${name}-${part}`,
                {
                    name: `[${args.env}] ${args.service}: ${title}`,
                    type: "query alert",
                    query,
                    message: text,
                    monitorThresholds: { warning: String(warning), critical: String(critical) },
                    notifyNoData: args.notifyNoData,
                    ...(args.notifyNoData ? { noDataTimeframe: args.noDataMinutes } : {}),
                    requireFullWindow: false,
                    includeTags: true,
                    tags: [...args.tags, `service:${args.service}`],
                },
                { parent: this },
            );

        this.latency = monitor(
            "latency",
            "p95 latency is high",
            latencyQuery(args, t.latencyP95CriticalMs),
            message("p95 latency", "s", args),
            t.latencyP95WarningMs / 1000,
            t.latencyP95CriticalMs / 1000,
        );
        this.errorRate = monitor(
            "error-rate",
            "error rate is high",
            errorRateQuery(args, t.errorRateCriticalPercent),
            message("error rate", "%", args),
            t.errorRateWarningPercent,
            t.errorRateCriticalPercent,
        );

        this.registerOutputs({ latencyId: this.latency.id, errorRateId: this.errorRate.id });
    }
}
