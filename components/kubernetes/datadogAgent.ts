import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CheckRange, checkConfYaml } from "../docker/agentContainer";
import { readContainerSrc } from "../docker/containerSrc";

export const DATADOG_AGENT_API_VERSION = "datadoghq.com/v2alpha1";
/** The credentials Secret's keys. */
export const API_KEY_KEY = "api-key";
export const APP_KEY_KEY = "app-key";
/** The Agent image's own helper: it reads ENC[k8s_secret@<ns>/<name>/<key>] through the Kubernetes API. */
export const SECRET_BACKEND_COMMAND = "/readsecret_multiple_providers.sh";

export interface DatadogAgentArgs {
    namespace: pulumi.Input<string>;
    /** The DatadogAgent's name; its Secret and ConfigMaps derive from it. */
    name: string;
    image: string;
    apiKey: pulumi.Input<string>;
    appKey: pulumi.Input<string>;
    site: string;
    clusterName: string;
    env: string;
    hostTags: readonly string[];
    checkIntervalSeconds: number;
    /** The scenario's my_metric values (an integer range); undefined: the check submits nothing. */
    myMetric: CheckRange | undefined;
    /** The Secrets the Agent may read through its secret backend (RBAC limited to these), in `namespace`. */
    readableSecrets: readonly string[];
    /** The Operator's chart, when this program installs it: its CRD must exist first. */
    operator?: pulumi.Resource;
}

/** The DatadogAgent's spec: the Operator deploys the node Agent and the Cluster Agent from it. */
export function datadogAgentSpec(
    args: Pick<DatadogAgentArgs, "image" | "site" | "clusterName" | "env" | "hostTags" | "readableSecrets"> & {
        namespace: string;
        credentialsSecret: string;
        checksdConfigMap: string;
        confdConfigMap: string;
    },
) {
    return {
        global: {
            site: args.site,
            clusterName: args.clusterName,
            tags: [...args.hostTags],
            credentials: {
                apiSecret: { secretName: args.credentialsSecret, keyName: API_KEY_KEY },
                appSecret: { secretName: args.credentialsSecret, keyName: APP_KEY_KEY },
            },
            env: [{ name: "DD_ENV", value: args.env }],
            // The postgres check's password: ENC[k8s_secret@...] in its annotation, read by the Agent
            // itself; the Operator grants it `get` on these Secrets only (no cluster-wide permission).
            secretBackend: {
                command: SECRET_BACKEND_COMMAND,
                enableGlobalPermissions: false,
                roles: [{ namespace: args.namespace, secrets: [...args.readableSecrets] }],
            },
        },
        features: {
            apm: { enabled: true },
            // Pods opt in with their ad.datadoghq.com/<container>.logs annotation.
            logCollection: { enabled: true, containerCollectAll: false },
            dogstatsd: { originDetectionEnabled: true },
            // Pods opt in with the admission.datadoghq.com/enabled label; the Agent is reached through
            // its node-local Service, so two envs' Agents on one node need no host port. Each env's
            // webhook has its own name (a cluster-wide object).
            admissionController: { enabled: true, mutateUnlabelled: false, agentCommunicationMode: "service", webhookName: `${args.namespace}-datadog-webhook` },
        },
        override: {
            nodeAgent: {
                image: { name: args.image },
                // ConfigMaps with flat keys: a key with '/' makes the Operator fail silently.
                extraChecksd: { configMap: { name: args.checksdConfigMap } },
                extraConfd: { configMap: { name: args.confdConfigMap } },
                // The readiness probes hit /health every few seconds: not worth a trace each time.
                containers: { "trace-agent": { env: [{ name: "DD_APM_IGNORE_RESOURCES", value: "GET /health" }] } },
            },
        },
    };
}

/**
 * The Datadog Agent through the Operator: a DatadogAgent custom resource, its credentials Secret
 * (from the Pulumi secrets) and the my_metric check in two ConfigMaps.
 */
export class DatadogAgent extends pulumi.ComponentResource {
    public readonly resource: k8s.apiextensions.CustomResource;
    public readonly credentials: k8s.core.v1.Secret;

    constructor(name: string, args: DatadogAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:DatadogAgent", name, {}, opts);

        this.credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${args.name}-credentials`, namespace: args.namespace },
                stringData: { [API_KEY_KEY]: pulumi.secret(args.apiKey), [APP_KEY_KEY]: pulumi.secret(args.appKey) },
            },
            { parent: this },
        );
        const checksd = new k8s.core.v1.ConfigMap(
            `${name}-checksd`,
            {
                metadata: { name: `${args.name}-checksd`, namespace: args.namespace },
                data: { "custom_my_metric.py": readContainerSrc("agent/checks.d/custom_my_metric.py") },
            },
            { parent: this },
        );
        const confd = new k8s.core.v1.ConfigMap(
            `${name}-confd`,
            { metadata: { name: `${args.name}-confd`, namespace: args.namespace }, data: { "custom_my_metric.yaml": checkConfYaml(args.checkIntervalSeconds, args.myMetric ?? "none") } },
            { parent: this },
        );

        this.resource = new k8s.apiextensions.CustomResource(
            `${name}-resource`,
            {
                apiVersion: DATADOG_AGENT_API_VERSION,
                kind: "DatadogAgent",
                metadata: { name: args.name, namespace: args.namespace },
                spec: pulumi
                    .all([args.namespace, this.credentials.metadata.name, checksd.metadata.name, confd.metadata.name])
                    .apply(([namespace, credentialsSecret, checksdConfigMap, confdConfigMap]) =>
                        datadogAgentSpec({ ...args, namespace, credentialsSecret, checksdConfigMap, confdConfigMap }),
                    ),
            },
            { parent: this, dependsOn: args.operator ? [args.operator] : [] },
        );

        this.registerOutputs({});
    }
}
