// The official Datadog client (@datadog/datadog-api-client) for the read commands (verify,
// scenario --wait, rehearse): one configuration per stack, its HTTP transport made in one place.
import { client, v1, v2 } from "@datadog/datadog-api-client";
import { logger } from "@datadog/datadog-api-client/dist/logger";
import { DeployError } from "./cli";
import { proxiedFetch } from "./proxy";

/** Where and with which keys to read: the stack's datadog:apiUrl, else https://api.<site>. */
export interface ReadAccess {
    url: string;
    apiKey: string;
    appKey: string;
}

/**
 * The one place the client's HTTP transport comes from: proxiedFetch (deploy/proxy.ts), under the
 * client's own fetch-based library, so that it goes through HTTPS_PROXY/NO_PROXY as the key
 * preflight does, and a dead proxy is a plain error that names it. A 429
 * prints a plain line; the client then waits as the answer's X-RateLimit-Reset says, and retries.
 */
export function transport(say: (line: string) => void): typeof fetch {
    return async (url, init) => {
        const r = await proxiedFetch(new URL(String(url instanceof Request ? url.url : url)), init ?? {});
        if (r.status === 429) say(`Datadog answered 429 (rate limited): retrying in ${r.headers.get("x-ratelimit-reset") ?? "a few"} s.`);
        return r;
    };
}

export interface Api {
    hosts: v1.HostsApi;
    metrics: v1.MetricsApi;
    monitors: v1.MonitorsApi;
    logs: v2.LogsApi;
}

export function datadogApi(access: ReadAccess, say: (line: string) => void): Api {
    logger.setLevel("silent"); // its error log would repeat, with a stack, what the command says plainly
    const configuration = client.createConfiguration({
        authMethods: { apiKeyAuth: access.apiKey, appKeyAuth: access.appKey },
        baseServer: new client.BaseServerConfiguration(access.url.replace(/\/+$/, ""), {}),
        fetch: transport(say),
        enableRetry: true,
        maxRetries: 3,
    });
    return { hosts: new v1.HostsApi(configuration), metrics: new v1.MetricsApi(configuration), monitors: new v1.MonitorsApi(configuration), logs: new v2.LogsApi(configuration) };
}

/** A refused key or an unreachable API as the plain error the user can act on; anything else as it is. */
export function plainError(e: unknown, access: ReadAccess, stack: string): unknown {
    const code = (e as { code?: number }).code;
    if (code === 403 || code === 401) {
        return new DeployError(
            `Datadog refused the stack's keys (${code} Forbidden at ${access.url}): the API key or the application key is wrong, or belongs to another site.\n` +
                `What to do: set DD_API_KEY and DD_APP_KEY to keys of your organization (and DD_SITE to its site), then npm run deploy -- up ${stack}.`,
        );
    }
    if (code === 429) return new DeployError(`Datadog still answers 429 (rate limited) after 3 retries: wait a minute, then rerun.`);
    if (typeof code === "number") return new DeployError(`Datadog answered ${code} at ${access.url}: ${String((e as Error).message).split("\n")[0]}`);
    if (e instanceof TypeError) return new DeployError(`cannot reach Datadog at ${access.url}: ${String((e as { cause?: Error }).cause?.message ?? e.message)}. Check the network (and HTTPS_PROXY), then rerun.`);
    return e;
}
