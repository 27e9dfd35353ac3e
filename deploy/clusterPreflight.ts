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

/** Undefined when the cluster answers; otherwise one line: what is wrong, and what to do. */
export async function checkCluster(input: ClusterPreflightInput): Promise<string | undefined> {
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
    const url = new URL(cluster.server);
    const timeoutMs = input.timeoutMs ?? 5000;
    const where = `the cluster ${cluster.server} (context '${contextName}', from ${kc.source})`;
    return new Promise((resolve) => {
        const options: https.RequestOptions = {
            method: "GET",
            path: `${url.pathname.replace(/\/$/, "")}/version`,
            timeout: timeoutMs,
            ca: data(cluster["certificate-authority-data"]) ?? file(cluster["certificate-authority"]),
            rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
            cert: data(user["client-certificate-data"]) ?? file(user["client-certificate"]),
            key: data(user["client-key-data"]) ?? file(user["client-key"]),
            headers: user.token ? { authorization: `Bearer ${user.token}` } : {},
        };
        const req = (url.protocol === "http:" ? http : https).request(url, options, (res) => {
            res.resume();
            // Any HTTP answer, even 401 or 403, means the API server is up; the provider signs in itself.
            resolve(undefined);
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        req.on("error", (e: NodeJS.ErrnoException) => resolve(`platform kubernetes: ${where} does not answer: ${e.code === "ECONNREFUSED" ? "connection refused" : e.message}. Fix: ${FIX_CLUSTER}`));
        req.end();
    });
}
