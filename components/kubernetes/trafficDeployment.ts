import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, unifiedServiceLabels } from "./objectMeta";

export interface TrafficDeploymentArgs {
    namespace: pulumi.Input<string>;
    name: string;
    /** The app's image: the generator (container-src/app/traffic.py) ships in it. */
    image: pulumi.Input<string>;
    /** The app's URL inside the cluster, e.g. http://dev-exercise-app:5050. */
    targetUrl: pulumi.Input<string>;
    requestsPerSecond: number;
    env: string;
    /** The app's service: the generator's own logs go under <service>-traffic. */
    service: string;
    skipAwait: boolean;
}

/** Calls the app's routes at a steady rate, so the service, its errors and its database always have data. */
export class TrafficDeployment extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: TrafficDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:TrafficDeployment", name, {}, opts);
        const service = `${args.service}-traffic`;
        const selector = { "app.kubernetes.io/name": args.name };

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: args.name, namespace: args.namespace, annotations: awaitAnnotations(args.skipAwait), labels: { ...selector, ...unifiedServiceLabels(args.env, service) } },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: {
                            labels: { ...selector, ...unifiedServiceLabels(args.env, service) },
                            annotations: { "ad.datadoghq.com/traffic.logs": JSON.stringify([{ source: "python", service }]) },
                        },
                        spec: {
                            containers: [
                                {
                                    name: "traffic",
                                    image: args.image,
                                    command: ["python", "traffic.py"],
                                    env: [
                                        { name: "TARGET_URL", value: args.targetUrl },
                                        { name: "REQUESTS_PER_SECOND", value: String(args.requestsPerSecond) },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );

        this.registerOutputs({});
    }
}
