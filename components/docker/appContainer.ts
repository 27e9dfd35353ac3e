import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { CONTAINER_SRC_DIR } from "./containerSrc";
import { APP_DB_USER, POSTGRES_PORT } from "./postgresContainer";

/** The app's build context: its Dockerfile's CMD is what the Python tests run. */
export const APP_CONTEXT_DIR = path.join(CONTAINER_SRC_DIR, "app");

export interface AppContainerArgs {
    networkName: pulumi.Input<string>;
    containerName: string;
    /** The Agent's container: the app sends traces to its name on the shared network, and starts after it. */
    agentContainer: docker.Container;
    env: string;
    service: string;
    version: string;
    port: number;
    /** The Docker host's address the port is published on. */
    bindAddress: string;
    /** PostgreSQL's container: the app reads from it as the `app` role (PGHOST is its name, so it starts after it). */
    postgresContainer: docker.Container;
    /** The `app` role's password. Secret. */
    dbPassword: pulumi.Input<string>;
    /** The live demo's failures (scenarios slow and errors); none: the app serves as it is. */
    scenario?: AppScenario;
}

/** How the app misbehaves on cue: a share of its requests wait, or fail. */
export interface AppScenario {
    slow?: { sharePercent: number; delayMs: number };
    errorPercent?: number;
}

/** The app's environment for a scenario (container-src/app/app.py reads it): empty when it serves as it is. */
export function scenarioEnvironment(s: AppScenario | undefined): string[] {
    return [
        ...(s?.slow ? [`DEMO_SLOW_PERCENT=${s.slow.sharePercent}`, `DEMO_SLOW_MS=${s.slow.delayMs}`] : []),
        ...(s?.errorPercent !== undefined ? [`DEMO_ERROR_PERCENT=${s.errorPercent}`] : []),
    ];
}

/**
 * Log collection for the app's stdout and stderr. A traceback (GET /api/error) spans lines: a new
 * entry starts with the date of app.py's log format, or of gunicorn's "[date ...]" lines.
 */
export function appLogsLabel(service: string): string {
    return JSON.stringify([
        {
            source: "python",
            service,
            log_processing_rules: [{ type: "multi_line", name: "new_log_start_with_date", pattern: "\\[?\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}" }],
        },
    ]);
}

/**
 * The Flask app, built locally from container-src/app and traced by ddtrace-run
 * (unified service tagging through DD_ENV / DD_SERVICE / DD_VERSION and the matching labels).
 */
export class AppContainer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly containerName: pulumi.Output<string>;
    /** The image built from container-src/app: the traffic container runs it too. */
    public readonly image: pulumi.Output<string>;

    constructor(name: string, args: AppContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:docker:AppContainer", name, {}, opts);

        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: `${args.containerName}:${args.version}`,
                build: { context: APP_CONTEXT_DIR, dockerfile: path.join(APP_CONTEXT_DIR, "Dockerfile") },
                skipPush: true,
            },
            { parent: this },
        );

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                // The built image's ID (repoDigest for an unpushed image): a rebuild replaces the container,
                // where imageName, the same tag every time, would leave the old one running.
                image: image.repoDigest,
                envs: [
                    pulumi.interpolate`DD_AGENT_HOST=${args.agentContainer.name}`,
                    `DD_SERVICE=${args.service}`,
                    `DD_ENV=${args.env}`,
                    `DD_VERSION=${args.version}`,
                    "DD_LOGS_INJECTION=true",
                    `PORT=${args.port}`,
                    // libpq's own variables: psycopg reads them, so the app holds no connection string.
                    pulumi.interpolate`PGHOST=${args.postgresContainer.name}`,
                    `PGPORT=${POSTGRES_PORT}`,
                    "PGDATABASE=postgres",
                    `PGUSER=${APP_DB_USER}`,
                    pulumi.interpolate`PGPASSWORD=${pulumi.secret(args.dbPassword)}`,
                    // Each query carries its trace context as a SQL comment: Database Monitoring links it to the trace.
                    "DD_DBM_PROPAGATION_MODE=full",
                    ...scenarioEnvironment(args.scenario),
                ],
                labels: [
                    { label: "com.datadoghq.tags.env", value: args.env },
                    { label: "com.datadoghq.tags.service", value: args.service },
                    { label: "com.datadoghq.tags.version", value: args.version },
                    { label: "com.datadoghq.ad.logs", value: appLogsLabel(args.service) },
                ],
                ports: [{ internal: args.port, external: args.port, ip: args.bindAddress }],
                networksAdvanced: [{ name: args.networkName, aliases: ["app"] }],
                // No healthcheck here: Docker runs the image's own HEALTHCHECK (the Dockerfile's, which
                // the Python tests run against the real app), and the provider reads it back as is.
                restart: "unless-stopped",
            },
            { parent: this, dependsOn: [args.agentContainer] },
        );
        this.containerName = this.container.name;
        this.image = image.repoDigest;

        this.registerOutputs({ containerName: this.containerName });
    }
}
