// Preflight of the Docker host's ports: appPort and postgresHostPort must not be published already
// by a container that the stack does not own. The daemon's own container list (GET /containers/json)
// answers this for a remote Docker host as for a local one; a clash is refused before anything is
// written, naming the container and its stack (its com.datadoghq.tags.env label).
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DeployError } from "./cli";

export const ENV_LABEL = "com.datadoghq.tags.env";

interface ContainerSummary {
    Names: string[];
    Labels?: Record<string, string>;
    Ports?: { PublicPort?: number; IP?: string }[];
}

export type DockerTarget = { socketPath: string } | { host: string; port: number };

/** Where to reach a daemon at `host` (unix:// or plain tcp://); undefined for TLS and ssh://, which need the provider's own client. */
export function dockerTarget(host: string, env: NodeJS.ProcessEnv): DockerTarget | undefined {
    const url = URL.parse(host);
    if (url?.protocol === "unix:") return { socketPath: url.pathname };
    if (url?.protocol === "tcp:" && !env.DOCKER_TLS_VERIFY) return { host: url.hostname, port: Number(url.port || 2375) };
    return undefined;
}

/** GET `p` of the daemon as JSON. */
export function dockerGet(target: DockerTarget, p: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
        const req = http.get({ ...target, path: p, timeout: timeoutMs }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${p} answered ${res.statusCode}: ${body.trim()}`))));
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        req.on("error", reject);
    });
}

/** A port setting of the stack: its stack file's value, else Pulumi.yaml's default. */
function portSetting(projectDir: string, stackFile: Record<string, unknown> | undefined, key: string): number {
    const own = stackFile?.[`datadog-exercise:${key}`];
    if (own !== undefined) return Number(own);
    const project = parseYaml(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { config?: Record<string, { default?: unknown }> };
    return Number(project.config?.[key]?.default ?? 0);
}

/**
 * Refuses when appPort or postgresHostPort is published by a running container of another stack (or
 * of none). The stack's own containers (label com.datadoghq.tags.env = its env) may hold them: a
 * rerun replaces them.
 */
export async function portsFree(
    target: DockerTarget,
    ctx: { projectDir: string; stack: string; stackFile: Record<string, unknown> | undefined },
    timeoutMs: number,
): Promise<void> {
    const env = (ctx.stackFile?.["datadog-exercise:env"] as string | undefined) || ctx.stack;
    const wanted = (["appPort", "postgresHostPort"] as const)
        .map((key) => ({ key, port: portSetting(ctx.projectDir, ctx.stackFile, key) }))
        .filter((w) => w.port > 0);
    if (wanted.length === 0) return;
    const containers = (await dockerGet(target, "/containers/json", timeoutMs)) as ContainerSummary[];
    const problems: string[] = [];
    for (const { key, port } of wanted) {
        for (const c of containers) {
            const owner = c.Labels?.[ENV_LABEL];
            if (owner === env || !(c.Ports ?? []).some((p) => p.PublicPort === port)) continue;
            const name = (c.Names[0] ?? "").replace(/^\//, "");
            const whose = owner ? `of stack '${owner}' (its ${ENV_LABEL} label)` : `of no stack of this project (no ${ENV_LABEL} label)`;
            problems.push(`  - ${key} ${port} is already published by container '${name}', ${whose}.`);
        }
    }
    if (problems.length === 0) return;
    throw new DeployError(
        [
            `Cannot deploy stack '${ctx.stack}': its ports are taken on the Docker host, so nothing was written.`,
            ...problems,
            `  Choose a free port (pulumi config set <appPort|postgresHostPort> <port> --stack ${ctx.stack}), or stop that container (npm run deploy -- destroy <its stack>).`,
        ].join("\n"),
    );
}
