// Checks made before the engine starts, each within seconds: the platform's daemon or cluster
// answers, and the keys that are about to be stored are accepted at the stack's site. A failed
// check names what it tried and what to do; nothing has been written yet.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DeployError } from "./cli";
import { agentsRelyingOn, checkCluster } from "./clusterPreflight";
import { dockerTarget, portsFree } from "./dockerPorts";
import { proxiedFetch, ProxyError } from "./proxy";

const PLATFORM_KEY = "datadog-exercise:platform";
/** Enough for a daemon on this host or the network; a hung one fails this fast rather than after minutes. */
const TIMEOUT_MS = 1500;

export interface PreflightContext {
    projectDir: string;
    stack: string;
    stackFile: Record<string, unknown> | undefined;
    env: NodeJS.ProcessEnv;
    /** The deploy command's subcommand (up, preview, destroy, ...): destroy needs no free port. */
    command?: string;
}

/** The stack's platform: its stack file's datadog-exercise:platform, else Pulumi.yaml's default, else docker. */
export function platformOf(ctx: PreflightContext): string {
    const own = ctx.stackFile?.[PLATFORM_KEY];
    if (typeof own === "string") return own;
    const project = parseYaml(fs.readFileSync(path.join(ctx.projectDir, "Pulumi.yaml"), "utf8")) as { config?: Record<string, { default?: unknown }> };
    const fallback = project.config?.platform?.default;
    return typeof fallback === "string" ? fallback : "docker";
}

/** Each platform's check of where its workloads go. A platform without one is checked by the engine alone. */
export const PLATFORM_PREFLIGHTS: Record<string, (ctx: PreflightContext) => Promise<void>> = {
    docker: dockerAnswers,
    kubernetes: clusterAnswers,
};

/**
 * platform kubernetes: the cluster the kubernetes provider will use answers (deploy/clusterPreflight.ts);
 * and, when the app's image is built and pushed (appImageRegistry), the Docker daemon that builds it.
 * A kubeconfig stored as a secret is left to the engine.
 */
async function clusterAnswers(ctx: PreflightContext): Promise<void> {
    const value = (key: string) => ctx.stackFile?.[key];
    const kubeconfig = value("kubernetes:kubeconfig");
    if (kubeconfig !== undefined && typeof kubeconfig !== "string") return;
    const context = value("kubernetes:context");
    const problem = await checkCluster({ kubeconfig, context: typeof context === "string" ? context : undefined, env: ctx.env });
    if (problem) throw new DeployError(`Cannot deploy stack '${ctx.stack}': ${problem}`);
    if (ctx.command === "destroy") {
        const env = value("datadog-exercise:env");
        const namespace = `${typeof env === "string" ? env : ctx.stack}-exercise`;
        const others = await agentsRelyingOn({ kubeconfig, context: typeof context === "string" ? context : undefined, env: ctx.env }, namespace);
        if (typeof others === "string") throw new DeployError(`Cannot destroy stack '${ctx.stack}': ${others}`);
        if (others.length > 0) {
            throw new DeployError(
                [
                    `Cannot destroy stack '${ctx.stack}': it installed the cluster's Datadog Operator and its CRDs, which the DatadogAgents ${others.join(", ")} still use; destroying it would delete the CRDs, and those DatadogAgents with them.`,
                    "  Fix: destroy the stacks of those namespaces first (npm run deploy -- destroy <stack>), then this one. Nothing was changed.",
                ].join("\n"),
            );
        }
    }
    if (value("datadog-exercise:appImageRegistry")) await dockerAnswers(ctx);
}

export async function platformPreflight(ctx: PreflightContext): Promise<void> {
    await PLATFORM_PREFLIGHTS[platformOf(ctx)]?.(ctx);
}

/** The daemon the docker provider would use: docker:host, else DOCKER_HOST, else the default socket. */
export function dockerHost(ctx: PreflightContext): { host: string; from: string } {
    const configured = ctx.stackFile?.["docker:host"];
    if (typeof configured === "string" && configured) return { host: configured, from: `docker:host in Pulumi.${ctx.stack}.yaml` };
    if (ctx.env.DOCKER_HOST) return { host: ctx.env.DOCKER_HOST, from: "DOCKER_HOST" };
    return { host: "unix:///var/run/docker.sock", from: "the default socket" };
}

/** GET /_ping on a unix socket or tcp host; resolves to an HTTP status, or rejects with the network error. */
function ping(target: { socketPath: string } | { host: string; port: number }): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.get({ ...target, path: "/_ping", timeout: TIMEOUT_MS }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
        req.on("error", reject);
    });
}

async function dockerAnswers(ctx: PreflightContext): Promise<void> {
    const { host, from } = dockerHost(ctx);
    const target = dockerTarget(host, ctx.env);
    if (!target) return;
    const status = await ping(target).catch((e: NodeJS.ErrnoException) => e.code ?? e.message);
    if (status === 200) {
        if (ctx.command !== "destroy" && platformOf(ctx) === "docker") await portsFree(target, ctx, TIMEOUT_MS);
        return;
    }
    const why = typeof status === "number" ? `/_ping answered ${status}` : `/_ping: ${status}`;
    throw new DeployError(
        [
            `Cannot deploy stack '${ctx.stack}': no Docker daemon answers at ${host} (${from}; ${why}).`,
            "  Start Docker (sudo systemctl start docker, or open Docker Desktop), or point at a running daemon:",
            `  export DOCKER_HOST=unix:///path/to/docker.sock, or pulumi config set docker:host ssh://user@host --stack ${ctx.stack}.`,
        ].join("\n"),
    );
}

/**
 * GET /api/v1/validate (the API key) and GET /api/v1/monitor?page_size=1 (the application key)
 * at the stack's API, through the environment's proxy (deploy/proxy.ts), before either key is stored.
 * A proxy that does not carry the requests is an error that names it. A refusal is an error that names the variable;
 * an API that cannot be reached is a warning (the engine checks the keys again).
 */
export async function keysAccepted(url: string, keys: { apiKey?: string; appKey?: string }, site: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    if (!keys.apiKey && !keys.appKey) return;
    const get = async (p: string, headers: Record<string, string>): Promise<number | string> =>
        proxiedFetch(new URL(p, url), { headers, signal: AbortSignal.timeout(5000) }, env).then(
            (r) => r.status,
            (e: Error) => {
                if (e instanceof ProxyError) {
                    throw new DeployError(
                        [
                            `Cannot check the keys at ${url}: ${e.message}. Nothing was written.`,
                            `  Start that proxy or fix ${e.variable}; or, if ${new URL(url).hostname} needs no proxy, add it to NO_PROXY.`,
                        ].join("\n"),
                    );
                }
                return String((e.cause as Error | undefined)?.message ?? e.message);
            },
        );
    const problems: string[] = [];
    let unreachable: string | undefined;
    if (keys.apiKey) {
        const status = await get("api/v1/validate", { "DD-API-KEY": keys.apiKey });
        if (status === 403 || status === 401) problems.push(`DD_API_KEY is refused by ${url} (${status}): it is not an API key of a ${site} organization.`);
        else if (typeof status === "string") unreachable = status;
        if (keys.appKey && status === 200) {
            const s = await get("api/v1/monitor?page_size=1", { "DD-API-KEY": keys.apiKey, "DD-APPLICATION-KEY": keys.appKey });
            if (s === 403 || s === 401) problems.push(`DD_APP_KEY is refused by ${url} (${s}): it is not an application key of the API key's ${site} organization.`);
        }
    }
    if (problems.length > 0) {
        throw new DeployError(
            [
                "Cannot store the keys: Datadog refuses them, so nothing was written.",
                ...problems.map((p) => `  - ${p}`),
                `  Copy the keys from Organization Settings (API Keys, Application Keys) of your Datadog site, and set DD_SITE if it is not ${site}.`,
            ].join("\n"),
        );
    }
    if (unreachable) console.log(`Could not check the keys at ${url} (${unreachable}); the engine checks them when it starts.`);
}
