import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Scenario } from "../config/scenario";
import { AppDeployment } from "./appDeployment";
import { DatadogAgent } from "./datadogAgent";
import { DatadogOperator } from "./datadogOperator";
import { awaitAnnotations } from "./objectMeta";
import { PostgresStatefulSet } from "./postgresStatefulSet";
import { TrafficDeployment } from "./trafficDeployment";

export interface KubernetesClusterArgs {
    env: string;
    /** The env's namespace, <env>-exercise (components/config/platform.ts). */
    namespace: string;
    hostTags: readonly string[];
    datadog: { apiKey: pulumi.Input<string>; appKey: pulumi.Input<string>; site: string };
    agentImage: string;
    postgresImage: string;
    checkIntervalSeconds: number;
    app: { service: string; version: string; port: number; image?: string; imageRegistry?: string };
    trafficRequestsPerSecond: number;
    /** install: decided at preview (operatorPlan.ts); stack: the stack's name, recorded on the Operator it installs. */
    operator: { install: boolean; chartPath?: string; stack: string };
    skipAwait: boolean;
    /** The live demo's scenario: what the check sends, and how the app fails (components/config/scenario.ts). */
    scenario: Scenario;
}

/** Kubernetes names for one env: every name carries it, as on Docker. */
export function kubernetesNames(env: string) {
    return {
        agent: `${env}-datadog`,
        postgres: `${env}-postgres`,
        app: `${env}-exercise-app`,
        traffic: `${env}-exercise-traffic`,
    } as const;
}

/** The command that reaches the app from this machine. */
export function portForwardCommand(namespace: string, service: string, port: number): string {
    return `kubectl port-forward --namespace ${namespace} service/${service} ${port}:${port}`;
}

/** One env on a cluster: its namespace, the Datadog Operator (optionally), the Agent, PostgreSQL, the app and its traffic. */
export class KubernetesCluster extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly agent: DatadogAgent;
    public readonly postgres: PostgresStatefulSet;
    public readonly app: AppDeployment;
    /** Undefined when trafficRequestsPerSecond is 0. */
    public readonly traffic?: TrafficDeployment;
    public readonly portForward: pulumi.Output<string>;

    constructor(name: string, args: KubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:KubernetesCluster", name, {}, opts);
        const names = kubernetesNames(args.env);

        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: args.namespace, annotations: awaitAnnotations(args.skipAwait) } },
            { parent: this },
        );
        this.namespace = ns.metadata.name;

        const operator = args.operator.install
            ? new DatadogOperator(
                  `${name}-operator`,
                  {
                      namespace: this.namespace,
                      owner: { namespace: args.namespace, stack: args.operator.stack },
                      env: args.env,
                      chartPath: args.operator.chartPath,
                      skipAwait: args.skipAwait,
                  },
                  { parent: this },
              )
            : undefined;

        this.postgres = new PostgresStatefulSet(
            `${name}-postgres`,
            { namespace: this.namespace, name: names.postgres, image: args.postgresImage, env: args.env, skipAwait: args.skipAwait },
            { parent: this },
        );

        this.agent = new DatadogAgent(
            `${name}-agent`,
            {
                namespace: this.namespace,
                name: names.agent,
                image: args.agentImage,
                apiKey: args.datadog.apiKey,
                appKey: args.datadog.appKey,
                site: args.datadog.site,
                clusterName: args.namespace,
                env: args.env,
                hostTags: args.hostTags,
                checkIntervalSeconds: args.checkIntervalSeconds,
                myMetric: args.scenario.myMetric,
                readableSecrets: [this.postgres.secretName],
                operator: operator?.chart,
            },
            { parent: this },
        );

        this.app = new AppDeployment(
            `${name}-app`,
            {
                namespace: this.namespace,
                name: names.app,
                image: args.app.image,
                registry: args.app.imageRegistry,
                env: args.env,
                service: args.app.service,
                version: args.app.version,
                port: args.app.port,
                postgresService: this.postgres.serviceName,
                postgresSecret: this.postgres.secret.metadata.name,
                scenario: { slow: args.scenario.slow, errorPercent: args.scenario.errorPercent },
                skipAwait: args.skipAwait,
            },
            // The admission controller injects the Agent's address into pods created after it.
            { parent: this, dependsOn: [this.agent] },
        );

        if (args.trafficRequestsPerSecond > 0) {
            this.traffic = new TrafficDeployment(
                `${name}-traffic`,
                {
                    namespace: this.namespace,
                    name: names.traffic,
                    image: this.app.image,
                    targetUrl: pulumi.interpolate`http://${this.app.service.metadata.name}:${args.app.port}`,
                    requestsPerSecond: args.trafficRequestsPerSecond,
                    env: args.env,
                    service: args.app.service,
                    skipAwait: args.skipAwait,
                },
                { parent: this, dependsOn: [this.app] },
            );
        }
        this.portForward = pulumi.output(portForwardCommand(args.namespace, names.app, args.app.port));

        this.registerOutputs({ namespace: this.namespace, portForward: this.portForward });
    }
}
