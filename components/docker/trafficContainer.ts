import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { disabledHealthcheck } from "./healthcheck";

export interface TrafficContainerArgs {
    networkName: pulumi.Input<string>;
    containerName: string;
    /** The app's image: the generator (container-src/app/traffic.py) ships in it. */
    image: pulumi.Input<string>;
    /** The app's URL on the stack's network, e.g. http://app:5050. */
    targetUrl: string;
    requestsPerSecond: number;
    env: string;
    /** The app's service: the generator's own logs go under <service>-traffic. */
    service: string;
    /** Starts after the app, so the first requests find it. */
    app: docker.Container;
}

/** Calls the app's routes at a steady rate, so the service, its errors and its database always have data. */
export class TrafficContainer extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: TrafficContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:docker:TrafficContainer", name, {}, opts);
        const service = `${args.service}-traffic`;

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: args.image,
                command: ["python", "traffic.py"],
                envs: [`TARGET_URL=${args.targetUrl}`, `REQUESTS_PER_SECOND=${args.requestsPerSecond}`],
                labels: [
                    { label: "com.datadoghq.tags.env", value: args.env },
                    { label: "com.datadoghq.tags.service", value: service },
                    { label: "com.datadoghq.ad.logs", value: JSON.stringify([{ source: "python", service }]) },
                ],
                networksAdvanced: [{ name: args.networkName }],
                // The image's HEALTHCHECK asks the app's /health, which this container does not serve.
                healthcheck: disabledHealthcheck("app/Dockerfile"),
                restart: "unless-stopped",
            },
            { parent: this, dependsOn: [args.app] },
        );

        this.containerName = this.container.name;

        this.registerOutputs({ containerName: this.containerName });
    }
}
