import * as assert from "node:assert/strict";
import { ProgramRun, runProgram, T } from "./harness";

describe("DockerHost", () => {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await runProgram({ stack: "dev" });
        prod = await runProgram({ stack: "prod" });
    });

    it("creates one bridge network per stack", () => {
        assert.deepEqual(dev.get(T.network, "host-network").inputs, { name: "dev-exercise", driver: "bridge" });
        assert.equal(prod.get(T.network, "host-network").inputs.name, "prod-exercise");
    });

    it("gives dev and prod disjoint Docker names, so they share a Docker host", () => {
        const dockerNames = (run: ProgramRun) =>
            new Set([...run.ofType(T.container), ...run.ofType(T.network), ...run.ofType(T.volume)].map((r) => r.inputs.name as string));
        const devNames = dockerNames(dev);
        const prodNames = dockerNames(prod);
        assert.equal(devNames.size, 7); // network, 4 containers, 2 volumes
        assert.deepEqual([...devNames].filter((n) => prodNames.has(n)), []);
        assert.ok([...devNames].every((n) => n.startsWith("dev-")));
    });

    it("labels every container with its stack's env, which ties it to its stack for the port preflight and doctor", () => {
        const envs = (run: ProgramRun) =>
            run.ofType(T.container).map((c) => [c.inputs.name, (c.inputs.labels as { label: string; value: string }[]).find((l) => l.label === "com.datadoghq.tags.env")?.value]).sort();
        assert.deepEqual(envs(dev), [["dev-datadog-agent", "dev"], ["dev-exercise-app", "dev"], ["dev-exercise-traffic", "dev"], ["dev-postgres", "dev"]]);
        assert.ok(envs(prod).every(([, env]) => env === "prod"));
    });

    it("groups the network and four container components under the host", () => {
        const children = dev.resources.filter((r) => r.parentTypes.at(-1) === "datadog-exercise:docker:DockerHost");
        assert.deepEqual(children.map((r) => `${r.type} ${r.name}`).sort(), [
            "datadog-exercise:docker:AgentContainer host-agent",
            "datadog-exercise:docker:AppContainer host-app",
            "datadog-exercise:docker:PostgresContainer host-postgres",
            "datadog-exercise:docker:TrafficContainer host-traffic",
            `${T.network} host-network`,
        ]);
    });

    it("restarts every container unless stopped", () => {
        assert.deepEqual(
            dev.ofType(T.container).map((c) => [c.inputs.name, c.inputs.restart]).sort(),
            [
                ["dev-datadog-agent", "unless-stopped"],
                ["dev-exercise-app", "unless-stopped"],
                ["dev-exercise-traffic", "unless-stopped"],
                ["dev-postgres", "unless-stopped"],
            ],
        );
    });

    it("checks each container's health: the Agent with `agent health`, PostgreSQL with pg_isready, the app with its image's HEALTHCHECK, the traffic not at all", () => {
        assert.deepEqual(
            dev.ofType(T.container).map((c) => [c.inputs.name, c.inputs.healthcheck?.tests]).sort(),
            [
                ["dev-datadog-agent", ["CMD", "agent", "health"]],
                ["dev-exercise-app", undefined], // Docker runs the Dockerfile's HEALTHCHECK
                ["dev-exercise-traffic", ["NONE"]], // the same image, but it serves no /health
                ["dev-postgres", ["CMD", "pg_isready", "-U", "postgres", "-d", "postgres"]],
            ],
        );
    });

    it("exports the network, container names and app URL", () => {
        assert.deepEqual(dev.outputs.containerNames, {
            agent: "dev-datadog-agent",
            postgres: "dev-postgres",
            app: "dev-exercise-app",
            traffic: "dev-exercise-traffic",
        });
        assert.equal(dev.outputs.networkName, "dev-exercise");
        assert.equal(dev.outputs.appUrl, "http://localhost:5050");
    });
});
