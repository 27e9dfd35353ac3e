import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AGENT_DB_PASSWORD_ENV } from "./agentContainer";
import { readContainerSrc } from "./containerSrc";
import { goDuration } from "./healthcheck";

export const POSTGRES_CONF_PATH = "/etc/postgresql/postgresql.conf";
/** The init scripts (container-src/postgres), run in name order on the first start: the datadog role, then the app's. */
export const INIT_SCRIPTS = ["10-datadog-user.sh", "20-app-user.sh"] as const;
export const INIT_SCRIPT_DIR = "/docker-entrypoint-initdb.d";
export const POSTGRES_PORT = 5432;
/** The least-privilege role the Agent's postgres check logs in as (created by the init script). */
export const DATADOG_DB_USER = "datadog";
/** The role the app logs in as: it reads its own table and nothing else (created by 20-app-user.sh). */
export const APP_DB_USER = "app";
/** The env var that carries the app role's password, into PostgreSQL's init script and into the app. */
export const APP_DB_PASSWORD_ENV = "APP_DB_PASSWORD";

export interface PostgresContainerArgs {
    networkName: pulumi.Input<string>;
    containerName: string;
    image: string;
    env: string;
    /** Publish 5432 on this host port (bound to 127.0.0.1); undefined: not published. */
    hostPort?: number;
}

/**
 * The Agent's postgres check, as a Docker label for Autodiscovery (Kubernetes: the same instance in
 * an annotation). The password is not in the label: by default the Agent resolves
 * %%env_DATADOG_DB_PASSWORD%% from its own (secret) environment; `password` is another reference.
 */
export function postgresCheckLabel(env: string, password = `%%env_${AGENT_DB_PASSWORD_ENV}%%`): string {
    return JSON.stringify({
        postgres: {
            init_config: {},
            instances: [
                {
                    host: "%%host%%",
                    port: POSTGRES_PORT,
                    username: DATADOG_DB_USER,
                    password,
                    dbname: "postgres",
                    // Database Monitoring: query metrics, samples and explain plans, through the
                    // pg_stat_statements extension and the datadog schema the init script creates.
                    dbm: true,
                    tags: [`env:${env}`, "service:postgres"],
                },
            ],
        },
    });
}

/** Log collection for the container's stderr, where postgresql.conf sends the server log. */
export function postgresLogsLabel(): string {
    return JSON.stringify([
        {
            source: "postgresql",
            service: "postgres",
            // A statement that spans lines stays one log: a new entry starts with log_line_prefix's %m date.
            log_processing_rules: [
                { type: "multi_line", name: "new_log_start_with_date", pattern: "\\d{4}-(0?[1-9]|1[012])-(0?[1-9]|[12][0-9]|3[01])" },
            ],
        },
    ]);
}

/** The server's environment: each password is its own secret entry; the rest is plain. */
export function postgresEnvironment(
    superuserPassword: pulumi.Input<string>,
    datadogPassword: pulumi.Input<string>,
    appPassword: pulumi.Input<string>,
): pulumi.Input<string>[] {
    return [
        "POSTGRES_USER=postgres",
        "POSTGRES_DB=postgres",
        pulumi.interpolate`POSTGRES_PASSWORD=${pulumi.secret(superuserPassword)}`,
        // Read by the init scripts (container-src/postgres/) with psql's \getenv.
        pulumi.interpolate`${AGENT_DB_PASSWORD_ENV}=${pulumi.secret(datadogPassword)}`,
        pulumi.interpolate`${APP_DB_PASSWORD_ENV}=${pulumi.secret(appPassword)}`,
    ];
}

/**
 * PostgreSQL, with its data on a named volume, the seed's logging settings on stderr, and a
 * least-privilege `datadog` role created at first start from a password in the environment.
 */
export class PostgresContainer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly containerName: pulumi.Output<string>;
    /** Password of the `datadog` role, for the Agent's postgres check. Secret. */
    public readonly datadogPassword: pulumi.Output<string>;
    /** Password of the `app` role, for the app. Secret. */
    public readonly appPassword: pulumi.Output<string>;

    constructor(name: string, args: PostgresContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:docker:PostgresContainer", name, {}, opts);

        const superuserPassword = new random.RandomPassword(`${name}-superuser-password`, { length: 32, special: false }, { parent: this });
        const datadogPassword = new random.RandomPassword(`${name}-datadog-password`, { length: 32, special: false }, { parent: this });
        this.datadogPassword = pulumi.secret(datadogPassword.result);
        const appPassword = new random.RandomPassword(`${name}-app-password`, { length: 32, special: false }, { parent: this });
        this.appPassword = pulumi.secret(appPassword.result);

        const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });
        const dataVolume = new docker.Volume(`${name}-data`, { name: `${args.containerName}-data` }, { parent: this });

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: image.imageId,
                command: ["postgres", "-c", `config_file=${POSTGRES_CONF_PATH}`],
                envs: postgresEnvironment(superuserPassword.result, this.datadogPassword, this.appPassword),
                uploads: [
                    { file: POSTGRES_CONF_PATH, content: readContainerSrc("postgres/postgresql.conf") },
                    // 0755, not just executable (0744): the entrypoint checks -x as the postgres user.
                    ...INIT_SCRIPTS.map((script) => ({
                        file: `${INIT_SCRIPT_DIR}/${script}`,
                        content: readContainerSrc(`postgres/${script}`),
                        permissions: "0755",
                    })),
                ],
                volumes: [{ volumeName: dataVolume.name, containerPath: "/var/lib/postgresql/data", readOnly: false }],
                labels: [
                    { label: "com.datadoghq.ad.checks", value: postgresCheckLabel(args.env) },
                    { label: "com.datadoghq.ad.logs", value: postgresLogsLabel() },
                    { label: "com.datadoghq.tags.env", value: args.env },
                    { label: "com.datadoghq.tags.service", value: "postgres" },
                ],
                networksAdvanced: [{ name: args.networkName, aliases: ["postgres"] }],
                ports: args.hostPort === undefined ? [] : [{ internal: POSTGRES_PORT, external: args.hostPort, ip: "127.0.0.1" }],
                healthcheck: {
                    tests: ["CMD", "pg_isready", "-U", "postgres", "-d", "postgres"],
                    interval: goDuration(10),
                    timeout: goDuration(5),
                    retries: 5,
                    startPeriod: goDuration(30),
                },
                restart: "unless-stopped",
            },
            { parent: this },
        );
        this.containerName = this.container.name;

        this.registerOutputs({ containerName: this.containerName });
    }
}
