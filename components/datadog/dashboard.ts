import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import { dashboardTitles } from "../config/keys";

export interface ExerciseDashboardArgs {
    env: string;
    /** Default of the dashboard's `host` template variable: the Agent's hostname. */
    hostname: string;
    /** The Datadog web app's base URL, to build the dashboard's full URL. */
    appUrl: string;
}

/** The three widget queries, scoped by the `$host` template variable. */
export const DASHBOARD_QUERIES = Object.freeze({
    // One line per host, as the widget's title says (the `host` variable can be widened to *).
    myMetric: "avg:my_metric{$host} by {host}",
    // 'basic' needs no history; 'agile' and 'robust' need weeks of seasonal data before they
    // show a band, so on a fresh demo environment they would leave the graph empty.
    maxConnectionsAnomalies: "anomalies(avg:postgresql.max_connections{$host}, 'basic', 3)",
    myMetricHourlySum: "avg:my_metric{$host}.rollup(sum, 3600)",
});

/** The exercise's timeboard: my_metric, anomalies on max_connections, and my_metric's hourly sum. */
export class ExerciseDashboard extends pulumi.ComponentResource {
    public readonly dashboard: datadog.Dashboard;
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: ExerciseDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:ExerciseDashboard", name, {}, opts);

        this.dashboard = new datadog.Dashboard(
            `${name}-dashboard`,
            {
                title: dashboardTitles(args.env, "").timeboard,
                description: "my_metric from the custom Agent check, and PostgreSQL's max_connections with anomaly detection. Managed by Pulumi (datadog-exercise).",
                layoutType: "ordered",
                reflowType: "auto",
                tags: [`team:datadog-exercise`],
                templateVariables: [{ name: "host", prefix: "host", defaults: [args.hostname] }],
                widgets: [
                    {
                        timeseriesDefinition: {
                            title: "my_metric by host",
                            liveSpan: "1h",
                            showLegend: true,
                            requests: [{ q: DASHBOARD_QUERIES.myMetric, displayType: "line" }],
                        },
                    },
                    {
                        timeseriesDefinition: {
                            title: "PostgreSQL max_connections, with anomaly bounds (basic, 3 sigma)",
                            liveSpan: "4h",
                            requests: [{ q: DASHBOARD_QUERIES.maxConnectionsAnomalies, displayType: "line" }],
                        },
                    },
                    {
                        queryValueDefinition: {
                            title: "Sum of my_metric over the last hour",
                            liveSpan: "1h",
                            precision: 0,
                            // rollup buckets are aligned to the clock, so the last hour can span two of
                            // them: summing the buckets gives the sum of every point in the hour.
                            requests: [{ q: DASHBOARD_QUERIES.myMetricHourlySum, aggregator: "sum" }],
                        },
                    },
                ],
            },
            { parent: this },
        );
        this.url = pulumi.interpolate`${args.appUrl}${this.dashboard.url}`;

        this.registerOutputs({ url: this.url });
    }
}
