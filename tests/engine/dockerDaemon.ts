// A stand-in for the Docker daemon, for the engine tests only: a unix socket answering the two
// calls the docker provider makes when it is configured (/_ping and /version), so that a real
// `pulumi preview` runs on a machine without Docker. Docker resources are previewed, never
// created: any other call is a 404 and recorded, and the tests assert that none was made. Started
// with `dead: true`, it accepts connections and never answers: a hung daemon.
import * as http from "http";

const API_VERSION = "1.47"; // Docker Engine 27

export class DockerDaemonStandIn {
    private constructor(
        private readonly server: http.Server,
        readonly socketPath: string,
        /** Calls other than /_ping and /version: method and path. */
        readonly unexpected: string[],
    ) {}

    /** `docker:host` for the provider. */
    get host(): string {
        return `unix://${this.socketPath}`;
    }

    static async start(socketPath: string, opts: { dead?: boolean } = {}): Promise<DockerDaemonStandIn> {
        const unexpected: string[] = [];
        const server = http.createServer((req, res) => {
            if (opts.dead) return; // never answers
            const path = (req.url ?? "/").split("?")[0].replace(/^\/v1\.\d+/, "");
            const headers = { "Api-Version": API_VERSION, "Docker-Experimental": "false", "Ostype": "linux" };
            if (path === "/_ping") {
                res.writeHead(200, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
                res.end(req.method === "HEAD" ? undefined : "OK");
            } else if (path === "/version" && req.method === "GET") {
                res.writeHead(200, { ...headers, "Content-Type": "application/json" });
                res.end(
                    JSON.stringify({
                        Version: "27.5.1",
                        ApiVersion: API_VERSION,
                        MinAPIVersion: "1.24",
                        Os: "linux",
                        Arch: "amd64",
                        KernelVersion: "6.1.0",
                    }),
                );
            } else {
                unexpected.push(`${req.method} ${req.url}`);
                res.writeHead(404, { ...headers, "Content-Type": "application/json" });
                res.end(JSON.stringify({ message: `the Docker stand-in serves only /_ping and /version, not ${req.url}` }));
            }
        });
        await new Promise<void>((resolve) => server.listen(socketPath, resolve));
        return new DockerDaemonStandIn(server, socketPath, unexpected);
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
