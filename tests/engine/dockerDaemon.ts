// A stand-in for the Docker daemon, for the engine tests only: a unix socket server speaking the
// Engine API v1.47 (Docker Engine 27) as far as the docker provider's calls need, and no further.
// - Every JSON body is checked against moby's own spec of that version (mobySpec.ts): ContainerCreate
//   with its HostConfig and NetworkingConfig, NetworkCreate, NetworkConnect, VolumeCreate. A body the
//   spec refuses is a 400, as the daemon answers a body it cannot decode; the stand-in is no looser
//   than the spec. Where it is stricter than the daemon: an API path it does not serve is a 404 and
//   recorded (the daemon would serve it); /build refuses a COPY source that is not in the context
//   before any RUN, where BuildKit would fail the same build at that step.
// - State: images (pull and build), networks, volumes, containers; names unique (409, worded as the
//   daemon words it); host ports allocated at start ("port is already allocated").
// - Inspect answers with the defaults that moby fills; each is named with its moby function.
// - /build checks that the Dockerfile and every COPY source are in the context, after .dockerignore.
// - `log` is the request log, method and path ("POST /containers/create?name=dev-postgres").
// Started with `dead: true`, it accepts connections and never answers: a hung daemon.
import dockerignore from "@balena/dockerignore";
import * as crypto from "crypto";
import { EventEmitter } from "events";
import * as http from "http";
import * as tar from "tar-stream";
import { MobySpec } from "./mobySpec";

export const API_VERSION = "1.47"; // Docker Engine 27

type Json = Record<string, any>;

class DaemonError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

interface Image {
    Id: string;
    RepoTags: string[];
    Config: Json;
    Created: string;
}
interface Container {
    Id: string;
    Name: string;
    Created: string;
    Image: string;
    Config: Json;
    HostConfig: Json;
    Networks: Record<string, Json>;
    Running: boolean;
    /** Files uploaded with PUT /containers/{id}/archive: path -> content. */
    Files: Map<string, string>;
}

/** The familiar form the daemon shows: docker.io/library/postgres -> postgres (distribution/reference FamiliarName()). */
const familiar = (ref: string) => ref.replace(/^docker\.io\/(library\/)?/, "");
const id = (seed: string) => crypto.createHash("sha256").update(seed).digest("hex");
const now = () => new Date().toISOString();

/** A Go duration ("30s", "1m30s", "500ms") in nanoseconds, as a Dockerfile's HEALTHCHECK flags are parsed. */
function goDurationNs(s: string): number {
    const unit: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6 };
    return [...s.matchAll(/(\d+)(ms|h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): { cmd: string; args: string }[] {
    return dockerfile
        .replace(/\\\r?\n/g, " ")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => {
            const [cmd, ...rest] = l.split(/\s+/);
            return { cmd: cmd.toUpperCase(), args: rest.join(" ") };
        });
}

/** An image's config from its Dockerfile: the fields that containers inherit (moby daemon/commit.go merge()). */
function imageConfig(dockerfile: string): Json {
    const config: Json = { Env: ["PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: null, WorkingDir: "", User: "", ExposedPorts: {} };
    for (const { cmd, args } of instructions(dockerfile)) {
        if (cmd === "ENV") for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) config.Env.push(`${k}=${v}`);
        else if (cmd === "WORKDIR") config.WorkingDir = args;
        else if (cmd === "USER") config.User = args;
        else if (cmd === "EXPOSE") for (const p of args.split(/\s+/)) config.ExposedPorts[p.includes("/") ? p : `${p}/tcp`] = {};
        else if (cmd === "CMD") config.Cmd = JSON.parse(args);
        else if (cmd === "HEALTHCHECK") {
            const flags = Object.fromEntries([...args.matchAll(/--([a-z-]+)=(\S+)/g)].map(([, k, v]) => [k, v]));
            const test = args.replace(/(--[a-z-]+=\S+\s*)+/, "").replace(/^CMD\s+/, "");
            // The builder's defaults for absent flags are zeros: the daemon applies its own at run time.
            config.Healthcheck = {
                Test: test === "NONE" ? ["NONE"] : ["CMD", ...JSON.parse(test)],
                Interval: goDurationNs(flags.interval ?? "0s"),
                Timeout: goDurationNs(flags.timeout ?? "0s"),
                StartPeriod: goDurationNs(flags["start-period"] ?? "0s"),
                StartInterval: goDurationNs(flags["start-interval"] ?? "0s"),
                Retries: Number(flags.retries ?? 0),
            };
        }
    }
    return config;
}

/** moby daemon/commit.go merge(): the image's config fills what the container's leaves empty. */
function merge(user: Json, image: Json): void {
    if (!user.User) user.User = image.User;
    if (!user.ExposedPorts || Object.keys(user.ExposedPorts).length === 0) user.ExposedPorts = image.ExposedPorts;
    if (!user.Env || user.Env.length === 0) user.Env = image.Env;
    else for (const e of image.Env ?? []) if (!user.Env.some((u: string) => u.split("=")[0] === e.split("=")[0])) user.Env.push(e);
    user.Labels = { ...(image.Labels ?? {}), ...(user.Labels ?? {}) };
    if (!user.Entrypoint || user.Entrypoint.length === 0) {
        if (!user.Cmd || user.Cmd.length === 0) user.Cmd = image.Cmd;
        if (user.Entrypoint == null) user.Entrypoint = image.Entrypoint ?? null;
    }
    if (image.Healthcheck) {
        if (!user.Healthcheck) user.Healthcheck = image.Healthcheck;
        else for (const [k, v] of Object.entries(image.Healthcheck)) if (!user.Healthcheck[k] || user.Healthcheck[k].length === 0) user.Healthcheck[k] = v;
    }
    if (!user.WorkingDir) user.WorkingDir = image.WorkingDir;
    if (!user.StopSignal) delete user.StopSignal;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
}

/** The files of a tar archive: name -> content. */
async function untar(body: Buffer): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    const extract = tar.extract();
    const done = new Promise<void>((resolve, reject) => {
        extract.on("entry", async (header, stream, next) => {
            const chunks: Buffer[] = [];
            for await (const c of stream) chunks.push(c as Buffer);
            if (header.type === "file") files.set(header.name.replace(/^\.\//, ""), Buffer.concat(chunks));
            next();
        });
        extract.on("finish", resolve);
        extract.on("error", reject);
    });
    extract.end(body);
    await done;
    return files;
}

export class DockerDaemonStandIn {
    readonly images = new Map<string, Image>();
    readonly networks = new Map<string, Json>();
    readonly volumes = new Map<string, Json>();
    readonly containers = new Map<string, Container>();
    /** Every request: method and path with its query ("POST /containers/create?name=dev-postgres"). */
    readonly log: string[] = [];
    /** Emits "request" with each log line, as it arrives. */
    readonly events = new EventEmitter();
    /** A slow daemon: each container create waits this long before it is made (a window for Ctrl-C). */
    createDelayMs = 0;
    private readonly sessions = new Set<import("stream").Duplex>();

    private constructor(
        private readonly server: http.Server,
        readonly socketPath: string,
        private readonly spec: MobySpec | undefined,
    ) {}

    /** `docker:host` for the provider. */
    get host(): string {
        return `unix://${this.socketPath}`;
    }

    /** Calls other than /_ping and /version: a preview makes none. */
    get unexpected(): string[] {
        return this.log.filter((l) => !/^(GET|HEAD) (\/v[\d.]+)?\/(_ping|version)\b/.test(l));
    }

    static async start(socketPath: string, opts: { dead?: boolean; spec?: MobySpec } = {}): Promise<DockerDaemonStandIn> {
        const server = http.createServer();
        const daemon = new DockerDaemonStandIn(server, socketPath, opts.spec);
        server.on("request", (req, res) => {
            if (opts.dead) return; // never answers
            daemon.log.push(`${req.method} ${req.url}`);
            daemon.events.emit("request", `${req.method} ${req.url}`);
            daemon.handle(req, res).catch((e: Error) => {
                const status = e instanceof DaemonError ? e.status : 500;
                if (!res.headersSent) res.writeHead(status, { "Content-Type": "application/json", "Api-Version": API_VERSION });
                res.end(JSON.stringify({ message: e.message }));
            });
        });
        // POST /session (BuildKit's session for a build): the daemon upgrades the connection and the
        // client serves gRPC on it. The stand-in holds it open and asks nothing.
        server.on("upgrade", (req, socket) => {
            if (opts.dead) return;
            daemon.log.push(`${req.method} ${req.url}`);
            daemon.sessions.add(socket);
            socket.on("error", () => undefined);
            socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        });
        await new Promise<void>((resolve) => server.listen(socketPath, resolve));
        return daemon;
    }

    async close(): Promise<void> {
        for (const s of this.sessions) s.destroy();
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    /** The containers whose labels carry every `key=value` given. */
    containersLabelled(labels: Record<string, string>): Container[] {
        return [...this.containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.Config.Labels?.[k] === v));
    }

    private container(ref: string): Container {
        const c = this.containers.get(ref) ?? [...this.containers.values()].find((x) => x.Name === ref || x.Id.startsWith(ref));
        if (!c) throw new DaemonError(404, `No such container: ${ref}`);
        return c;
    }

    private network(ref: string): Json {
        const n = this.networks.get(ref) ?? [...this.networks.values()].find((x) => x.Name === ref || x.Id.startsWith(ref));
        if (!n) throw new DaemonError(404, `network ${ref} not found`);
        return n;
    }

    private image(ref: string): Image {
        const name = familiar(ref.includes(":") || ref.includes("@") ? ref : `${ref}:latest`);
        const i = this.images.get(ref) ?? [...this.images.values()].find((x) => x.RepoTags.includes(name) || x.Id === ref || x.Id === `sha256:${ref}`);
        if (!i) throw new DaemonError(404, `No such image: ${ref}`);
        return i;
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://docker");
        const p = decodeURIComponent(url.pathname.replace(/^\/v1\.\d+/, ""));
        const q = url.searchParams;
        const method = req.method ?? "GET";
        const raw = await readBody(req);
        const headers = { "Api-Version": API_VERSION, "Docker-Experimental": "false", Ostype: "linux" };
        const send = (status: number, body?: unknown) => {
            res.writeHead(status, { ...headers, "Content-Type": "application/json" });
            res.end(body === undefined ? undefined : JSON.stringify(body));
        };
        let body: Json = {};
        if (raw.length > 0 && /json/.test(req.headers["content-type"] ?? "")) {
            body = JSON.parse(raw.toString("utf8"));
            const problems = this.spec?.bodyProblems(method, p, body) ?? [];
            if (problems.length > 0) throw new DaemonError(400, `request body refused by moby's API spec v${API_VERSION}: ${problems.join("; ")}`);
        }
        let m: RegExpMatchArray | null;

        if (p === "/_ping") {
            res.writeHead(200, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
            res.end(method === "HEAD" ? undefined : "OK");
        } else if (p === "/version" && method === "GET") {
            send(200, { Version: "27.5.1", ApiVersion: API_VERSION, MinAPIVersion: "1.24", Os: "linux", Arch: "amd64", KernelVersion: "6.1.0" });
        } else if (p === "/info" && method === "GET") {
            send(200, { OSType: "linux", Architecture: "x86_64", ServerVersion: "27.5.1", DefaultRuntime: "runc", CgroupVersion: "2" });
        }
        // Images
        else if (p === "/images/create" && method === "POST") {
            const ref = familiar(`${q.get("fromImage")}:${q.get("tag") || "latest"}`);
            const existing = [...this.images.values()].find((i) => i.RepoTags.includes(ref));
            if (!existing) {
                const imageId = `sha256:${id(ref)}`;
                // A pulled image's config is unknown here: the neutral one of a base image.
                this.images.set(imageId, { Id: imageId, RepoTags: [ref], Config: imageConfig(""), Created: now() });
            }
            send(200, { status: `Status: Downloaded newer image for ${ref}` });
        } else if (p === "/images/json" && method === "GET") {
            send(200, [...this.images.values()].map((i) => ({ Id: i.Id, RepoTags: i.RepoTags, RepoDigests: [], Created: 0, Size: 0, Labels: {}, Containers: -1, ParentId: "", SharedSize: -1 })));
        } else if ((m = p.match(/^\/images\/(.+)\/json$/)) && method === "GET") {
            const i = this.image(m[1]);
            send(200, { Id: i.Id, RepoTags: i.RepoTags, RepoDigests: [], Created: i.Created, Config: i.Config, Os: "linux", Architecture: "amd64", Size: 0, RootFS: { Type: "layers" } });
        } else if ((m = p.match(/^\/images\/(.+)$/)) && method === "DELETE") {
            const i = this.image(m[1]);
            const user = [...this.containers.values()].find((c) => c.Image === i.Id);
            if (user && q.get("force") !== "true" && q.get("force") !== "1") {
                throw new DaemonError(409, `conflict: unable to delete ${m[1]} (must be forced) - image is being used by stopped container ${user.Id.slice(0, 12)}`);
            }
            this.images.delete(i.Id);
            send(200, [{ Untagged: m[1] }, { Deleted: i.Id }]);
        } else if (p === "/build" && method === "POST") {
            const i = await this.build(raw, q);
            res.writeHead(200, { ...headers, "Content-Type": "application/json" });
            res.write(JSON.stringify({ stream: `Successfully built ${i.Id.slice(7, 19)}\n` }) + "\n");
            res.end(JSON.stringify({ aux: { ID: i.Id } }) + "\n");
        }
        // Networks
        else if (p === "/networks/create" && method === "POST") {
            if ([...this.networks.values()].some((n) => n.Name === body.Name)) throw new DaemonError(409, `network with name ${body.Name} already exists`);
            const nid = id(`network ${body.Name} ${now()}`);
            // moby daemon/network.go createNetwork(): the driver defaults to bridge, the scope to local.
            this.networks.set(nid, {
                Name: body.Name,
                Id: nid,
                Created: now(),
                Scope: "local",
                Driver: body.Driver || "bridge",
                EnableIPv4: true,
                EnableIPv6: body.EnableIPv6 ?? false,
                IPAM: { Driver: body.IPAM?.Driver || "default", Options: body.IPAM?.Options ?? null, Config: body.IPAM?.Config ?? [{ Subnet: "172.30.0.0/16", Gateway: "172.30.0.1" }] },
                Internal: body.Internal ?? false,
                Attachable: body.Attachable ?? false,
                Ingress: body.Ingress ?? false,
                ConfigFrom: { Network: "" },
                ConfigOnly: false,
                Containers: {},
                Options: body.Options ?? {},
                Labels: body.Labels ?? {},
            });
            send(201, { Id: nid, Warning: "" });
        } else if (p === "/networks" && method === "GET") {
            send(200, [...this.networks.values()]);
        } else if ((m = p.match(/^\/networks\/([^/]+)$/)) && method === "GET") {
            send(200, this.network(m[1]));
        } else if ((m = p.match(/^\/networks\/([^/]+)$/)) && method === "DELETE") {
            const n = this.network(m[1]);
            const attached = [...this.containers.values()].filter((c) => n.Name in c.Networks);
            if (attached.length > 0) throw new DaemonError(403, `error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
            this.networks.delete(n.Id);
            send(204);
        } else if ((m = p.match(/^\/networks\/([^/]+)\/(connect|disconnect)$/)) && method === "POST") {
            const c = this.container(body.Container);
            if (m[1] === "bridge") {
                if (m[2] === "disconnect") delete c.Networks.bridge;
                send(200);
                return;
            }
            const n = this.network(m[1]);
            if (m[2] === "connect") {
                if (n.Name in c.Networks) throw new DaemonError(403, `endpoint with name ${c.Name} already exists in network ${n.Name}`);
                c.Networks[n.Name] = this.endpoint(c, n, body.EndpointConfig ?? {});
            } else delete c.Networks[n.Name];
            send(200);
        }
        // Volumes
        else if (p === "/volumes/create" && method === "POST") {
            // moby daemon/volume: creating a volume that exists returns it (no conflict for the local driver).
            const name = body.Name || id(now()).slice(0, 64);
            if (!this.volumes.has(name)) {
                this.volumes.set(name, {
                    Name: name,
                    Driver: body.Driver || "local",
                    Mountpoint: `/var/lib/docker/volumes/${name}/_data`,
                    CreatedAt: now(),
                    Labels: body.Labels ?? {},
                    Scope: "local",
                    Options: body.DriverOpts ?? {},
                });
            }
            send(201, this.volumes.get(name));
        } else if (p === "/volumes" && method === "GET") {
            send(200, { Volumes: [...this.volumes.values()], Warnings: [] });
        } else if ((m = p.match(/^\/volumes\/([^/]+)$/)) && method === "GET") {
            const v = this.volumes.get(m[1]);
            if (!v) throw new DaemonError(404, `get ${m[1]}: no such volume`);
            send(200, v);
        } else if ((m = p.match(/^\/volumes\/([^/]+)$/)) && method === "DELETE") {
            if (!this.volumes.has(m[1])) throw new DaemonError(404, `get ${m[1]}: no such volume`);
            const users = [...this.containers.values()].filter((c) => (c.HostConfig.Binds ?? []).some((b: string) => b.split(":")[0] === m![1]));
            if (users.length > 0) throw new DaemonError(409, `remove ${m[1]}: volume is in use - [${users.map((c) => c.Id).join(", ")}]`);
            this.volumes.delete(m[1]);
            send(204);
        }
        // Containers
        else if (p === "/containers/create" && method === "POST") {
            if (this.createDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.createDelayMs));
            send(201, { Id: this.create(q.get("name") ?? "", body).Id, Warnings: [] });
        } else if (p === "/containers/json" && method === "GET") {
            send(200, this.list(q));
        } else if ((m = p.match(/^\/containers\/([^/]+)\/json$/)) && method === "GET") {
            send(200, this.inspect(this.container(m[1])));
        } else if ((m = p.match(/^\/containers\/([^/]+)\/archive$/)) && method === "PUT") {
            const c = this.container(m[1]);
            const dir = q.get("path") ?? "/";
            for (const [name, content] of await untar(raw)) c.Files.set(`${dir.replace(/\/$/, "")}/${name}`, content.toString("utf8"));
            send(200);
        } else if ((m = p.match(/^\/containers\/([^/]+)\/start$/)) && method === "POST") {
            const c = this.container(m[1]);
            if (c.Running) return send(304);
            this.allocatePorts(c);
            c.Running = true;
            send(204);
        } else if ((m = p.match(/^\/containers\/([^/]+)\/stop$/)) && method === "POST") {
            const c = this.container(m[1]);
            if (!c.Running) return send(304);
            c.Running = false;
            send(204);
        } else if ((m = p.match(/^\/containers\/([^/]+)\/wait$/)) && method === "POST") {
            this.container(m[1]);
            send(200, { StatusCode: 0 });
        } else if ((m = p.match(/^\/containers\/([^/]+)$/)) && method === "DELETE") {
            const c = this.container(m[1]);
            if (c.Running && q.get("force") !== "1" && q.get("force") !== "true") {
                throw new DaemonError(409, `cannot remove container "/${c.Name}": container is running: stop the container before removing or force remove`);
            }
            this.containers.delete(c.Id);
            send(204);
        } else {
            throw new DaemonError(404, `the Docker stand-in does not serve ${method} ${p}`);
        }
    }

    /** POST /build: the context's Dockerfile and every COPY source, after .dockerignore; the image ID is the context's hash. */
    private async build(raw: Buffer, q: URLSearchParams): Promise<Image> {
        const files = await untar(raw);
        const name = q.get("dockerfile") || "Dockerfile";
        const dockerfile = files.get(name.replace(/^\.\//, ""));
        if (dockerfile === undefined) throw new DaemonError(500, `failed to read dockerfile: open ${name}: no such file or directory`);
        const ignore = dockerignore().add((files.get(".dockerignore")?.toString("utf8") ?? "").split(/\r?\n/));
        const context = [...files.keys()].filter((f) => f === name || f === ".dockerignore" || !ignore.ignores(f));
        for (const { cmd, args } of instructions(dockerfile.toString("utf8"))) {
            if (cmd !== "COPY" && cmd !== "ADD") continue;
            if (/--from=/.test(args)) continue;
            const words = args.split(/\s+/).filter((w) => !w.startsWith("--"));
            for (const src of words.slice(0, -1)) {
                const s = src.replace(/^\.\//, "");
                if (s === "." || context.some((f) => f === s || f.startsWith(`${s}/`))) continue;
                throw new DaemonError(500, `failed to solve: failed to compute cache key: failed to calculate checksum of ref: "/${s}": not found`);
            }
        }
        const imageId = `sha256:${id(context.sort().map((f) => `${f}\0${files.get(f)!.toString("base64")}`).join("\0"))}`;
        const tags = q.getAll("t").map((t) => (t.includes(":") ? t : `${t}:latest`));
        for (const i of this.images.values()) i.RepoTags = i.RepoTags.filter((t) => !tags.includes(t));
        this.images.set(imageId, { Id: imageId, RepoTags: tags, Config: imageConfig(dockerfile.toString("utf8")), Created: now() });
        return this.images.get(imageId)!;
    }

    private create(name: string, body: Json): Container {
        if (!/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) throw new DaemonError(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
        const clash = [...this.containers.values()].find((c) => c.Name === name);
        if (clash) {
            throw new DaemonError(409, `Conflict. The container name "/${name}" is already in use by container "${clash.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
        }
        const image = this.image(body.Image);
        const { HostConfig: hostConfig = {}, NetworkingConfig: networking, ...config } = body;
        merge(config, image.Config);
        // moby daemon/container.go newContainer(): the hostname defaults to the short ID.
        const cid = id(`container ${name} ${now()} ${Math.random()}`);
        if (!config.Hostname) config.Hostname = cid.slice(0, 12);
        const hc: Json = { ...hostConfig };
        // moby daemon/daemon_unix.go adaptContainerSettings(): ShmSize 64 MiB, IpcMode private.
        if (!hc.ShmSize) hc.ShmSize = 64 * 1024 * 1024;
        if (!hc.IpcMode) hc.IpcMode = "private";
        // moby daemon/daemon_unix.go verifyPlatformContainerSettings(): the default runtime, runc.
        if (!hc.Runtime) hc.Runtime = "runc";
        // moby daemon/logs.go mergeAndVerifyLogConfig(): the daemon's default log driver, json-file.
        hc.LogConfig = { Type: hc.LogConfig?.Type || "json-file", Config: hc.LogConfig?.Config ?? {} };
        // moby daemon/create.go create(): an empty NetworkMode becomes "default" (bridge on Linux).
        if (!hc.NetworkMode) hc.NetworkMode = "bridge";
        // moby daemon/internal/runconfig/config.go decodeCreateRequest(): PortBindings is never null.
        hc.PortBindings = hc.PortBindings ?? {};
        for (const b of hc.Binds ?? []) {
            const vol = b.split(":")[0];
            if (!vol.startsWith("/") && !this.volumes.has(vol)) {
                // moby daemon/volumes: a named volume that does not exist is created with the container.
                this.volumes.set(vol, { Name: vol, Driver: "local", Mountpoint: `/var/lib/docker/volumes/${vol}/_data`, CreatedAt: now(), Labels: {}, Scope: "local", Options: {} });
            }
        }
        const c: Container = { Id: cid, Name: name.replace(/^\//, ""), Created: now(), Image: image.Id, Config: config, HostConfig: hc, Networks: {}, Running: false, Files: new Map() };
        if (hc.NetworkMode === "bridge" || hc.NetworkMode === "default") c.Networks.bridge = { NetworkID: "bridge", Aliases: null };
        else if (!["host", "none"].includes(hc.NetworkMode) && !hc.NetworkMode.startsWith("container:")) {
            c.Networks[this.network(hc.NetworkMode).Name] = this.endpoint(c, this.network(hc.NetworkMode), {});
        }
        for (const [net, ep] of Object.entries((networking?.EndpointsConfig ?? {}) as Record<string, Json>)) {
            if (net !== hc.NetworkMode) c.Networks[this.network(net).Name] = this.endpoint(c, this.network(net), ep);
        }
        this.containers.set(cid, c);
        return c;
    }

    private endpoint(c: Container, n: Json, ep: Json): Json {
        const ip = `172.30.0.${2 + Object.keys(n.Containers).length}`;
        n.Containers[c.Id] = { Name: c.Name, IPv4Address: `${ip}/16` };
        return { ...ep, NetworkID: n.Id, EndpointID: id(`${c.Id} ${n.Id}`), Gateway: "172.30.0.1", IPAddress: ip, IPPrefixLen: 16, MacAddress: "02:42:ac:1e:00:02", DNSNames: [c.Name, ...(ep.Aliases ?? [])] };
    }

    /** Host ports are allocated when a container starts, not when it is created. */
    private allocatePorts(c: Container): void {
        for (const [port, bindings] of Object.entries((c.HostConfig.PortBindings ?? {}) as Record<string, Json[] | null>)) {
            for (const b of bindings ?? []) {
                const ip = b.HostIp || "0.0.0.0";
                for (const other of this.containers.values()) {
                    if (!other.Running) continue;
                    for (const [p2, bs2] of Object.entries((other.HostConfig.PortBindings ?? {}) as Record<string, Json[] | null>)) {
                        const proto = (s: string) => s.split("/")[1] ?? "tcp";
                        if (proto(p2) !== proto(port)) continue;
                        for (const b2 of bs2 ?? []) {
                            const ip2 = b2.HostIp || "0.0.0.0";
                            if (b2.HostPort === b.HostPort && (ip2 === ip || ip2 === "0.0.0.0" || ip === "0.0.0.0")) {
                                throw new DaemonError(
                                    500,
                                    `failed to set up container networking: driver failed programming external connectivity on endpoint ${c.Name} (${c.Id}): Bind for ${ip}:${b.HostPort} failed: port is already allocated`,
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    private ports(c: Container): Json {
        if (!c.Running) return {};
        return Object.fromEntries(
            Object.entries((c.HostConfig.PortBindings ?? {}) as Record<string, Json[] | null>).map(([p, bs]) => [p, (bs ?? []).map((b) => ({ HostIp: b.HostIp || "0.0.0.0", HostPort: b.HostPort }))]),
        );
    }

    private inspect(c: Container): Json {
        return {
            Id: c.Id,
            Created: c.Created,
            Path: (c.Config.Entrypoint ?? c.Config.Cmd ?? [""])[0],
            Args: [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])].slice(1),
            State: { Status: c.Running ? "running" : "created", Running: c.Running, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: c.Running ? 4242 : 0, ExitCode: 0, Error: "", StartedAt: c.Created, FinishedAt: "0001-01-01T00:00:00Z" },
            Image: c.Image,
            Name: `/${c.Name}`,
            RestartCount: 0,
            Driver: "overlay2",
            Platform: "linux",
            MountLabel: "",
            ProcessLabel: "",
            AppArmorProfile: "",
            HostConfig: c.HostConfig,
            Config: c.Config,
            Mounts: (c.HostConfig.Binds ?? []).map((b: string) => {
                const [src, dst, mode = ""] = b.split(":");
                const volume = !src.startsWith("/");
                return { Type: volume ? "volume" : "bind", Name: volume ? src : undefined, Source: src, Destination: dst, Mode: mode, RW: !mode.split(",").includes("ro"), Propagation: "" };
            }),
            NetworkSettings: { Bridge: "", SandboxID: "", Ports: this.ports(c), Networks: c.Networks },
        };
    }

    /** GET /containers/json: running ones, or all with all=1; filters label (every one must match) and name. */
    private list(q: URLSearchParams): Json[] {
        const filters = JSON.parse(q.get("filters") || "{}") as Record<string, string[] | Record<string, boolean>>;
        const values = (k: string) => (Array.isArray(filters[k]) ? (filters[k] as string[]) : Object.keys(filters[k] ?? {}));
        const all = q.get("all") === "1" || q.get("all") === "true";
        return [...this.containers.values()]
            .filter((c) => all || c.Running)
            .filter((c) => values("label").every((l) => { const [k, v] = l.split("="); return k in (c.Config.Labels ?? {}) && (v === undefined || c.Config.Labels[k] === v); }))
            .filter((c) => values("name").every((n) => new RegExp(n).test(`/${c.Name}`)))
            .map((c) => ({
                Id: c.Id,
                Names: [`/${c.Name}`],
                Image: c.Config.Image,
                ImageID: c.Image,
                Command: [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])].join(" "),
                Created: Math.floor(Date.parse(c.Created) / 1000),
                Ports: Object.entries(this.ports(c)).flatMap(([p, bs]) => (bs as Json[]).map((b) => ({ IP: b.HostIp, PrivatePort: Number(p.split("/")[0]), PublicPort: Number(b.HostPort), Type: p.split("/")[1] ?? "tcp" }))),
                Labels: c.Config.Labels ?? {},
                State: c.Running ? "running" : "created",
                Status: c.Running ? "Up 1 second" : "Created",
                HostConfig: { NetworkMode: c.HostConfig.NetworkMode },
                NetworkSettings: { Networks: c.Networks },
                Mounts: [],
            }));
    }
}
