import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import type { MonitorConfig } from "../config/stackConfig";
import { ExerciseDashboard } from "./dashboard";
import { MonitorDowntimes } from "./downtimes";
import { MyMetricMonitor } from "./monitor";

export interface ObservabilityArgs {
    datadog: { apiKey: pulumi.Input<string>; appKey: pulumi.Input<string>; apiUrl: string; appUrl: string };
    env: string;
    hostname: string;
    monitor: MonitorConfig;
    timezone: string;
    downtimeStartDate: string;
}

/** Everything on the Datadog side, through one explicit provider: timeboard, monitor, downtimes. */
export class Observability extends pulumi.ComponentResource {
    public readonly dashboard: ExerciseDashboard;
    public readonly monitor: MyMetricMonitor;
    public readonly downtimes: MonitorDowntimes;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:Observability", name, {}, opts);

        const provider = new datadog.Provider(
            `${name}-provider`,
            { apiKey: args.datadog.apiKey, appKey: args.datadog.appKey, apiUrl: args.datadog.apiUrl },
            { parent: this },
        );
        const childOpts = { parent: this, providers: [provider] };

        this.dashboard = new ExerciseDashboard(
            `${name}-timeboard`,
            { env: args.env, hostname: args.hostname, appUrl: args.datadog.appUrl },
            childOpts,
        );
        this.monitor = new MyMetricMonitor(`${name}-my-metric`, { ...args.monitor, env: args.env, appUrl: args.datadog.appUrl }, childOpts);
        this.downtimes = new MonitorDowntimes(
            `${name}-downtimes`,
            {
                monitorId: this.monitor.monitor.id,
                env: args.env,
                timezone: args.timezone,
                startDate: args.downtimeStartDate,
                notifyEmail: args.monitor.notifyEmail,
            },
            childOpts,
        );

        this.registerOutputs({ dashboardUrl: this.dashboard.url, monitorUrl: this.monitor.url });
    }
}
