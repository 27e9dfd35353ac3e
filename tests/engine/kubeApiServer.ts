// A real Kubernetes control plane for the engine suite: etcd and kube-apiserver from the k8s
// toolchain archive (../shared/toolchain/k8s-toolchain-linux-amd64.tar.xz), unpacked into
// .cache/k8s-toolchain/ and checked against K8S-SHA256SUMS, started by its kube-up.sh on 127.0.0.1
// in a fresh directory, stopped by kube-down.sh. No kubelet: objects are stored, pods never run.
import { execFile } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse as parseYaml } from "yaml";
import { REPO, unpackVerified } from "./harness";

const ARCHIVE =
    process.env.K8S_TOOLCHAIN_ARCHIVE ?? path.resolve(REPO, "..", "shared", "toolchain", "k8s-toolchain-linux-amd64.tar.xz");
const SUMS = path.join(path.dirname(ARCHIVE), "K8S-SHA256SUMS");
/** The Datadog Operator chart the tests install through operatorChart. */
export const OPERATOR_CHART_TGZ = path.resolve(REPO, "..", "shared", "charts", "datadog-operator-2.25.0.tgz");
const CACHE = path.join(REPO, ".cache", "k8s-toolchain");

/** The toolchain's directory (kube-up.sh, the binaries, pulumi-resource-kubernetes), or a reason to skip (never in CI). */
export function findK8sToolchain(): string | { skip: string } {
    if (fs.existsSync(ARCHIVE) && fs.existsSync(SUMS)) return unpackVerified(ARCHIVE, SUMS, CACHE);
    const why = `no Kubernetes toolchain at ${ARCHIVE}`;
    if (process.env.CI === "true") throw new Error(`CI=true, so the Kubernetes engine tests may not skip, but: ${why}`);
    return { skip: `Kubernetes engine tests skipped: ${why}` };
}

export interface KubeResponse {
    readonly status: number;
    readonly body: any;
}

/** One control plane: etcd and kube-apiserver on loopback, with its kubeconfig and a REST client. */
export class ControlPlane {
    private constructor(
        readonly toolchain: string,
        readonly dir: string,
        readonly kubeconfig: string,
        readonly url: URL,
        /** Milliseconds from kube-up.sh's start to /readyz answering ok, as kube-up.sh measured it. */
        readonly readyMs: number,
        private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer },
    ) {}

    static async start(toolchain: string): Promise<ControlPlane> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-"));
        await promisify(execFile)(path.join(toolchain, "kube-up.sh"), [path.join(dir, "cluster")], { env: { ...process.env, KUBE_UP_TIMEOUT: "120" } });
        const env = Object.fromEntries(
            fs.readFileSync(path.join(dir, "cluster", "env"), "utf8").trim().split("\n").map((l) => l.split("=", 2) as [string, string]),
        );
        const kubeconfig = path.join(dir, "cluster", "kubeconfig");
        const kc = parseYaml(fs.readFileSync(kubeconfig, "utf8"));
        const b64 = (s: string) => Buffer.from(s, "base64");
        return new ControlPlane(toolchain, dir, kubeconfig, new URL(env.KUBE_APISERVER_URL), Number(env.TOTAL_READY_MS), {
            ca: b64(kc.clusters[0].cluster["certificate-authority-data"]),
            cert: b64(kc.users[0].user["client-certificate-data"]),
            key: b64(kc.users[0].user["client-key-data"]),
        });
    }

    /** A request to the API server's REST API with the kubeconfig's client certificate. */
    request(method: string, apiPath: string, body?: unknown): Promise<KubeResponse> {
        return new Promise((resolve, reject) => {
            const req = https.request(
                { host: this.url.hostname, port: this.url.port, path: apiPath, method, ...this.tls, headers: { "content-type": "application/json" } },
                (res) => {
                    let text = "";
                    res.on("data", (d) => (text += d));
                    res.on("end", () => {
                        // A path the server does not serve (a CRD's, once deleted) answers "404 page not found" in plain text.
                        const json = (res.headers["content-type"] ?? "").startsWith("application/json");
                        resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text });
                    });
                },
            );
            req.on("error", reject);
            req.end(body === undefined ? undefined : JSON.stringify(body));
        });
    }

    /** GET, throwing unless 200. */
    async get(apiPath: string): Promise<any> {
        const r = await this.request("GET", apiPath);
        if (r.status !== 200) throw new Error(`GET ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    async stop(): Promise<void> {
        await promisify(execFile)(path.join(this.toolchain, "kube-down.sh"), [path.join(this.dir, "cluster"), "--purge"]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
