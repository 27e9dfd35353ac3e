// doctor, Docker side: containers on the stack's Docker host that carry the stack's env label
// (com.datadoghq.tags.env) but that its state does not hold: a create that a Ctrl-C or a crash cut
// off after the daemon made the container, or a leftover of an earlier state. Read from the
// daemon's container list, so it works for a remote Docker host too.
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT } from "../components/config/keys";
import { DockerTarget, ENV_LABEL, dockerGet, dockerTarget } from "./dockerPorts";

export interface StrayContainer {
    id: string;
    name: string;
}

/** The containers labelled with `env` (running or not) whose ID is not among `stateIds`. */
export async function containersOutsideState(target: DockerTarget, env: string, stateIds: ReadonlySet<string>): Promise<StrayContainer[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`${ENV_LABEL}=${env}`] }));
    const list = (await dockerGet(target, `/containers/json?all=1&filters=${filters}`, 5000)) as { Id: string; Names: string[] }[];
    return list.filter((c) => !stateIds.has(c.Id)).map((c) => ({ id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, "") }));
}

/** The stack's stray containers, when its platform is docker and its daemon is reachable without TLS or ssh; else none. */
export async function strayContainers(stack: Stack): Promise<StrayContainer[]> {
    const config = await stack.getAllConfig();
    const value = (k: string) => config[k]?.value || undefined;
    if ((value(`${PROJECT}:platform`) ?? "docker") !== "docker") return [];
    const target = dockerTarget(value("docker:host") ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock", process.env);
    if (!target) return [];
    const deployment = (await stack.exportStack()).deployment as { resources?: { type: string; id?: string }[] };
    const ids = new Set((deployment.resources ?? []).filter((r) => r.type === "docker:index/container:Container" && r.id).map((r) => r.id as string));
    return containersOutsideState(target, value(`${PROJECT}:env`) ?? stack.name.split("/").pop()!, ids);
}
