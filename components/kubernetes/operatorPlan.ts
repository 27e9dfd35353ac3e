// Whether this stack installs the Datadog Operator or uses the one the cluster already runs, decided
// at preview from what the API server holds (deploy/clusterPreflight.ts: readOperator). A cluster runs
// one Operator and one set of Datadog CRDs, owned by exactly one stack (or Helm release); the others
// use it, and never take over, change or delete its objects.
import * as pulumi from "@pulumi/pulumi";
import { ClusterOperator, DATADOG_AGENT_CRD, OPERATOR_SELECTOR, OWNER_NAMESPACE_ANNOTATION, OWNER_STACK_ANNOTATION, readOperator } from "../../deploy/clusterPreflight";

export { OWNER_NAMESPACE_ANNOTATION, OWNER_STACK_ANNOTATION };

export type InstallOperator = "auto" | "true" | "false";

export interface OperatorPlan {
    install: boolean;
    /** When the stack uses another's Operator: whose, for the log. */
    uses?: string;
}

/** Thrown at preview: the lines say what, why and the fix; Pulumi prints them without a stack trace. */
export class OperatorRefusal extends pulumi.RunError {
    constructor(readonly lines: readonly string[]) {
        super(lines.join("\n"));
        this.name = "OperatorRefusal";
    }
}

type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };

/** Who installed these objects, in words. */
export function ownerOf(meta: Meta | undefined, namespace?: string): string {
    const a = meta?.annotations ?? {};
    if (a[OWNER_NAMESPACE_ANNOTATION]) return `stack '${a[OWNER_STACK_ANNOTATION] ?? "?"}' of datadog-exercise (namespace ${a[OWNER_NAMESPACE_ANNOTATION]})`;
    if (a["meta.helm.sh/release-name"]) return `the Helm release '${a["meta.helm.sh/release-name"]}' in namespace ${a["meta.helm.sh/release-namespace"] ?? "?"}`;
    const release = meta?.labels?.["app.kubernetes.io/instance"];
    if (release) return `the release '${release}'${namespace ? ` in namespace ${namespace}` : ""} (not a datadog-exercise stack)`;
    return "something other than a Helm chart or a datadog-exercise stack";
}

/**
 * The namespaces whose DatadogAgents an Operator Deployment reconciles, read as the Operator reads its
 * env (datadog-operator pkg/config: DD_AGENT_WATCH_NAMESPACE, else WATCH_NAMESPACE, else all; "" is all):
 * "all", a list, or undefined when the env comes from elsewhere (a ConfigMap).
 */
export function agentWatchScope(deployment: ClusterOperator["deployments"][number]): "all" | string[] | undefined {
    const containers: { name: string; env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[] }[] = deployment.spec?.template?.spec?.containers ?? [];
    const env = (containers.find((c) => c.name === "datadog-operator") ?? containers[0])?.env ?? [];
    const entry = env.find((e) => e.name === "DD_AGENT_WATCH_NAMESPACE") ?? env.find((e) => e.name === "WATCH_NAMESPACE");
    if (!entry) return "all";
    let value = entry.value ?? "";
    if (entry.valueFrom) {
        if (entry.valueFrom.fieldRef?.fieldPath !== "metadata.namespace") return undefined;
        value = deployment.metadata.namespace;
    }
    const namespaces = value.split(",").map((n) => n.trim());
    return namespaces.includes("") ? "all" : namespaces;
}

/** The plan for `namespace` (the stack's own) from what the cluster holds; refuses with plain lines. */
export function planOperator(mode: InstallOperator, namespace: string, found: ClusterOperator): OperatorPlan {
    const ours = (m: Meta | undefined) => m?.annotations?.[OWNER_NAMESPACE_ANNOTATION] === namespace;
    const foreign = found.deployments.filter((d) => !ours(d.metadata));
    if (found.crd === undefined && foreign.length === 0) {
        if (mode === "false") {
            throw new OperatorRefusal([
                `installOperator is false, but the cluster has no Datadog Operator (no ${DATADOG_AGENT_CRD} CRD): this stack's DatadogAgent would have no CRD and nothing to reconcile it.`,
                "  Fix: pulumi config set installOperator auto (installs it when the cluster has none, uses it otherwise)",
            ]);
        }
        return { install: true };
    }
    if (ours(found.crd) && mode !== "false") return { install: true };
    const owner = found.crd ? ownerOf(found.crd) : ownerOf(foreign[0].metadata, foreign[0].metadata.namespace);
    if (mode === "true") {
        throw new OperatorRefusal([
            `installOperator is true, but the cluster already runs the Datadog Operator, installed by ${owner}.`,
            "  A second install would take over its CRDs and ClusterRole, and destroying this stack would then delete them under the other stack's DatadogAgents.",
            `  Fix: pulumi config set installOperator auto (this stack then uses that Operator; it must watch ${namespace})`,
        ]);
    }
    if (mode === "false" && foreign.length === 0) return { install: false, uses: owner };
    const scopes = foreign.map((d) => ({ d, scope: agentWatchScope(d) }));
    if (scopes.some(({ scope }) => scope === "all" || scope === undefined || scope.includes(namespace))) return { install: false, uses: owner };
    if (scopes.length === 0) {
        throw new OperatorRefusal([
            `The cluster has the Datadog CRDs (installed by ${owner}) but no Operator Deployment (label ${OPERATOR_SELECTOR}): nothing would reconcile this stack's DatadogAgent.`,
            "  Fix: install the Datadog Operator in the cluster, or pulumi config set installOperator false if it runs under other labels",
        ]);
    }
    const { d, scope } = scopes[0];
    const stack = d.metadata.annotations?.[OWNER_STACK_ANNOTATION];
    throw new OperatorRefusal([
        `The cluster's Datadog Operator (Deployment ${d.metadata.name} in namespace ${d.metadata.namespace}, installed by ${ownerOf(d.metadata, d.metadata.namespace)}) watches DatadogAgents in ${(scope as string[]).join(", ")} only: this stack's DatadogAgent in ${namespace} would never be reconciled.`,
        stack
            ? `  Fix: run pulumi up on stack '${stack}' first (this version's Operator watches every namespace), then this stack again`
            : `  Fix: let it watch ${namespace} too (its chart's watchNamespacesAgent, e.g. helm upgrade --reuse-values --set 'watchNamespacesAgent={""}'), then run this stack again`,
    ]);
}

/** Reads the cluster the kubernetes provider will use and plans; a cluster that cannot tell is a refusal too. */
export async function resolveOperator(k: { installOperator: InstallOperator; namespace: string; cluster: { kubeconfig?: string; context?: string } }): Promise<OperatorPlan> {
    const found = await readOperator({ ...k.cluster, env: process.env });
    if (typeof found === "string") throw new OperatorRefusal([found]);
    const plan = planOperator(k.installOperator, k.namespace, found);
    if (plan.uses) await pulumi.log.info(`Uses the cluster's Datadog Operator, installed by ${plan.uses}; this stack leaves it as it is.`);
    return plan;
}
