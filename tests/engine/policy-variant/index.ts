// A program that breaks every rule of the policy pack once (tests/engine/policy.spec.ts):
// previewed only, against the Docker daemon stand-in; nothing here reaches Datadog.
import * as datadog from "@pulumi/datadog";
import * as docker from "@pulumi/docker";

// datadog-api-url-https: plain http to a host that is not loopback.
const provider = new datadog.Provider("plain-http", {
    apiUrl: "http://api.example.com/",
    validate: "false",
    apiKey: "0123456789abcdef0123456789abcdef",
    appKey: "fedcba9876543210fedcba9876543210fedcba98",
});

// monitor-notifies-someone, monitor-env-service-tags, monitor-thresholds-consistent, monitor-no-data-handled.
new datadog.Monitor(
    "quiet",
    {
        name: "my_metric is high",
        type: "metric alert",
        message: "my_metric is high, and nobody hears of it",
        query: "avg(last_5m):avg:my_metric{*} > 800",
        monitorThresholds: { critical: "700" },
        tags: ["team:demo"],
        validate: false,
    },
    { provider },
);

// downtime-names-timezone, downtime-starts-in-future.
new datadog.DowntimeSchedule(
    "past-utc",
    {
        scope: "env:variant",
        monitorIdentifier: { monitorTags: ["env:variant"] },
        recurringSchedule: { recurrences: [{ duration: "1h", rrule: "FREQ=DAILY", start: "2020-01-01T19:00:00" }] },
    },
    { provider },
);

// dashboard-template-variable-scopes-widgets.
new datadog.Dashboard(
    "fixed",
    {
        title: "fixed scope",
        layoutType: "ordered",
        widgets: [{ timeseriesDefinition: { title: "my_metric", requests: [{ q: "avg:my_metric{env:variant}" }] } }],
    },
    { provider },
);

// docker-image-pinned (the RemoteImage and the container), docker-no-privileged,
// docker-host-paths-agent-only, docker-ports-loopback, secrets-marked-secret.
const image = new docker.RemoteImage("postgres", { name: "postgres:latest" });
new docker.Container("db", {
    name: "variant-postgres",
    image: "postgres:latest",
    privileged: true,
    volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
    ports: [{ internal: 5432, external: 5432 }],
    envs: ["POSTGRES_PASSWORD=hunter2"],
}, { dependsOn: [image] });
