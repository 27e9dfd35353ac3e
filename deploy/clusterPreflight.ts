// The deploy command's preflight for platform: kubernetes: does the cluster the kubernetes provider
// will use answer? The same cluster the provider picks: kubernetes:kubeconfig (a path or the YAML
// itself) and kubernetes:context, else KUBECONFIG, else ~/.kube/config, and its current context.
// One GET /version (which Kubernetes serves to anyone, signed in or not) within a few seconds.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export interface ClusterPreflightInput {
    /** kubernetes:kubeconfig: a path, or the kubeconfig's YAML itself. */
    kubeconfig?: string;
    /** kubernetes:context. */
    context?: string;
    env: NodeJS.ProcessEnv;
    timeoutMs?: number;
}

const FIX_CLUSTER = "start the cluster (kind create cluster, minikube start) or point the stack at another: pulumi config set kubernetes:context <name> (or kubernetes:kubeconfig <path>)";

/* eslint-disable @typescript-eslint/no-explicit-any -- a kubeconfig is parsed YAML, read field by field */
function readKubeconfig(input: ClusterPreflightInput): { source: string; doc: any; dir: string } | string {
    let text: string;
    if (input.kubeconfig !== undefined && /^\s*(apiVersion|kind|clusters|contexts|users|current-context)\s*:/m.test(input.kubeconfig)) {
        return { source: "kubernetes:kubeconfig", doc: parseYaml(input.kubeconfig), dir: process.cwd() };
    }
    const file = input.kubeconfig ?? input.env.KUBECONFIG?.split(path.delimiter).find((p) => p !== "") ?? path.join(input.env.HOME ?? os.homedir(), ".kube", "config");
    const source = input.kubeconfig !== undefined ? `kubernetes:kubeconfig (${file})` : input.env.KUBECONFIG ? `KUBECONFIG (${file})` : file;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return `platform kubernetes: no kubeconfig at ${source}. Fix: ${FIX_CLUSTER}`;
    }
    try {
        return { source, doc: parseYaml(text), dir: path.dirname(file) };
    } catch (e) {
        return `platform kubernetes: ${source} is not a kubeconfig (${(e as Error).message.split("\n")[0]}). Fix: repair it, or ${FIX_CLUSTER}`;
    }
}

interface Connection {
    url: URL;
    where: string;
    options: https.RequestOptions;
}

/** The cluster the kubernetes provider would use, ready to be asked; or one line saying why it cannot be. */
function connect(input: ClusterPreflightInput): Connection | string {
    const kc = readKubeconfig(input);
    if (typeof kc === "string") return kc;
    const contextName = input.context ?? kc.doc?.["current-context"];
    const byName = (list: string, name: string) => (kc.doc?.[list] ?? []).find((e: any) => e?.name === name);
    const context = contextName ? byName("contexts", contextName)?.context : undefined;
    const cluster = context ? byName("clusters", context.cluster)?.cluster : undefined;
    if (!cluster?.server) {
        const known = (kc.doc?.contexts ?? []).map((c: any) => c?.name).join(", ") || "none";
        return `platform kubernetes: ${contextName ? `context '${contextName}'` : "no current context"} in ${kc.source} names no cluster (contexts: ${known}). Fix: ${FIX_CLUSTER}`;
    }
    const user = byName("users", context.user)?.user ?? {};
    const file = (p?: string) => (p === undefined ? undefined : fs.readFileSync(path.resolve(kc.dir, p)));
    const data = (d?: string) => (d === undefined ? undefined : Buffer.from(d, "base64"));
    return {
        url: new URL(cluster.server),
        where: `the cluster ${cluster.server} (context '${contextName}', from ${kc.source})`,
        options: {
            method: "GET",
            ca: data(cluster["certificate-authority-data"]) ?? file(cluster["certificate-authority"]),
            rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
            cert: data(user["client-certificate-data"]) ?? file(user["client-certificate"]),
            key: data(user["client-key-data"]) ?? file(user["client-key"]),
            headers: user.token ? { authorization: `Bearer ${user.token}` } : {},
        },
    };
}

/** GET apiPath: its status and JSON body; or one line (what, why, fix) when the cluster does not answer. */
function get(conn: Connection, apiPath: string, timeoutMs: number): Promise<{ status: number; body: any } | string> {
    return new Promise((resolve) => {
        const req = (conn.url.protocol === "http:" ? http : https).request(
            conn.url,
            { ...conn.options, path: `${conn.url.pathname.replace(/\/$/, "")}${apiPath}`, timeout: timeoutMs },
            (res) => {
                let text = "";
                res.on("data", (d) => (text += d));
                res.on("end", () => {
                    let body: any;
                    try {
                        body = JSON.parse(text);
                    } catch {
                        body = text;
                    }
                    resolve({ status: res.statusCode ?? 0, body });
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        req.on("error", (e: NodeJS.ErrnoException) => resolve(`platform kubernetes: ${conn.where} does not answer: ${e.code === "ECONNREFUSED" ? "connection refused" : e.message}. Fix: ${FIX_CLUSTER}`));
        req.end();
    });
}

/** Undefined when the cluster answers; otherwise one line: what is wrong, and what to do. */
export async function checkCluster(input: ClusterPreflightInput): Promise<string | undefined> {
    const conn = connect(input);
    if (typeof conn === "string") return conn;
    const r = await get(conn, "/version", input.timeoutMs ?? 5000);
    // Any HTTP answer, even 401 or 403, means the API server is up; the provider signs in itself.
    return typeof r === "string" ? r : undefined;
}

/** What the cluster holds of a Datadog Operator: the DatadogAgent CRD, and the Operators' Deployments (the chart's label). */
export interface ClusterOperator {
    /** The datadogagents.datadoghq.com CRD's metadata, if the cluster has it. */
    crd?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    deployments: { metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any }[];
}
export const DATADOG_AGENT_CRD = "datadogagents.datadoghq.com";
export const OPERATOR_SELECTOR = "app.kubernetes.io/name=datadog-operator";
/** On the chart's CRDs and Deployment: the namespace and stack that installed them. */
export const OWNER_NAMESPACE_ANNOTATION = "datadog-exercise/namespace";
export const OWNER_STACK_ANNOTATION = "datadog-exercise/stack";

/** Reads the cluster's Datadog Operator (ClusterOperator); or one line when the cluster cannot tell. */
export async function readOperator(input: ClusterPreflightInput): Promise<ClusterOperator | string> {
    const conn = connect(input);
    if (typeof conn === "string") return conn;
    const timeoutMs = input.timeoutMs ?? 10000;
    const [crd, deployments] = await Promise.all([
        get(conn, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${DATADOG_AGENT_CRD}`, timeoutMs),
        get(conn, `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(OPERATOR_SELECTOR)}`, timeoutMs),
    ]);
    for (const [r, what] of [[crd, `the CRD ${DATADOG_AGENT_CRD}`], [deployments, "the Deployments"]] as const) {
        if (typeof r === "string") return r;
        if (r.status !== 200 && !(r.status === 404 && r === crd)) {
            return `platform kubernetes: ${conn.where} does not let this user read ${what} (HTTP ${r.status}), so it cannot tell whether a Datadog Operator runs there. Fix: use a kubeconfig that may get CRDs and list Deployments, or ${FIX_CLUSTER}`;
        }
    }
    const c = crd as { status: number; body: any };
    return { crd: c.status === 200 ? (c.body.metadata ?? {}) : undefined, deployments: (deployments as { body: any }).body.items ?? [] };
}

/**
 * The DatadogAgents of other namespaces that depend on the Operator this stack installed (its CRD names
 * `namespace` as its owner): destroying the stack would delete that CRD, and with it every one of them.
 * Empty when the stack did not install the cluster's Operator; one line when the cluster cannot tell.
 */
export async function agentsRelyingOn(input: ClusterPreflightInput, namespace: string): Promise<string[] | string> {
    const found = await readOperator(input);
    if (typeof found === "string") return found;
    if (found.crd?.annotations?.[OWNER_NAMESPACE_ANNOTATION] !== namespace) return [];
    const conn = connect(input) as Connection;
    const r = await get(conn, "/apis/datadoghq.com/v2alpha1/datadogagents", input.timeoutMs ?? 10000);
    if (typeof r === "string") return r;
    if (r.status !== 200) return `platform kubernetes: ${conn.where} does not let this user list DatadogAgents (HTTP ${r.status}). Fix: use a kubeconfig that may list them`;
    return (r.body.items ?? [])
        .map((a: any) => `${a.metadata.namespace}/${a.metadata.name}`)
        .filter((n: string) => !n.startsWith(`${namespace}/`))
        .sort();
}
