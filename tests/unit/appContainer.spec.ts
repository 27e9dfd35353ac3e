import * as assert from "node:assert/strict";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { AppContainer } from "../../components/docker/appContainer";
import { envMap, labelMap, PROJECT, ProgramRun, runComponents, runProgram, T } from "./harness";

describe("AppContainer", () => {
    let run: ProgramRun;
    let app: Record<string, any>;
    before(async () => {
        run = await runProgram();
        app = run.get(T.container, "host-app-container").inputs;
    });

    it("builds its image locally from container-src/app, without pushing", () => {
        const image = run.get(T.image, "host-app-image").inputs;
        assert.equal(image.build.context, path.resolve(__dirname, "..", "..", "container-src", "app"));
        assert.equal(image.build.dockerfile, path.join(image.build.context, "Dockerfile"));
        assert.equal(image.skipPush, true);
        assert.equal(image.imageName, "dev-exercise-app:1.0.0");
        assert.equal(app.image, "sha256:built-host-app-image", "the container runs the built image's ID, so a rebuild replaces it");
    });

    it("sends traces to the Agent by container name, with unified service tags", () => {
        assert.deepEqual(envMap(app.envs), {
            DD_AGENT_HOST: "dev-datadog-agent",
            DD_SERVICE: "exercise-app",
            DD_ENV: "dev",
            DD_VERSION: "1.0.0",
            DD_LOGS_INJECTION: "true",
            PORT: "5050",
            PGHOST: "dev-postgres",
            PGPORT: "5432",
            PGDATABASE: "postgres",
            PGUSER: "app",
            PGPASSWORD: "pw-host-postgres-app-password-Zq8Xw3Lk",
            DD_DBM_PROPAGATION_MODE: "full",
        });
        const labels = labelMap(app.labels);
        assert.equal(labels["com.datadoghq.tags.env"], "dev");
        assert.equal(labels["com.datadoghq.tags.service"], "exercise-app");
        assert.equal(labels["com.datadoghq.tags.version"], "1.0.0");
        const logs = JSON.parse(labels["com.datadoghq.ad.logs"]);
        assert.deepEqual([logs.length, logs[0].source, logs[0].service], [1, "python", "exercise-app"]);
    });

    it("publishes appPort on the same port inside and out, on the host's loopback only", () => {
        assert.deepEqual(app.ports, [{ internal: 5050, external: 5050, ip: "127.0.0.1" }]);
    });

    it("publishes on every interface when appBindAddress opens it, and says the remote Docker host's URL", async () => {
        const open = await runProgram({ config: { [`${PROJECT}:appBindAddress`]: "0.0.0.0", "docker:host": "ssh://ops@build-1.example.com" } });
        assert.deepEqual(open.get(T.container, "host-app-container").inputs.ports, [{ internal: 5050, external: 5050, ip: "0.0.0.0" }]);
        assert.equal(open.outputs.appUrl, "http://build-1.example.com:5050");
        assert.equal(open.outputs.appTunnel, null);
    });

    it("exports the ssh tunnel to open for an app on a remote Docker host's loopback", async () => {
        const remote = await runProgram({ config: { "docker:host": "ssh://ops@build-1.example.com" } });
        assert.equal(remote.outputs.appTunnel, "ssh -N -L 5050:127.0.0.1:5050 ops@build-1.example.com");
        assert.equal(remote.outputs.appUrl, "http://localhost:5050");
    });

    it("follows service, version and port from config", async () => {
        const other = await runProgram({ config: { [`${PROJECT}:appPort`]: "8080", [`${PROJECT}:service`]: "shop", [`${PROJECT}:appVersion`]: "2.3.4" } });
        const c = other.get(T.container, "host-app-container").inputs;
        assert.deepEqual(c.ports, [{ internal: 8080, external: 8080, ip: "127.0.0.1" }]);
        assert.equal(envMap(c.envs).PORT, "8080");
        assert.equal(envMap(c.envs).DD_SERVICE, "shop");
        assert.equal(envMap(c.envs).DD_VERSION, "2.3.4");
        assert.equal(other.outputs.appUrl, "http://localhost:8080");
    });

    it("keeps a traceback in one log: a new entry starts only with a dated line, the app's or gunicorn's", () => {
        const [rule] = JSON.parse(labelMap(app.labels)["com.datadoghq.ad.logs"])[0].log_processing_rules;
        assert.equal(rule.type, "multi_line");
        const starts = new RegExp(`^(?:${rule.pattern})`);
        assert.ok(starts.test("2026-11-29 19:30:00,123 ERROR [flask.app] [app.py:98] [dd.service=exercise-app] - Exception on /api/error [GET]"));
        assert.ok(starts.test("[2026-11-29 19:30:00 +0000] [7] [INFO] Booting worker with pid: 7"));
        assert.ok(!starts.test("Traceback (most recent call last):"));
        assert.ok(!starts.test('  File "/app/app.py", line 97, in api_error'));
    });

    it("is created after PostgreSQL's container, which it reads from", () => {
        const postgres = run.get(T.container, "host-postgres-container");
        assert.ok(run.get(T.container, "host-app-container").dependencies.includes(postgres.urn));
    });

    // DD_AGENT_HOST (the Agent's name, an Output) alone would order them too: here the app gets
    // the Agent's name as a plain value, so only its dependsOn can make the engine create the Agent
    // first (the tracer must find it from the first request).
    it("is created after the Agent's container, by its own dependsOn", async () => {
        const built = await runComponents(() => {
            const agent = new docker.Container("agent", { name: "dev-datadog-agent", image: "agent" });
            const postgres = new docker.Container("postgres", { name: "dev-postgres", image: "postgres" });
            Object.defineProperty(agent, "name", { value: pulumi.output("dev-datadog-agent") });
            new AppContainer("app", {
                networkName: "dev-exercise", containerName: "dev-exercise-app", agentContainer: agent, env: "dev", service: "exercise-app",
                version: "1.0.0", port: 5050, bindAddress: "127.0.0.1", postgresContainer: postgres, dbPassword: "pw",
            });
            return {};
        });
        assert.equal(envMap(built.get(T.container, "app-container").inputs.envs).DD_AGENT_HOST, "dev-datadog-agent");
        assert.ok(built.get(T.container, "app-container").dependencies.includes(built.get(T.container, "agent").urn));
    });

    it("joins the stack's network", () => {
        assert.deepEqual(app.networksAdvanced, [{ name: "dev-exercise", aliases: ["app"] }]);
    });
});
