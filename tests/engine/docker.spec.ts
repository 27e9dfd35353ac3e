// The Docker side under the real docker provider: `up` of the whole program against the Docker
// Engine API stand-in (dockerDaemon.ts), which checks every body with moby's own spec (mobySpec.ts)
// and keeps the daemon's state. One `up` is shared by the assertions that only read it; the
// stand-ins start once for the suite, and every stack of it shares the one daemon.
import { DECLARED_KEYS } from "../../components/config/stackConfig";
import * as assert from "assert";
import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { DatadogApiStandIn } from "./datadogApi";
import { API_VERSION, DockerDaemonStandIn } from "./dockerDaemon";
import { API_KEY, APP_KEY, Stack, Toolchain, dateInDays, findToolchain } from "./harness";
import { MobySpec } from "./mobySpec";

const toolchain = findToolchain();
const describeEngine = typeof toolchain === "string" ? describe.skip : describe;
const PROJECT = "datadog-exercise";

/** The request log as endpoints: API version prefix and query dropped, IDs as {id}, pings left out. */
const endpoints = (log: string[]) => [
    ...new Set(
        log
            .map((l) => l.replace(/ \/v1\.\d+/, " ").replace(/\?.*$/, "").replace(/(sha256:)?[0-9a-f]{64}/g, "{id}"))
            .filter((l) => !/\/_ping$/.test(l)),
    ),
].sort();

describeEngine("the Docker side under the real docker provider", function () {
    this.timeout(300_000);
    let api: DatadogApiStandIn, docker: DockerDaemonStandIn;
    const stacks: Stack[] = [];

    async function stack(name: string, config: Record<string, string> = {}): Promise<Stack> {
        const s = await Stack.create(name, toolchain as Toolchain);
        stacks.push(s);
        await s.configure(
            { "datadog:apiUrl": api.url, "docker:host": docker.host, [`${PROJECT}:downtimeStartDate`]: dateInDays(30), ...config },
            { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
        );
        return s;
    }
    const names = () => [...docker.containers.values()].map((c) => c.Name).sort();

    let dev: Stack;
    let upLog: string[];
    before(async () => {
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        docker = await DockerDaemonStandIn.start(path.join(os.tmpdir(), `docker-standin-${process.pid}.sock`), { spec: MobySpec.load(API_VERSION) });
        dev = await stack("dev");
        const r = await dev.run("up", "--yes", "--skip-preview");
        upLog = [...docker.log];
        assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
    });
    after(async () => {
        await api?.close();
        await docker?.close();
        for (const s of stacks) s.remove();
    });

    it("up creates the stack's containers, running, on its network, with its volumes", () => {
        assert.deepStrictEqual(names(), ["dev-datadog-agent", "dev-exercise-app", "dev-exercise-traffic", "dev-postgres"]);
        assert.ok([...docker.containers.values()].every((c) => c.Running && Object.keys(c.Networks).join() === "dev-exercise"));
        assert.deepStrictEqual([...docker.networks.values()].map((n) => n.Name), ["dev-exercise"]);
        assert.deepStrictEqual([...docker.volumes.keys()].sort(), ["dev-datadog-agent-run", "dev-postgres-data"]);
    });

    it("the provider's calls, from the request log, are the ones the stand-in serves", () => {
        assert.deepStrictEqual(endpoints(upLog), [
            "GET /containers/json",
            "GET /containers/{id}/json",
            "GET /images/dev-exercise-app:1.0.0/json",
            `GET /images/${DECLARED_KEYS.agentImage.default}/json`,
            "GET /images/json",
            "GET /images/postgres:17.6-bookworm/json",
            "GET /images/{id}/json",
            "GET /info",
            "GET /networks/{id}",
            "GET /version",
            "GET /volumes/dev-datadog-agent-run",
            "GET /volumes/dev-postgres-data",
            "POST /build",
            "POST /containers/create",
            "POST /containers/{id}/start",
            "POST /images/create",
            "POST /networks/bridge/disconnect",
            "POST /networks/create",
            "POST /networks/dev-exercise/connect",
            "POST /session",
            "POST /volumes/create",
            "PUT /containers/{id}/archive",
        ]);
    });

    it("no drift after up: preview --expect-no-changes", async () => {
        const r = await dev.run("preview", "--expect-no-changes", "--diff");
        assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
    });

    it("no drift after up: refresh --expect-no-changes", async () => {
        const r = await dev.run("refresh", "--yes", "--expect-no-changes", "--diff");
        assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
    });

    describe("several stacks on one host", () => {
        it("a second stack (prod) runs side by side on the same daemon", async () => {
            const prod = await stack("prod", { [`${PROJECT}:appPort`]: "5060", [`${PROJECT}:postgresHostPort`]: "15442" });
            const r = await prod.run("up", "--yes", "--skip-preview");
            assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
            assert.deepStrictEqual(names(), [
                "dev-datadog-agent", "dev-exercise-app", "dev-exercise-traffic", "dev-postgres",
                "prod-datadog-agent", "prod-exercise-app", "prod-exercise-traffic", "prod-postgres",
            ]);
            const destroyed = await prod.run("destroy", "--yes", "--skip-preview");
            assert.strictEqual(destroyed.code, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
        });

        it("a stack whose appPort collides fails with the daemon's error and touches nothing of the other", async () => {
            const devContainers = JSON.stringify([...docker.containers.values()].map((c) => [c.Id, c.Running]));
            const clash = await stack("clash", { [`${PROJECT}:notifyEmail`]: "you@example.com", [`${PROJECT}:postgresHostPort`]: "15452" }); // appPort 5050, as dev's
            const r = await clash.run("up", "--yes", "--skip-preview");
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stdout, /Bind for 127\.0\.0\.1:5050 failed: port is already allocated/);
            assert.strictEqual(JSON.stringify([...docker.containers.values()].filter((c) => c.Name.startsWith("dev-")).map((c) => [c.Id, c.Running])), devContainers);
            const destroyed = await clash.run("destroy", "--yes", "--skip-preview");
            assert.strictEqual(destroyed.code, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
            assert.ok(names().every((n) => n.startsWith("dev-")), names().join());
        });
    });

    describe("then", () => {
        it("a change of scenario (alert) replaces the Agent's container alone, seen in the daemon's request log", async () => {
            const agentBefore = [...docker.containers.values()].find((c) => c.Name === "dev-datadog-agent")!.Id;
            await dev.configure({ [`${PROJECT}:scenario`]: "alert" });
            const from = docker.log.length;
            const r = await dev.run("up", "--yes", "--skip-preview");
            assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
            const log = docker.log.slice(from);
            assert.deepStrictEqual(log.filter((l) => /^POST \S*\/containers\/create/.test(l)).map((l) => l.replace(/^.*name=/, "")), ["dev-datadog-agent"]);
            assert.deepStrictEqual(log.filter((l) => /^DELETE \S*\/containers\//.test(l)).map((l) => l.replace(/^DELETE \S*\/containers\/([0-9a-f]+).*$/, "$1")), [agentBefore]);
            assert.deepStrictEqual(names(), ["dev-datadog-agent", "dev-exercise-app", "dev-exercise-traffic", "dev-postgres"]);
        });

        it("Ctrl-C during container creation, then a rerun: no duplicate container, none left outside the state", async () => {
            const cut = await stack("cut", { [`${PROJECT}:notifyEmail`]: "you@example.com", [`${PROJECT}:appPort`]: "5070" });
            docker.createDelayMs = 2000;
            const creating = new Promise<void>((resolve) => docker.events.on("request", (l: string) => /\/containers\/create\?name=cut-/.test(l) && resolve()));
            const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--stack", "cut", "--non-interactive"], { cwd: cut.dir, env: cut.env, stdio: "ignore" });
            const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
            await creating;
            child.kill("SIGINT");
            assert.notStrictEqual(await exited, 0);
            docker.createDelayMs = 0;
            const r = await cut.run("up", "--yes", "--skip-preview");
            assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
            const inState = (await cut.resources()).filter((x) => x.type === "docker:index/container:Container").map((x) => x.id).sort();
            const onDaemon = [...docker.containers.values()].filter((c) => c.Name.startsWith("cut-")).map((c) => c.Id).sort();
            assert.strictEqual(onDaemon.length, 4);
            assert.deepStrictEqual(onDaemon, inState);
            const destroyed = await cut.run("destroy", "--yes", "--skip-preview");
            assert.strictEqual(destroyed.code, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
        });

        it("destroy leaves no container, network or volume of the stack", async () => {
            const r = await dev.run("destroy", "--yes", "--skip-preview");
            assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
            assert.deepStrictEqual([names(), [...docker.networks.keys()], [...docker.volumes.keys()]], [[], [], []]);
        });
    });
});
