// A forward proxy on 127.0.0.1, for the engine tests: it tunnels CONNECT requests (what Node's
// fetch sends through HTTP_PROXY/HTTPS_PROXY) and forwards absolute-form ones, to loopback targets
// only, and records each request it carried ("CONNECT host:port" or "GET http://...").
import * as http from "http";
import type { AddressInfo } from "net";
import * as net from "net";

export class LoopbackProxy {
    readonly carried: string[] = [];
    url = "";
    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<LoopbackProxy> {
        const server = http.createServer();
        const proxy = new LoopbackProxy(server);
        server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
            const target = new URL(`http://${req.url}`);
            if (target.hostname !== "127.0.0.1") {
                client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
                return;
            }
            proxy.carried.push(`CONNECT ${req.url}`);
            const upstream = net.connect(Number(target.port), target.hostname, () => {
                client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                upstream.write(head);
                upstream.pipe(client);
                client.pipe(upstream);
            });
            upstream.on("error", () => client.destroy());
            client.on("error", () => upstream.destroy());
        });
        server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
            const target = URL.parse(req.url ?? "");
            if (target?.hostname !== "127.0.0.1") {
                res.writeHead(403).end();
                return;
            }
            proxy.carried.push(`${req.method} ${req.url}`);
            const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            });
            upstream.on("error", () => res.writeHead(502).end());
            req.pipe(upstream);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return proxy;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
