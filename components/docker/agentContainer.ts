import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { stringify as toYaml } from "yaml";
import { readContainerSrc } from "./containerSrc";
import { goDuration } from "./healthcheck";

/** Where the Agent looks for custom checks and their configuration. */
export const CHECK_PY_PATH = "/etc/datadog-agent/checks.d/custom_my_metric.py";
export const CHECK_YAML_PATH = "/etc/datadog-agent/conf.d/custom_my_metric.yaml";
/** The env var that carries the datadog DB user's password into the Agent (see PostgresContainer's AD label). */
export const AGENT_DB_PASSWORD_ENV = "DATADOG_DB_PASSWORD";

export interface AgentContainerArgs {
    /** Docker network the Agent joins. */
    networkName: pulumi.Input<string>;
    /** Container name; the app reaches the Agent under this name. */
    containerName: string;
    image: string;
    apiKey: pulumi.Input<string>;
    site: string;
    hostname: string;
    env: string;
    hostTags: readonly string[];
    /** my_metric's min_collection_interval, in seconds. */
    checkIntervalSeconds: number;
    /** The scenario's my_metric values (an integer range); undefined: the check submits nothing. */
    myMetric: CheckRange | undefined;
    /** Password of the datadog DB user, referenced by the postgres check as %%env_DATADOG_DB_PASSWORD%%. */
    postgresPassword: pulumi.Input<string>;
    /**
     * Names of the containers this Agent watches (metrics, logs, Autodiscovery checks). Every
     * other container on the Docker host is left out, so stacks side by side stay apart.
     */
    watchedContainers: readonly string[];
}

/** The range my_metric's values are drawn from, both ends included (the check's own default: 0..1000). */
export interface CheckRange {
    low: number;
    high: number;
}
const CHECK_DEFAULT_RANGE: CheckRange = { low: 0, high: 1000 };

/**
 * The custom check's conf.d file: the interval lives here, never in the Python; so do the scenario's
 * range (min_value, max_value: only when it is not the check's default) or `submit: false` (nodata).
 */
export function checkConfYaml(intervalSeconds: number, range: CheckRange | "none" = CHECK_DEFAULT_RANGE): string {
    const scenario =
        range === "none"
            ? { submit: false }
            : range.low === CHECK_DEFAULT_RANGE.low && range.high === CHECK_DEFAULT_RANGE.high
              ? {}
              : { min_value: range.low, max_value: range.high };
    return toYaml({ init_config: {}, instances: [{ min_collection_interval: intervalSeconds, ...scenario }] });
}

/** A regex that matches exactly that Docker name ('.' is allowed in names and must not match any character). */
function exactName(name: string): string {
    return `name:^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

/**
 * The Agent's environment. The API key and the DB password stay secret element by element:
 * each is interpolated from a secret Output, so only those two entries are secret.
 */
export function agentEnvironment(
    args: Pick<AgentContainerArgs, "apiKey" | "postgresPassword" | "site" | "hostname" | "env" | "hostTags" | "watchedContainers">,
): pulumi.Input<string>[] {
    return [
        pulumi.interpolate`DD_API_KEY=${pulumi.secret(args.apiKey)}`,
        pulumi.interpolate`${AGENT_DB_PASSWORD_ENV}=${pulumi.secret(args.postgresPassword)}`,
        `DD_SITE=${args.site}`,
        `DD_HOSTNAME=${args.hostname}`,
        `DD_ENV=${args.env}`,
        "DD_LOGS_ENABLED=true",
        "DD_LOGS_CONFIG_CONTAINER_COLLECT_ALL=true",
        "DD_LOGS_CONFIG_DOCKER_CONTAINER_USE_FILE=true",
        // Watch this stack's containers only: every name is excluded, and an include wins over an
        // exclude. Without it, a second stack's Agent on the same host would ship the first
        // stack's logs under its own env and run the postgres check against the other database
        // with the wrong password. The Agent's own container is left out too (its logs are noise).
        "DD_CONTAINER_EXCLUDE=name:.*",
        `DD_CONTAINER_INCLUDE=${args.watchedContainers.map(exactName).join(" ")}`,
        "DD_APM_ENABLED=true",
        "DD_APM_NON_LOCAL_TRAFFIC=true",
        // Docker's health probe hits /health every 30 s: not worth a trace each time.
        "DD_APM_IGNORE_RESOURCES=GET /health",
        "DD_DOGSTATSD_NON_LOCAL_TRAFFIC=true",
        ...(args.hostTags.length > 0 ? [`DD_TAGS=${args.hostTags.join(" ")}`] : []),
    ];
}

/**
 * The Datadog Agent 7 container: metrics, container logs, APM and DogStatsD, plus the
 * custom my_metric check uploaded into checks.d / conf.d.
 */
export class AgentContainer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: AgentContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:docker:AgentContainer", name, {}, opts);

        const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });
        const runVolume = new docker.Volume(`${name}-run`, { name: `${args.containerName}-run` }, { parent: this });

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: image.imageId,
                envs: agentEnvironment(args),
                // As Datadog's own `docker run` (--cgroupns host --pid host): on a cgroup v2 host the
                // Agent needs the host's cgroup namespace to map cgroups to containers, and the host's
                // PID namespace for process and per-container metrics.
                cgroupnsMode: "host",
                pidMode: "host",
                volumes: [
                    { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
                    { hostPath: "/proc/", containerPath: "/host/proc/", readOnly: true },
                    { hostPath: "/sys/fs/cgroup/", containerPath: "/host/sys/fs/cgroup/", readOnly: true },
                    { hostPath: "/var/lib/docker/containers", containerPath: "/var/lib/docker/containers", readOnly: true },
                    { volumeName: runVolume.name, containerPath: "/opt/datadog-agent/run", readOnly: false },
                ],
                uploads: [
                    { file: CHECK_PY_PATH, content: readContainerSrc("agent/checks.d/custom_my_metric.py") },
                    { file: CHECK_YAML_PATH, content: checkConfYaml(args.checkIntervalSeconds, args.myMetric ?? "none") },
                ],
                networksAdvanced: [{ name: args.networkName, aliases: ["datadog-agent"] }],
                // The stack's env, as on every container of the stack: the port preflight and doctor
                // tie a container to its stack by it (deploy/dockerPorts.ts).
                labels: [{ label: "com.datadoghq.tags.env", value: args.env }],
                healthcheck: { tests: ["CMD", "agent", "health"], interval: goDuration(30), timeout: goDuration(10), retries: 3, startPeriod: goDuration(60) },
                restart: "unless-stopped",
            },
            { parent: this },
        );
        this.containerName = this.container.name;

        this.registerOutputs({ containerName: this.containerName });
    }
}
