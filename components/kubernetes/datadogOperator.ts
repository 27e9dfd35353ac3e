import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATOR_CHART } from "../config/platform";
import { OWNER_NAMESPACE_ANNOTATION, OWNER_STACK_ANNOTATION } from "./operatorPlan";

export interface DatadogOperatorArgs {
    /** The release's namespace: the installing stack's, <env>-exercise. */
    namespace: pulumi.Input<string>;
    /** The installing stack, named on the CRDs and the Deployment: its namespace (as a string) and its name. */
    owner: { namespace: string; stack: string };
    /** Makes the release, and so its ClusterRole and ClusterRoleBinding, unique per stack. */
    env: string;
    /** A local chart (.tgz or folder); undefined: OPERATOR_CHART from Datadog's repository. */
    chartPath?: string;
    /** Do not wait for the Operator's Deployment to become ready. */
    skipAwait: boolean;
}

/** The chart's values: the CRDs, every namespace's DatadogAgents watched, the owner on the CRDs and the Deployment. */
export function operatorValues(namespace: string, stack: string) {
    const owner = { [OWNER_NAMESPACE_ANNOTATION]: namespace, [OWNER_STACK_ANNOTATION]: stack };
    return {
        // The DatadogAgent CRD comes with the chart (its datadog-crds dependency).
        installCRDs: true,
        datadogCRDs: { crds: { annotations: owner } },
        deployment: { annotations: owner },
        // DD_AGENT_WATCH_NAMESPACE="": the DatadogAgent controller watches every namespace, so the stacks
        // that share this Operator get their Agent (by default it watches its own namespace only).
        // The other controllers keep the default (this namespace); the ClusterRole is cluster-wide either way.
        watchNamespacesAgent: [""],
    };
}

/** The Helm release: <env>-datadog-operator, so its cluster-wide names (ClusterRole, ClusterRoleBinding) are the stack's own. */
export const operatorRelease = (env: string) => `${env}-datadog-operator`;

/**
 * The Datadog Operator and its CRDs (DatadogAgent among them), from its Helm chart at a pinned version.
 * One stack per cluster installs it (components/kubernetes/operatorPlan.ts); the others use it.
 */
export class DatadogOperator extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: DatadogOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:DatadogOperator", name, {}, opts);

        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: operatorRelease(args.env),
                namespace: args.namespace,
                ...(args.chartPath !== undefined
                    ? { chart: args.chartPath }
                    : { chart: OPERATOR_CHART.name, version: OPERATOR_CHART.version, repositoryOpts: { repo: OPERATOR_CHART.repo } }),
                values: operatorValues(args.owner.namespace, args.owner.stack),
                skipAwait: args.skipAwait,
            },
            { parent: this },
        );

        this.registerOutputs({});
    }
}
