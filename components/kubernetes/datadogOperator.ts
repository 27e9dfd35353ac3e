import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATOR_CHART } from "../config/platform";

export interface DatadogOperatorArgs {
    namespace: pulumi.Input<string>;
    /** A local chart (.tgz or folder); undefined: OPERATOR_CHART from Datadog's repository. */
    chartPath?: string;
    /** Do not wait for the Operator's Deployment to become ready. */
    skipAwait: boolean;
}

/** The Datadog Operator and its CRDs (DatadogAgent among them), from its Helm chart at a pinned version. */
export class DatadogOperator extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: DatadogOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:DatadogOperator", name, {}, opts);

        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                namespace: args.namespace,
                ...(args.chartPath !== undefined
                    ? { chart: args.chartPath }
                    : { chart: OPERATOR_CHART.name, version: OPERATOR_CHART.version, repositoryOpts: { repo: OPERATOR_CHART.repo } }),
                // The DatadogAgent CRD comes with the chart (its datadog-crds dependency).
                values: { installCRDs: true },
                skipAwait: args.skipAwait,
            },
            { parent: this },
        );

        this.registerOutputs({});
    }
}
