import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Scenario } from "../config/scenario";
import { AgentContainer } from "./agentContainer";
import { AppContainer } from "./appContainer";
import { PostgresContainer } from "./postgresContainer";
import { TrafficContainer } from "./trafficContainer";

export interface DockerHostArgs {
    /** Prefix of every Docker name, so several stacks share one Docker host. */
    env: string;
    hostname: string;
    hostTags: readonly string[];
    datadog: { apiKey: pulumi.Input<string>; site: string };
    agentImage: string;
    postgresImage: string;
    checkIntervalSeconds: number;
    app: { service: string; version: string; port: number; bindAddress: string };
    /** The live demo's scenario: what the check sends, and how the app fails (components/config/scenario.ts). */
    scenario: Scenario;
    /** Requests per second the traffic container sends to the app; 0: no traffic container. */
    trafficRequestsPerSecond: number;
    postgresHostPort?: number;
}

/** Docker names for one env: every name carries it, so dev and prod run side by side. */
export function dockerNames(env: string) {
    return {
        network: `${env}-exercise`,
        agent: `${env}-datadog-agent`,
        postgres: `${env}-postgres`,
        app: `${env}-exercise-app`,
        traffic: `${env}-exercise-traffic`,
    } as const;
}

/** One Docker host's worth of the exercise: a per-stack network with the Agent, PostgreSQL, the app and its traffic. */
export class DockerHost extends pulumi.ComponentResource {
    public readonly networkName: pulumi.Output<string>;
    public readonly agent: AgentContainer;
    public readonly postgres: PostgresContainer;
    public readonly app: AppContainer;
    /** Undefined when trafficRequestsPerSecond is 0. */
    public readonly traffic?: TrafficContainer;

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:docker:DockerHost", name, {}, opts);
        const names = dockerNames(args.env);

        const network = new docker.Network(`${name}-network`, { name: names.network, driver: "bridge" }, { parent: this });
        this.networkName = network.name;

        this.postgres = new PostgresContainer(
            `${name}-postgres`,
            {
                networkName: network.name,
                containerName: names.postgres,
                image: args.postgresImage,
                env: args.env,
                hostPort: args.postgresHostPort,
            },
            { parent: this },
        );

        this.agent = new AgentContainer(
            `${name}-agent`,
            {
                networkName: network.name,
                containerName: names.agent,
                image: args.agentImage,
                apiKey: args.datadog.apiKey,
                site: args.datadog.site,
                hostname: args.hostname,
                env: args.env,
                hostTags: args.hostTags,
                checkIntervalSeconds: args.checkIntervalSeconds,
                myMetric: args.scenario.myMetric,
                postgresPassword: this.postgres.datadogPassword,
                watchedContainers: [names.postgres, names.app, names.traffic],
            },
            { parent: this },
        );

        this.app = new AppContainer(
            `${name}-app`,
            {
                networkName: network.name,
                containerName: names.app,
                agentContainer: this.agent.container,
                env: args.env,
                service: args.app.service,
                version: args.app.version,
                port: args.app.port,
                bindAddress: args.app.bindAddress,
                postgresContainer: this.postgres.container,
                dbPassword: this.postgres.appPassword,
                scenario: { slow: args.scenario.slow, errorPercent: args.scenario.errorPercent },
            },
            { parent: this },
        );

        if (args.trafficRequestsPerSecond > 0) {
            this.traffic = new TrafficContainer(
                `${name}-traffic`,
                {
                    networkName: network.name,
                    containerName: names.traffic,
                    image: this.app.image,
                    // The app's alias on the stack's network, and the port it listens on inside.
                    targetUrl: `http://app:${args.app.port}`,
                    requestsPerSecond: args.trafficRequestsPerSecond,
                    env: args.env,
                    service: args.app.service,
                    app: this.app.container,
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            networkName: this.networkName,
            agentContainerName: this.agent.containerName,
            postgresContainerName: this.postgres.containerName,
            appContainerName: this.app.containerName,
            trafficContainerName: this.traffic?.containerName,
        });
    }
}
