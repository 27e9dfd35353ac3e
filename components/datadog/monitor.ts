import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import type { MonitorConfig } from "../config/stackConfig";

export interface MyMetricMonitorArgs extends MonitorConfig {
    env: string;
    /** The Datadog web app's base URL, to build the monitor's full URL. */
    appUrl: string;
    /** Tags every monitor of the stack carries (env, project, manager); the downtimes select by them. */
    tags: readonly string[];
}

/**
 * The metric query. Grouped by host, because {{host.ip}} only resolves in a multi-alert on host;
 * the number at the end must equal the critical threshold, or Datadog rejects the monitor.
 */
export function monitorQuery(a: Pick<MyMetricMonitorArgs, "env" | "timeAggregation" | "evaluationWindowMinutes" | "criticalThreshold">): string {
    return `${a.timeAggregation}(last_${a.evaluationWindowMinutes}m):avg:my_metric{env:${a.env}} by {host} > ${a.criticalThreshold}`;
}

/** A monitor's message: one block per state, then the e-mail handle, which is notified on every state change. */
export function stateMessage(text: { alert: string; warning: string; noData: string; recovery: string }, notifyEmail: string): string {
    const block = (state: string, line: string) => [`{{#${state}}}`, line, `{{/${state}}}`];
    return [
        ...block("is_alert", `ALERT: ${text.alert}`),
        ...block("is_warning", `WARNING: ${text.warning}`),
        ...block("is_no_data", `NO DATA: ${text.noData}`),
        ...block("is_recovery", `RECOVERED: ${text.recovery}`),
        "",
        `@${notifyEmail}`,
    ].join("\n");
}

export function monitorMessage(
    a: Pick<MyMetricMonitorArgs, "timeAggregation" | "evaluationWindowMinutes" | "noDataMinutes" | "notifyEmail">,
): string {
    const over = `(${a.timeAggregation} over the last ${a.evaluationWindowMinutes} minutes)`;
    return stateMessage(
        {
            alert: `my_metric is {{value}} ${over} on {{host.name}} (IP {{host.ip}}), above the critical threshold of {{threshold}}.`,
            warning: `my_metric is {{value}} ${over} on {{host.name}}, above the warning threshold of {{warn_threshold}}.`,
            noData: `my_metric has reported nothing from {{host.name}} for ${a.noDataMinutes} minutes. Check that the Agent container is running and that the custom_my_metric check passes (agent status).`,
            recovery: "my_metric on {{host.name}} is back under its thresholds ({{value}}).",
        },
        a.notifyEmail,
    );
}

/** The metric monitor on my_metric: warning, critical and no-data, each with its own message. */
export class MyMetricMonitor extends pulumi.ComponentResource {
    public readonly monitor: datadog.Monitor;
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: MyMetricMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:MyMetricMonitor", name, {}, opts);

        this.monitor = new datadog.Monitor(
            `${name}-monitor`,
            {
                name: `[${args.env}] my_metric is high on {{host.name}}`,
                type: "metric alert",
                query: monitorQuery(args),
                message: monitorMessage(args),
                // The recovery thresholds keep a state a while instead of flapping around the threshold.
                monitorThresholds: {
                    warning: String(args.warningThreshold),
                    critical: String(args.criticalThreshold),
                    ...(args.warningRecovery !== undefined ? { warningRecovery: String(args.warningRecovery) } : {}),
                    ...(args.criticalRecovery !== undefined ? { criticalRecovery: String(args.criticalRecovery) } : {}),
                },
                notifyNoData: true,
                noDataTimeframe: args.noDataMinutes,
                // my_metric arrives every 45 s or so: a sparse metric must not wait for a full window.
                requireFullWindow: false,
                includeTags: true,
                // service: names the demo as a whole, not the app's APM service (config `service`):
                // my_metric comes from the Agent's check, not from the app.
                tags: [...args.tags, "service:datadog-exercise"],
            },
            { parent: this },
        );
        this.url = pulumi.interpolate`${args.appUrl}/monitors/${this.monitor.id}`;

        this.registerOutputs({ url: this.url });
    }
}
