// The cluster preflight's answers when the cluster cannot be reached; the engine suite
// (tests/engine/kubernetes.spec.ts) checks it against a real kube-apiserver that answers.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { checkCluster } from "../../deploy/clusterPreflight";

function kubeconfig(server: string, context = "demo"): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{ name: c, cluster: { server: "${server}" } }]`,
        "users: [{ name: u, user: { token: abc } }]",
        `contexts: [{ name: ${context}, context: { cluster: c, user: u } }]`,
        `current-context: ${context}`,
    ].join("\n");
}

async function listen(server: net.Server): Promise<number> {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as net.AddressInfo).port;
}

describe("deploy: the cluster preflight", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("no kubeconfig: says where it looked (KUBECONFIG) and what to do", async () => {
        const missing = path.join(dir, "absent");
        const p = await checkCluster({ env: { KUBECONFIG: missing } });
        assert.equal(p, `platform kubernetes: no kubeconfig at KUBECONFIG (${missing}). Fix: start the cluster (kind create cluster, minikube start) or point the stack at another: pulumi config set kubernetes:context <name> (or kubernetes:kubeconfig <path>)`);
    });

    it("kubernetes:kubeconfig wins over KUBECONFIG, and a context that does not exist is named with the ones that do", async () => {
        const file = path.join(dir, "kc");
        fs.writeFileSync(file, kubeconfig("http://127.0.0.1:1"));
        const p = await checkCluster({ kubeconfig: file, context: "prod", env: { KUBECONFIG: path.join(dir, "absent") } });
        assert.match(p ?? "", /^platform kubernetes: context 'prod' in kubernetes:kubeconfig \(.*\/kc\) names no cluster \(contexts: demo\)\. Fix: /);
    });

    it("a cluster that refuses the connection: its address, the context, and what to do, at once", async () => {
        const closed = net.createServer();
        const port = await listen(closed);
        await new Promise((r) => closed.close(r));
        const started = Date.now();
        const p = await checkCluster({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`), env: {} });
        assert.equal(p, `platform kubernetes: the cluster http://127.0.0.1:${port} (context 'demo', from kubernetes:kubeconfig) does not answer: connection refused. Fix: start the cluster (kind create cluster, minikube start) or point the stack at another: pulumi config set kubernetes:context <name> (or kubernetes:kubeconfig <path>)`);
        assert.ok(Date.now() - started < 2000);
    });

    it("a cluster that accepts but never answers: gives up after the timeout", async () => {
        const silent = net.createServer(() => {});
        const port = await listen(silent);
        try {
            const p = await checkCluster({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`), env: {}, timeoutMs: 300 });
            assert.match(p ?? "", /does not answer: no answer within 0\.3 s\. Fix: /);
        } finally {
            silent.close();
        }
    });

    it("a server that answers /version, even 401: passes, with the kubeconfig's token sent", async () => {
        let seen: http.IncomingHttpHeaders = {};
        let url = "";
        const server = http.createServer((req, res) => {
            seen = req.headers;
            url = req.url ?? "";
            res.writeHead(401).end();
        });
        const port = await listen(server);
        try {
            assert.equal(await checkCluster({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`), env: {} }), undefined);
            assert.equal(url, "/version");
            assert.equal(seen.authorization, "Bearer abc");
        } finally {
            server.close();
        }
    });
});
