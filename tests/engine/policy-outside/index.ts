// A user's own small program, previewed with the pack from outside this repository
// (tests/engine/policy.spec.ts): each input the pack once misread (issue #26), and two that it
// must fail. Nothing here reaches Datadog; Docker is the daemon stand-in.
import * as datadog from "@pulumi/datadog";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

// monitor-env-service-tags: env and service come from the provider's defaultTags.
const provider = new datadog.Provider("dd", {
    apiKey: pulumi.secret("0123456789abcdef0123456789abcdef"),
    appKey: pulumi.secret("fedcba9876543210fedcba9876543210fedcba98"),
    validate: "false",
    defaultTags: { tags: { env: "outside", service: "shop" } },
});

// secrets-marked-secret: assets[].resourceKey is an ID, not a key.
new datadog.Monitor(
    "checkout-errors",
    {
        name: "checkout errors",
        type: "metric alert",
        message: "Checkout errors are up. @you@example.com",
        query: "avg(last_5m):sum:trace.flask.request.errors{env:outside,service:shop}.as_rate() > 5",
        monitorThresholds: { critical: "5", warning: "2" },
        notifyNoData: true,
        noDataTimeframe: 10,
        assets: [{ name: "Runbook", category: "runbook", url: "/notebook/12345", resourceKey: "12345", resourceType: "notebook" }],
        validate: false,
    },
    { provider },
);

// secrets-marked-secret: a tag policy's tagKey is a tag's name.
new datadog.MonitorConfigPolicy("env-tag", { policyType: "tag", tagPolicy: { tagKey: "env", tagKeyRequired: true, validTagValues: ["outside"] } }, { provider });

// secrets-marked-secret: accessTokenUrl is a URL; the client secret is a secret.
new datadog.SyntheticsTest(
    "checkout-api",
    {
        name: "checkout API",
        type: "api",
        subtype: "http",
        status: "paused",
        locations: ["aws:eu-central-1"],
        requestDefinition: { method: "GET", url: "https://shop.example.com/health" },
        requestBasicauth: {
            type: "oauth-client",
            accessTokenUrl: "https://auth.example.com/oauth/token",
            clientId: "shop-synthetics",
            clientSecret: pulumi.secret("client-secret-value"),
            tokenApiAuthentication: "header",
        },
        assertions: [{ type: "statusCode", operator: "is", target: "200" }],
        optionsList: { tickEvery: 900 },
    },
    { provider },
);

// downtime-names-timezone: "+02:00" is an offset (mandatory violation expected).
new datadog.DowntimeSchedule(
    "nightly",
    {
        scope: "env:outside",
        monitorIdentifier: { monitorTags: ["env:outside"] },
        recurringSchedule: {
            timezone: "+02:00",
            recurrences: [{ duration: "1h", rrule: "FREQ=DAILY", start: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 19) }],
        },
    },
    { provider },
);

// docker-host-paths-agent-only: the Agent as Datadog's Docker docs name it, its image a RemoteImage's ID.
const agentImage = new docker.RemoteImage("agent", { name: "gcr.io/datadoghq/agent:7.84.6" });
new docker.Container("dd-agent", {
    name: "dd-agent",
    image: agentImage.imageId,
    envs: ["DD_API_KEY_FILE=/run/secrets/dd_api_key"],
    volumes: [
        { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
        { hostPath: "/proc/", containerPath: "/host/proc/", readOnly: true },
        { hostPath: "/sys/fs/cgroup/", containerPath: "/host/sys/fs/cgroup/", readOnly: true },
    ],
});

// secrets-marked-secret: a *_FILE variable is a path. docker-ports-loopback: publishAllPorts
// publishes every exposed port on every interface (mandatory violation expected).
new docker.Container("db", {
    name: "shop-postgres",
    image: "postgres:17.6",
    envs: ["POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password"],
    publishAllPorts: true,
});
