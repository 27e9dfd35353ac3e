import * as assert from "assert";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { containersOutsideState } from "../../deploy/dockerDoctor";
import { portsFree } from "../../deploy/dockerPorts";
import { DockerDaemonStandIn } from "../engine/dockerDaemon";

const REPO = path.resolve(__dirname, "..", "..");

function post(socketPath: string, p: string, body?: object): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request({ socketPath, path: p, method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(body ? JSON.stringify(body) : undefined);
    });
}

/** A running container that publishes `port` on 127.0.0.1, with the given labels. */
async function run(socketPath: string, name: string, port: number, labels: Record<string, string>): Promise<void> {
    const HostConfig = { PortBindings: { "5050/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } };
    assert.strictEqual(await post(socketPath, `/containers/create?name=${name}`, { Image: "busybox:1", Labels: labels, HostConfig }), 201);
    assert.strictEqual(await post(socketPath, `/containers/${name}/start`), 204);
}

describe("deploy preflight: the stack's host ports on the Docker host (GET /containers/json)", () => {
    let daemon: DockerDaemonStandIn;
    const target = () => ({ socketPath: daemon.socketPath });
    before(async () => {
        daemon = await DockerDaemonStandIn.start(path.join(os.tmpdir(), `ports-${process.pid}.sock`));
        await post(daemon.socketPath, "/images/create?fromImage=busybox&tag=1");
        await run(daemon.socketPath, "dev-exercise-app", 5050, { "com.datadoghq.tags.env": "dev" });
        await run(daemon.socketPath, "someones-nginx", 8080, {});
    });
    after(() => daemon.close());

    it("refuses a port published by another stack's container, naming the container and its stack", async () => {
        await assert.rejects(portsFree(target(), { projectDir: REPO, stack: "prod", stackFile: { "datadog-exercise:appPort": "5050" } }, 1500), (e: Error) => {
            assert.match(e.message, /^Cannot deploy stack 'prod': its ports are taken on the Docker host, so nothing was written\./);
            assert.match(e.message, /appPort 5050 is already published by container 'dev-exercise-app', of stack 'dev'/);
            return true;
        });
    });

    it("refuses a port published by a container of no stack, for postgresHostPort too", async () => {
        const stackFile = { "datadog-exercise:appPort": "5060", "datadog-exercise:postgresHostPort": "8080" };
        await assert.rejects(portsFree(target(), { projectDir: REPO, stack: "prod", stackFile }, 1500), /postgresHostPort 8080 is already published by container 'someones-nginx', of no stack of this project/);
    });

    it("lets the stack's own containers hold its ports (a rerun replaces them), and free ports pass", async () => {
        await portsFree(target(), { projectDir: REPO, stack: "dev", stackFile: undefined }, 1500); // appPort 5050 by Pulumi.yaml's default
        await portsFree(target(), { projectDir: REPO, stack: "prod", stackFile: { "datadog-exercise:appPort": "5051" } }, 1500);
    });

    it("doctor: lists a container with the stack's env label that the state lacks, and no other stack's", async () => {
        await post(daemon.socketPath, "/containers/create?name=dev-postgres", { Image: "busybox:1", Labels: { "com.datadoghq.tags.env": "dev" } }); // created, never started
        const app = [...daemon.containers.values()].find((c) => c.Name === "dev-exercise-app")!;
        const strays = await containersOutsideState(target(), "dev", new Set([app.Id]));
        assert.deepEqual(strays.map((c) => c.name), ["dev-postgres"]);
        assert.deepEqual(await containersOutsideState(target(), "prod", new Set()), []);
    });
});
