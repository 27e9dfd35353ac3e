import * as datadog from "@pulumi/datadog";
import * as pulumi from "@pulumi/pulumi";
import { dashboardTitles } from "../config/keys";

export interface ServiceDashboardArgs {
    env: string;
    /** The app's APM service (DD_SERVICE). */
    service: string;
    /** The request-success SLO, shown with its error budget. */
    sloId: pulumi.Input<string>;
    sloTimeframe: string;
    /** The Datadog web app's base URL, to build the dashboard's full URL. */
    appUrl: string;
}

/**
 * The widget queries: the app's requests, errors and p95 latency, PostgreSQL's query rate by role,
 * the app's logs. Each is scoped by the dashboard's `env` template variable ($env, which defaults
 * to the stack's env), so one dashboard serves every env of the service.
 */
export function serviceDashboardQueries(service: string) {
    const scope = `{$env,service:${service}}`;
    return {
        requests: `sum:trace.flask.request.hits${scope}.as_rate()`,
        errors: `sum:trace.flask.request.errors${scope}.as_rate()`,
        latencyP95: `p95:trace.flask.request${scope}`,
        // Database Monitoring's per-query counts, split by the role that ran them (app, datadog).
        dbQueries: `sum:postgresql.queries.count{$env} by {user}.as_rate()`,
        logs: `service:${service} $env`,
    } as const;
}

/** The app's service at a glance: traffic, errors, latency, its SLO, its logs and its database. */
export class ServiceDashboard extends pulumi.ComponentResource {
    public readonly dashboard: datadog.Dashboard;
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: ServiceDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:datadog:ServiceDashboard", name, {}, opts);
        const q = serviceDashboardQueries(args.service);
        const timeseries = (title: string, query: string, displayType: "line" | "bars") => ({
            timeseriesDefinition: { title, liveSpan: "1h", requests: [{ q: query, displayType }] },
        });

        this.dashboard = new datadog.Dashboard(
            `${name}-dashboard`,
            {
                title: dashboardTitles(args.env, args.service).service,
                description: `The APM demo service: requests from the traffic container, the app, its PostgreSQL. Managed by Pulumi (datadog-exercise).`,
                layoutType: "ordered",
                reflowType: "auto",
                tags: ["team:datadog-exercise"],
                templateVariables: [{ name: "env", prefix: "env", defaults: [args.env] }],
                widgets: [
                    timeseries("Requests per second", q.requests, "bars"),
                    timeseries("Errors per second", q.errors, "bars"),
                    timeseries("p95 latency (s)", q.latencyP95, "line"),
                    {
                        serviceLevelObjectiveDefinition: {
                            title: "Requests succeed (SLO)",
                            sloId: args.sloId,
                            viewType: "detail",
                            viewMode: "overall",
                            timeWindows: [args.sloTimeframe],
                            showErrorBudget: true,
                        },
                    },
                    timeseries("PostgreSQL queries per second, by role", q.dbQueries, "line"),
                    {
                        listStreamDefinition: {
                            title: `${args.service} logs`,
                            requests: [
                                {
                                    responseFormat: "event_list",
                                    query: { dataSource: "logs_stream", queryString: q.logs, indexes: [] },
                                    columns: [
                                        { field: "status_line", width: "auto" },
                                        { field: "timestamp", width: "auto" },
                                        { field: "content", width: "compact" },
                                    ],
                                },
                            ],
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
