// The deploy command's HTTP requests (the key preflight, doctor, any later client) go through the
// proxy of the environment, as the Pulumi providers' do: HTTPS_PROXY for https://, HTTP_PROXY for
// http:// (and for https:// when HTTPS_PROXY is unset), except for the hosts that NO_PROXY lists.
// Node's fetch does so only when node starts with --use-env-proxy, which `npm run deploy` passes
// (package.json). This module is what every such client calls: `proxiedFetch` checks that switch
// and turns a failure to reach the proxy into a plain error that names it.
import { DeployError } from "./cli";

/** The variables Node's fetch reads, in its order: the lower-case one first. */
const PROXY_VARIABLES = { "https:": ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"], "http:": ["http_proxy", "HTTP_PROXY"] } as const;

/** The proxy a request to `url` goes through, and the variable that set it; undefined for none. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): { proxy: string; variable: string } | undefined {
    const variable = (PROXY_VARIABLES[url.protocol as keyof typeof PROXY_VARIABLES] ?? []).find((v) => env[v] !== undefined);
    if (!variable || !env[variable]) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const bypass = (env.no_proxy ?? env.NO_PROXY ?? "").split(/[\s,]+/).filter(Boolean).some((entry) => {
        if (entry === "*") return true;
        const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase().replace(/^\*/, ""))!;
        const [domain, entryPort] = [m[1].replace(/^\[|\]$/g, ""), m[2]];
        if (entryPort && entryPort !== port) return false;
        return domain.startsWith(".") ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`);
    });
    return bypass ? undefined : { proxy: env[variable]!, variable };
}

/** The proxy could not be reached, or refused to carry the request: a plain error, as every DeployError. */
export class ProxyError extends DeployError {
    constructor(
        readonly proxy: string,
        readonly variable: string,
        readonly reason: string,
    ) {
        super(`the proxy ${proxy} (${variable}) does not carry the request: ${reason}`);
    }
}

const envProxyOn = () => process.execArgv.includes("--use-env-proxy") || process.env.NODE_USE_ENV_PROXY === "1";

/**
 * fetch, through the environment's proxy. Rejects with a ProxyError when a proxy applies and the
 * request fails before any answer (the proxy is down, unknown, or refuses the tunnel).
 */
export async function proxiedFetch(url: URL, init: RequestInit, env: NodeJS.ProcessEnv = process.env): Promise<Response> {
    const via = proxyFor(url, env);
    if (via && !envProxyOn()) throw new ProxyError(via.proxy, via.variable, "node was started without --use-env-proxy (npm run deploy starts it with it)");
    try {
        return await fetch(url, init);
    } catch (e) {
        if (!via || (e as Error).name === "TimeoutError") throw e;
        throw new ProxyError(via.proxy, via.variable, String(((e as Error).cause as Error | undefined)?.message ?? (e as Error).message));
    }
}
