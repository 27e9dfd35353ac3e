import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import type { ApmConfig, MonitorConfig } from "../config/stackConfig";
import { ExerciseDashboard } from "./dashboard";
import { MonitorDowntimes } from "./downtimes";
import { MyMetricMonitor } from "./monitor";
import { ServiceDashboard } from "./serviceDashboard";
import { ServiceMonitors } from "./serviceMonitors";
import { ServiceSlo } from "./serviceSlo";

export interface ObservabilityArgs {
    datadog: { apiKey: pulumi.Input<string>; appKey: pulumi.Input<string>; apiUrl: string; appUrl: string };
    env: string;
    hostname: string;
    monitor: MonitorConfig;
    /** The app's APM service (DD_SERVICE), watched by its own monitors, SLO and dashboard. */
    service: string;
    apm: ApmConfig;
    /** The traffic container's rate: with none (0), the service's monitors do not alert on no data. */
    trafficRequestsPerSecond: number;
    timezone: string;
    downtimeStartDate: string;
}

/** The tags that mark a stack's monitors: the downtimes silence every monitor that has them all. */
export function stackMonitorTags(env: string): string[] {
    return [`env:${env}`, "project:datadog-exercise"];
}

/**
 * Everything on the Datadog side, through one explicit provider: the exercise's timeboard, monitor
 * and downtimes, and the app's service monitors, SLO and dashboard.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly dashboard: ExerciseDashboard;
    public readonly monitor: MyMetricMonitor;
    public readonly serviceMonitors: ServiceMonitors;
    public readonly slo: ServiceSlo;
    public readonly serviceDashboard: ServiceDashboard;
    public readonly downtimes: MonitorDowntimes;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:Observability", name, {}, opts);

        const provider = new datadog.Provider(
            `${name}-provider`,
            { apiKey: args.datadog.apiKey, appKey: args.datadog.appKey, apiUrl: args.datadog.apiUrl },
            { parent: this },
        );
        const childOpts = { parent: this, providers: [provider] };
        const tags = [...stackMonitorTags(args.env), "managed-by:pulumi"];

        this.dashboard = new ExerciseDashboard(
            `${name}-timeboard`,
            { env: args.env, hostname: args.hostname, appUrl: args.datadog.appUrl },
            childOpts,
        );
        this.monitor = new MyMetricMonitor(`${name}-my-metric`, { ...args.monitor, env: args.env, appUrl: args.datadog.appUrl, tags }, childOpts);
        this.serviceMonitors = new ServiceMonitors(
            `${name}-service`,
            {
                env: args.env,
                service: args.service,
                thresholds: args.apm,
                evaluationWindowMinutes: args.monitor.evaluationWindowMinutes,
                noDataMinutes: args.monitor.noDataMinutes,
                notifyEmail: args.monitor.notifyEmail,
                notifyNoData: args.trafficRequestsPerSecond > 0,
                tags,
            },
            childOpts,
        );
        this.slo = new ServiceSlo(
            `${name}-slo`,
            { env: args.env, service: args.service, targetPercent: args.apm.sloTargetPercent, timeframe: args.apm.sloTimeframe, tags },
            childOpts,
        );
        this.serviceDashboard = new ServiceDashboard(
            `${name}-service-dashboard`,
            { env: args.env, service: args.service, sloId: this.slo.slo.id, sloTimeframe: args.apm.sloTimeframe, appUrl: args.datadog.appUrl },
            childOpts,
        );
        this.downtimes = new MonitorDowntimes(
            `${name}-downtimes`,
            {
                monitorTags: stackMonitorTags(args.env),
                env: args.env,
                timezone: args.timezone,
                startDate: args.downtimeStartDate,
                notifyEmail: args.monitor.notifyEmail,
            },
            childOpts,
        );

        this.registerOutputs({
            dashboardUrl: this.dashboard.url,
            monitorUrl: this.monitor.url,
            serviceDashboardUrl: this.serviceDashboard.url,
        });
    }
}
