import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { APP_CONTEXT_DIR, AppScenario, appLogsLabel, scenarioEnvironment } from "../docker/appContainer";
import { APP_DB_PASSWORD_ENV, APP_DB_USER, POSTGRES_PORT } from "../docker/postgresContainer";
import { awaitAnnotations, unifiedServiceEnv, unifiedServiceLabels } from "./objectMeta";

/** The label that makes the Cluster Agent's admission controller inject the Agent's address. */
export const ADMISSION_LABEL = "admission.datadoghq.com/enabled";
export const APP_CONTAINER = "app";

export interface AppDeploymentArgs {
    namespace: pulumi.Input<string>;
    /** The Deployment's and its Service's name. */
    name: string;
    /** An image the cluster can pull; or, with `registry`, undefined. */
    image?: string;
    /** Build container-src/app and push it to <registry>/<name>:<version>. */
    registry?: string;
    env: string;
    service: string;
    version: string;
    port: number;
    /** PostgreSQL's Service (the app's PGHOST) and the Secret holding the app role's password. */
    postgresService: pulumi.Input<string>;
    postgresSecret: pulumi.Input<string>;
    /** The live demo's failures (scenarios slow and errors); none: the app serves as it is. */
    scenario?: AppScenario;
    skipAwait: boolean;
}

/** The app's pod labels: unified service tagging, and the admission controller's opt-in. */
export function appPodLabels(name: string, env: string, service: string, version: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, ...unifiedServiceLabels(env, service, version), [ADMISSION_LABEL]: "true" };
}

/** The Flask app as a Deployment and a Service, traced by ddtrace-run through the Agent the admission controller points it at. */
export class AppDeployment extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    /** The image the pods run: the traffic Deployment runs it too. */
    public readonly image: pulumi.Output<string>;

    constructor(name: string, args: AppDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:AppDeployment", name, {}, opts);
        const meta = { namespace: args.namespace, annotations: awaitAnnotations(args.skipAwait) };

        this.image =
            args.registry !== undefined
                ? new docker.Image(
                      `${name}-image`,
                      {
                          imageName: `${args.registry}/${args.name}:${args.version}`,
                          build: { context: APP_CONTEXT_DIR, dockerfile: path.join(APP_CONTEXT_DIR, "Dockerfile"), platform: "linux/amd64" },
                      },
                      { parent: this },
                  ).repoDigest
                : pulumi.output(args.image ?? "");

        const selector = { "app.kubernetes.io/name": args.name };
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { ...meta, name: args.name, labels: { ...selector, ...unifiedServiceLabels(args.env, args.service, args.version) } },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: {
                            labels: appPodLabels(args.name, args.env, args.service, args.version),
                            annotations: { [`ad.datadoghq.com/${APP_CONTAINER}.logs`]: appLogsLabel(args.service) },
                        },
                        spec: {
                            containers: [
                                {
                                    name: APP_CONTAINER,
                                    image: this.image,
                                    ports: [{ name: "http", containerPort: args.port }],
                                    env: [
                                        ...unifiedServiceEnv(true),
                                        { name: "DD_LOGS_INJECTION", value: "true" },
                                        { name: "PORT", value: String(args.port) },
                                        // libpq's own variables: psycopg reads them, so the app holds no connection string.
                                        { name: "PGHOST", value: args.postgresService },
                                        { name: "PGPORT", value: String(POSTGRES_PORT) },
                                        { name: "PGDATABASE", value: "postgres" },
                                        { name: "PGUSER", value: APP_DB_USER },
                                        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: args.postgresSecret, key: APP_DB_PASSWORD_ENV } } },
                                        // Each query carries its trace context as a SQL comment: Database Monitoring links it to the trace.
                                        { name: "DD_DBM_PROPAGATION_MODE", value: "full" },
                                        ...scenarioEnvironment(args.scenario).map((entry) => {
                                            const [name, ...value] = entry.split("=");
                                            return { name, value: value.join("=") };
                                        }),
                                    ],
                                    readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10 },
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            { metadata: { ...meta, name: args.name }, spec: { selector, ports: [{ name: "http", port: args.port, targetPort: "http" }] } },
            { parent: this },
        );

        this.registerOutputs({ serviceName: this.service.metadata.name });
    }
}
