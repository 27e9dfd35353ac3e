// Rules for Docker resources: pinned images, no privileged container, host paths only into the
// Datadog Agent (read-only where Datadog's docs allow), published ports on loopback unless the
// stack opts in.
import { Inputs, UNKNOWN, arr, obj, str } from "./inputs";
import { Rule } from "./rule";

const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const IMAGE = "docker:index/image:Image";

/** Why `ref` is not pinned, or undefined when it is: a digest, an image ID, or a tag other than latest. */
export function unpinned(ref: string): string | undefined {
    if (/@sha256:[0-9a-f]{64}$/i.test(ref) || /^(sha256:)?[0-9a-f]{64}$/i.test(ref)) return undefined;
    const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    if (colon < 0) return "has no tag, so Docker pulls :latest";
    if (lastSegment.slice(colon + 1) === "latest") return "is on :latest";
    return undefined;
}

export const imagePinned: Rule = {
    name: "docker-image-pinned",
    description: "Images are pinned: a tag other than latest, or a digest. A moving tag gives a different demo on every pull.",
    enforcementLevel: "mandatory",
    types: [CONTAINER, REMOTE_IMAGE, IMAGE],
    check(r, report) {
        const [input, ref] =
            r.type === REMOTE_IMAGE ? ["name", r.props.name] : r.type === IMAGE ? ["imageName", r.props.imageName] : ["image", r.props.image];
        if (typeof ref !== "string") return;
        const why = unpinned(ref);
        if (why) report(`${r.name}: ${input} "${ref}" ${why}. Pin a version tag (e.g. gcr.io/datadoghq/agent:7.84.6) or a digest (@sha256:...).`);
    },
};

export const noPrivileged: Rule = {
    name: "docker-no-privileged",
    description: "No privileged container: it is root on the Docker host. The Agent needs only read-only host paths.",
    enforcementLevel: "mandatory",
    types: [CONTAINER],
    check(r, report) {
        if (r.props.privileged === true) report(`container ${r.name}: privileged is true, which gives it the whole host. Remove it; grant the one capability it needs (capabilities.adds) instead.`);
    },
};

const AGENT_IMAGE = /(^|\/)(datadog|datadoghq)\/agent([:@]|$)/;
/** Host paths the Agent writes to, per Datadog's Docker Agent docs: the logs' position registry. */
export const AGENT_WRITABLE_HOST_PATHS = ["/opt/datadog-agent/run"];

/** Agent container names: this project's (<stack>-datadog-agent) and Datadog's Docker docs' (dd-agent). */
const AGENT_NAME = /datadog-agent|(^|[^a-z0-9])dd-agent($|[^a-z0-9])/i;

/**
 * The Agent container: by its image reference, else by its name, when the image is an ID (a
 * RemoteImage's imageId) or not known yet (a preview).
 */
function isAgent(r: Inputs): boolean {
    const image = str(r.props.image);
    if (image !== undefined && !/^(sha256:)?[0-9a-f]{64}$/i.test(image)) return AGENT_IMAGE.test(image);
    return AGENT_NAME.test(str(r.props.name) ?? "");
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

export const hostPaths: Rule = {
    name: "docker-host-paths-agent-only",
    description:
        "Host paths are mounted only into the Datadog Agent container, and read-only except the ones Datadog's docs mount read-write (/opt/datadog-agent/run).",
    enforcementLevel: "mandatory",
    types: [CONTAINER],
    check(r, report) {
        const binds: { path: string; readOnly: boolean; input: string }[] = [];
        arr(r.props.volumes).forEach((v, i) => {
            const hostPath = str(obj(v).hostPath);
            if (hostPath) binds.push({ path: hostPath, readOnly: obj(v).readOnly === true, input: `volumes[${i}]` });
        });
        arr(r.props.mounts).forEach((m, i) => {
            const source = str(obj(m).source);
            if (obj(m).type === "bind" && source) binds.push({ path: source, readOnly: obj(m).readOnly === true, input: `mounts[${i}]` });
        });
        if (binds.length === 0) return;
        if (!isAgent(r)) {
            report(`container ${r.name}: mounts host paths (${binds.map((b) => b.path).join(", ")}) but is not the Datadog Agent. Use a Docker volume or an upload instead.`);
            return;
        }
        for (const b of binds) {
            if (!b.readOnly && !AGENT_WRITABLE_HOST_PATHS.includes(trimSlash(b.path))) {
                report(`container ${r.name}: ${b.input} mounts ${b.path} read-write; the Agent only reads it. Set readOnly: true.`);
            }
        }
    },
};

const isLoopback = (ip: string) => /^127\.\d+\.\d+\.\d+$/.test(ip) || ip === "::1" || ip === "localhost";

export const portsLoopback: Rule = {
    name: "docker-ports-loopback",
    description:
        "Published ports bind to loopback (127.0.0.1, ::1), not every interface (no publishAllPorts, no host network), unless the stack opts in with allowPublicPorts: a demo database or app stays off the network.",
    enforcementLevel: "mandatory",
    types: [CONTAINER],
    configSchema: {
        properties: {
            allowPublicPorts: { type: "boolean", default: false, description: "Allow ports on other addresses than loopback, publishAllPorts and the host network (for a stack that publishes on purpose)." },
        },
    },
    check(r, report, config) {
        if (config.allowPublicPorts === true) return;
        if (r.props.publishAllPorts === true) {
            report(`container ${r.name}: publishAllPorts publishes every port its image exposes on every interface of the Docker host (docker run -P). Remove it; publish each port in ports with ip: "127.0.0.1".`);
        }
        if (r.props.networkMode === "host") {
            report(`container ${r.name}: networkMode "host" puts every port it listens on on the host's interfaces. Use a bridge network and publish ports on 127.0.0.1.`);
        }
        for (const p of arr(r.props.ports)) {
            if (p === UNKNOWN) continue;
            const { ip, internal, external } = obj(p);
            if (ip === UNKNOWN) continue;
            const address = str(ip) ?? "0.0.0.0";
            if (!isLoopback(address)) {
                report(
                    `container ${r.name}: port ${external ?? internal} is published on ${address}${ip === undefined ? " (the default)" : ""}, every interface of the Docker host. ` +
                        `Set ip: "127.0.0.1", or opt the stack in with allowPublicPorts (docs/guardrails.md).`,
                );
            }
        }
    },
};

export const DOCKER_RULES: readonly Rule[] = [imagePinned, noPrivileged, hostPaths, portsLoopback];
