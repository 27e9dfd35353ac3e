import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import { serviceScope } from "./serviceMonitors";

export interface ServiceSloArgs {
    env: string;
    service: string;
    /** Percent of requests that must succeed, e.g. 99. */
    targetPercent: number;
    /** The SLO's rolling window: 7d, 30d or 90d. */
    timeframe: "7d" | "30d" | "90d";
    tags: readonly string[];
}

/** Good requests over all requests, from the trace metrics (100 % of traffic, whatever the sampling). */
export function sloQuery(env: string, service: string): { numerator: string; denominator: string } {
    const scope = serviceScope(env, service);
    const hits = `sum:trace.flask.request.hits${scope}.as_count()`;
    return { numerator: `${hits} - sum:trace.flask.request.errors${scope}.as_count()`, denominator: hits };
}

/** A metric-based SLO on the app's service: the share of requests that succeed. */
export class ServiceSlo extends pulumi.ComponentResource {
    public readonly slo: datadog.ServiceLevelObjective;

    constructor(name: string, args: ServiceSloArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:ServiceSlo", name, {}, opts);

        this.slo = new datadog.ServiceLevelObjective(
            `${name}-slo`,
            {
                name: `[${args.env}] ${args.service}: requests succeed`,
                description: `Share of ${args.service}'s requests that do not fail (trace metrics of flask.request). Managed by Pulumi (datadog-exercise).`,
                type: "metric",
                query: sloQuery(args.env, args.service),
                thresholds: [{ timeframe: args.timeframe, target: args.targetPercent }],
                tags: [...args.tags, `service:${args.service}`],
            },
            { parent: this },
        );

        this.registerOutputs({ sloId: this.slo.id });
    }
}
