// The platform keys: where the environment runs (one Docker host, or a Kubernetes cluster through the
// Datadog Operator) and what the Kubernetes path needs. stackConfig.ts merges this shape and these
// rules into its one schema, so loadStackConfig() still reports every problem in one error.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

/** The Datadog Operator chart a cluster gets from Datadog's repository unless operatorChart names a local copy. */
export const OPERATOR_CHART = Object.freeze({ name: "datadog-operator", version: "2.25.0", repo: "https://helm.datadoghq.com" });

/** A Kubernetes namespace is a DNS label (RFC 1123) of at most 63 characters; ours is <env>-exercise. */
const NAMESPACE_SUFFIX = "-exercise";
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_ENV_ON_KUBERNETES = 63 - NAMESPACE_SUFFIX.length;
/** An image reference: [registry[:port]/]path[:tag][@digest], lowercase path. */
const IMAGE_RE = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;
/** A registry (host[:port]) with an optional repository path, no tag. */
const REGISTRY_RE = /^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Booleans arrive as strings from the config; "true"/"false" become booleans, the rest is left to fail. */
const boolean = (help: string) => z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ error: help }));

/** The platform keys' value rules, merged into stackConfig.ts's schema. */
export const platformShape = {
    platform: z.enum(["docker", "kubernetes"], { error: "must be docker (one Docker host) or kubernetes (a cluster, through the Datadog Operator)" }),
    installOperator: z.preprocess((v) => (typeof v === "boolean" ? String(v) : v), z.enum(["auto", "true", "false"], {
        error: "must be auto (install the Datadog Operator unless the cluster runs one, then use it), true (install it) or false (use the cluster's)",
    })),
    operatorChart: z.string().optional(),
    skipAwait: boolean("must be true (do not wait for workloads to become ready) or false (wait, the default)"),
    appImage: z.string().regex(IMAGE_RE, "must be an image reference the cluster can pull, such as exercise-app:1.0.0 or registry.example.com/team/exercise-app:1.0.0").optional(),
    appImageRegistry: z.string().regex(REGISTRY_RE, "must be a registry and path to push the app's image to, such as registry.example.com/team (no tag)").optional(),
};

type PlatformValues = z.output<z.ZodObject<typeof platformShape>> & { env: string };

/** What follows `pulumi config set` to fix each platform key. */
export const PLATFORM_FIXES: Readonly<Record<string, string>> = {
    platform: "platform kubernetes (or docker)",
    installOperator: "installOperator auto",
    operatorChart: "operatorChart ./datadog-operator-2.25.0.tgz (or pulumi config rm operatorChart)",
    skipAwait: "skipAwait true",
    appImage: "appImage exercise-app:1.0.0",
    appImageRegistry: "appImageRegistry registry.example.com/team (or pulumi config rm appImageRegistry)",
};

/** The cross-key rules of the platform keys; they run with the others, so every problem is listed at once. */
export function platformRules(c: PlatformValues, ctx: z.core.$RefinementCtx<PlatformValues>): void {
    const valid = (...keys: string[]) => keys.every((k) => !ctx.issues.some((i) => i.path?.[0] === k));
    const add = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (!valid("platform") || c.platform !== "kubernetes") return;
    if (valid("env") && !(DNS_LABEL_RE.test(c.env) && c.env.length <= MAX_ENV_ON_KUBERNETES)) {
        add("env", `must be a DNS label of at most ${MAX_ENV_ON_KUBERNETES} characters (a-z, 0-9, '-') with platform kubernetes: it names the namespace <env>${NAMESPACE_SUFFIX}`);
    }
    if (valid("appImage", "appImageRegistry")) {
        if (c.appImage === undefined && c.appImageRegistry === undefined) {
            add("appImage", "is required with platform kubernetes unless appImageRegistry is set: the cluster must pull the app's image from somewhere (docs/kubernetes.md: kind and minikube load a local one)");
        } else if (c.appImage !== undefined && c.appImageRegistry !== undefined) {
            add("appImageRegistry", `must not be set together with appImage (${c.appImage}): set appImage to run an image the cluster can pull, or appImageRegistry to build and push one`);
        }
    }
    if (valid("installOperator", "operatorChart") && c.operatorChart !== undefined) {
        if (c.installOperator === "false") add("operatorChart", "must not be set with installOperator false: no chart is installed");
        else if (!fs.existsSync(path.resolve(c.operatorChart))) {
            add("operatorChart", `must be the path of a local datadog-operator chart (.tgz or folder); ${path.resolve(c.operatorChart)} does not exist`);
        }
    }
}

/** The typed platform part of the stack config. */
export function buildPlatform(c: PlatformValues, cluster: { kubeconfig?: string; context?: string }) {
    return {
        platform: c.platform,
        /** Set with platform kubernetes only. */
        kubernetes:
            c.platform === "kubernetes"
                ? {
                      /** Everything of this env goes into this namespace, so envs share one cluster. */
                      namespace: `${c.env}${NAMESPACE_SUFFIX}`,
                      /** auto, true or false: what the stack does about the Operator, decided at preview (components/kubernetes/operatorPlan.ts). */
                      installOperator: c.installOperator,
                      /** An absolute path to a local chart; undefined: OPERATOR_CHART from Datadog's repository. */
                      operatorChart: c.operatorChart === undefined ? undefined : path.resolve(c.operatorChart),
                      /** Do not wait for workloads and the Operator to become ready (GitOps clusters, the tests' kubelet-less API server). */
                      skipAwait: c.skipAwait,
                      appImage: c.appImage,
                      appImageRegistry: c.appImageRegistry,
                      /** The kubernetes provider's kubernetes:kubeconfig and kubernetes:context, to read the cluster at preview (never an output). */
                      cluster,
                  }
                : undefined,
    };
}
