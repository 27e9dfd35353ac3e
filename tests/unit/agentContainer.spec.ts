import * as assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { MY_METRIC_MAX } from "../../components/config/stackConfig";
import { agentEnvironment } from "../../components/docker/agentContainer";
import { API_KEY, envMap, PROJECT, ProgramRun, registeredSecretEntries, runProgram, secretEntries, T } from "./harness";

describe("AgentContainer", () => {
    let run: ProgramRun;
    let agent: Record<string, any>;
    before(async () => {
        run = await runProgram({ config: { [`${PROJECT}:hostTags`]: '["team:se","purpose:demo"]' } });
        agent = run.get(T.container, "host-agent-container").inputs;
    });

    it("runs the pinned Agent 7 image, pulled by RemoteImage", () => {
        const image = run.get(T.remoteImage, "host-agent-image").inputs;
        assert.equal(image.name, "gcr.io/datadoghq/agent:7.84.6");
        assert.equal(agent.image, "sha256:host-agent-image");
    });

    it("is named per stack and joins the stack's network", () => {
        assert.equal(agent.name, "dev-datadog-agent");
        assert.deepEqual(agent.networksAdvanced, [{ name: "dev-exercise", aliases: ["datadog-agent"] }]);
    });

    it("configures site, hostname, env, tags, logs, APM and DogStatsD through its environment, and nothing else", () => {
        assert.deepEqual(envMap(agent.envs), {
            DD_API_KEY: API_KEY,
            DATADOG_DB_PASSWORD: "pw-host-postgres-datadog-password-Zq8Xw3Lk",
            DD_SITE: "datadoghq.com",
            DD_HOSTNAME: "dev-exercise-host",
            DD_ENV: "dev",
            DD_TAGS: "team:se purpose:demo",
            DD_LOGS_ENABLED: "true",
            DD_LOGS_CONFIG_CONTAINER_COLLECT_ALL: "true",
            DD_LOGS_CONFIG_DOCKER_CONTAINER_USE_FILE: "true",
            DD_CONTAINER_EXCLUDE: "name:.*",
            DD_CONTAINER_INCLUDE: "name:^dev-postgres$ name:^dev-exercise-app$ name:^dev-exercise-traffic$",
            DD_APM_ENABLED: "true",
            DD_APM_NON_LOCAL_TRAFFIC: "true",
            DD_APM_IGNORE_RESOURCES: "GET /health",
            DD_DOGSTATSD_NON_LOCAL_TRAFFIC: "true",
        });
    });

    it("makes exactly the API key and the DB password secret, entry by entry, even from plain inputs", async () => {
        const envs = agentEnvironment({
            apiKey: "plain-api-key",
            postgresPassword: "plain-password",
            site: "datadoghq.com",
            hostname: "h",
            env: "dev",
            hostTags: ["team:se"],
            watchedContainers: ["dev-postgres"],
        });
        assert.deepEqual(await secretEntries(envs), ["DD_API_KEY", "DATADOG_DB_PASSWORD"]);
    });

    it("registers the API key and the DB password as secrets, entry by entry, and the rest in plain text", () => {
        assert.deepEqual(registeredSecretEntries(run.get(T.container, "host-agent-container").rawInputs.envs), ["DD_API_KEY", "DATADOG_DB_PASSWORD"]);
    });

    it("follows the site and the env of the stack", async () => {
        const eu = await runProgram({ config: { [`${PROJECT}:site`]: "datadoghq.eu" } });
        assert.equal(envMap(eu.get(T.container, "host-agent-container").inputs.envs).DD_SITE, "datadoghq.eu");
        const env = envMap((await runProgram({ stack: "prod" })).get(T.container, "host-agent-container").inputs.envs);
        assert.equal(env.DD_ENV, "prod");
        assert.equal(env.DD_HOSTNAME, "prod-exercise-host");
        assert.equal(env.DD_TAGS, undefined, "no DD_TAGS without host tags");
    });

    it("watches its own stack's postgres, app and traffic containers and no other container on the host", async () => {
        // The Agent's filter: a container is watched if an include pattern matches its name
        // (include wins over exclude), else not if an exclude pattern matches.
        const watched = (envs: Record<string, string>, name: string) => {
            const patterns = (v: string) => v.split(" ").map((p) => new RegExp(p.replace(/^name:/, "")));
            if (patterns(envs.DD_CONTAINER_INCLUDE).some((re) => re.test(name))) return true;
            return !patterns(envs.DD_CONTAINER_EXCLUDE).some((re) => re.test(name));
        };
        const dev = envMap(agent.envs);
        const prod = envMap((await runProgram({ stack: "prod" })).get(T.container, "host-agent-container").inputs.envs);
        const all = ["dev-postgres", "dev-exercise-app", "dev-exercise-traffic", "dev-datadog-agent", "prod-postgres", "prod-exercise-app", "prod-exercise-traffic", "prod-datadog-agent", "someone-elses-db"];
        assert.deepEqual(all.filter((n) => watched(dev, n)), ["dev-postgres", "dev-exercise-app", "dev-exercise-traffic"]);
        assert.deepEqual(all.filter((n) => watched(prod, n)), ["prod-postgres", "prod-exercise-app", "prod-exercise-traffic"]);
    });

    it("matches a dotted env's names literally: '.' in a name is no wildcard", () => {
        const env = envMap(
            agentEnvironment({ apiKey: "k", postgresPassword: "p", site: "datadoghq.com", hostname: "h", env: "qa.1", hostTags: [], watchedContainers: ["qa.1-postgres"] }).filter(
                (e): e is string => typeof e === "string", // the two secret entries are Outputs
            ),
        );
        assert.equal(env.DD_CONTAINER_INCLUDE, "name:^qa\\.1-postgres$");
        assert.equal(new RegExp(env.DD_CONTAINER_INCLUDE.slice("name:".length)).test("qaX1-postgres"), false);
    });

    it("shares the host's cgroup and PID namespaces, as Datadog's docker run does", () => {
        assert.deepEqual([agent.cgroupnsMode, agent.pidMode], ["host", "host"]);
    });

    it("mounts the Docker socket, /proc, cgroups and container logs read-only, and a named run volume", () => {
        const byPath = Object.fromEntries(agent.volumes.map((v: any) => [v.containerPath, v]));
        assert.deepEqual(byPath["/var/run/docker.sock"], { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true });
        assert.deepEqual(byPath["/host/proc/"], { hostPath: "/proc/", containerPath: "/host/proc/", readOnly: true });
        assert.deepEqual(byPath["/host/sys/fs/cgroup/"], { hostPath: "/sys/fs/cgroup/", containerPath: "/host/sys/fs/cgroup/", readOnly: true });
        assert.deepEqual(byPath["/var/lib/docker/containers"], {
            hostPath: "/var/lib/docker/containers",
            containerPath: "/var/lib/docker/containers",
            readOnly: true,
        });
        assert.deepEqual(byPath["/opt/datadog-agent/run"], { volumeName: "dev-datadog-agent-run", containerPath: "/opt/datadog-agent/run", readOnly: false });
        assert.equal(run.get(T.volume, "host-agent-run").inputs.name, "dev-datadog-agent-run");
        assert.equal(agent.volumes.length, 5);
    });

    // What the Agent needs of the file (the Python suite runs the check itself): a check class
    // that submits the gauge my_metric, under the name of its conf.d file, with no interval of its own.
    it("uploads a my_metric check into checks.d under its conf.d file's name, with the interval left to the yaml", () => {
        const files = agent.uploads.map((u: any) => u.file);
        assert.deepEqual(files, ["/etc/datadog-agent/checks.d/custom_my_metric.py", "/etc/datadog-agent/conf.d/custom_my_metric.yaml"]);
        const check: string = agent.uploads[0].content;
        assert.match(check, /^from datadog_checks\.base import AgentCheck$/m);
        assert.match(check, /^class \w+\(AgentCheck\):$/m);
        assert.match(check, /self\.gauge\(METRIC_NAME, random\.randint\(low, high\)/);
        // The range is the instance's (a scenario's), else the exercise's 0..MY_METRIC_MAX.
        assert.match(check, /^\s+low = int\(instance\.get\('min_value', MIN_VALUE\)\)$/m);
        assert.match(check, /^\s+high = int\(instance\.get\('max_value', MAX_VALUE\)\)$/m);
        assert.match(check, /^METRIC_NAME = 'my_metric'$/m);
        assert.deepEqual([/^MIN_VALUE = (\d+)$/m.exec(check)?.[1], /^MAX_VALUE = (\d+)$/m.exec(check)?.[1]], ["0", String(MY_METRIC_MAX)]);
        assert.doesNotMatch(check.replace(/"""[\s\S]*?"""/g, "").replace(/#.*$/gm, ""), /min_collection_interval/);
    });

    it("generates the check's conf.d yaml with the configured interval", async () => {
        const conf = (r: ProgramRun) =>
            parseYaml(r.get(T.container, "host-agent-container").inputs.uploads.find((u: any) => u.file === "/etc/datadog-agent/conf.d/custom_my_metric.yaml").content);
        assert.deepEqual(conf(run), { init_config: {}, instances: [{ min_collection_interval: 45 }] });
        const slow = await runProgram({ config: { [`${PROJECT}:checkIntervalSeconds`]: "120" } });
        assert.deepEqual(conf(slow).instances, [{ min_collection_interval: 120 }]);
    });

    it("is a child of AgentContainer inside DockerHost", () => {
        const component = run.get("datadog-exercise:docker:AgentContainer", "host-agent");
        assert.deepEqual(component.parentTypes, ["datadog-exercise:docker:DockerHost"]);
        for (const [type, name] of [
            [T.container, "host-agent-container"],
            [T.remoteImage, "host-agent-image"],
            [T.volume, "host-agent-run"],
        ]) {
            assert.deepEqual(run.get(type, name).parentTypes, ["datadog-exercise:docker:AgentContainer"], name);
        }
    });
});
