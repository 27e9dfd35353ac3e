// The policy pack's rules (policy/), in process: each against a resource that passes and one that
// fails, on inputs shaped as the engine sends them (secrets as @pulumi/policy's Secret objects,
// unknown values as its sentinels). tests/engine/policy.spec.ts runs the same pack under the CLI.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DATADOG_RULES, downtimeFutureStart, wallClock } from "../../policy/datadog";
import { DOCKER_RULES } from "../../policy/docker";
import { readInputs } from "../../policy/inputs";
import { RULES, keepSecretMarkers, toPolicy } from "../../policy/pack";
import { Rule } from "../../policy/rule";
import { KEY_NAMES_A_REFERENCE, KNOWN_NOT_SECRET, secretName, secretsMarked } from "../../policy/secrets";
import { apiUrlHttps } from "../../policy/stack";
// The pack's @pulumi/policy (policy/ is a workspace: npm ci installs it at the root), whose Secret class readInputs knows.
import { Secret } from "@pulumi/policy";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const rule = (name: string): Rule => {
    const r = RULES.find((x) => x.name === name);
    if (!r) throw new Error(`no rule ${name}`);
    return r;
};

/** The messages `name` reports for one resource. */
function check(name: string, type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}, provider?: Record<string, unknown>): string[] {
    const r = rule(name);
    if (r.types !== "*" && !r.types.includes(type)) throw new Error(`${name} does not read ${type}`);
    const out: string[] = [];
    r.check(readInputs(type, "res", props, provider && readInputs("pulumi:providers:datadog", "dd", provider)), (m) => out.push(m), config);
    return out;
}

const MONITOR = "datadog:index/monitor:Monitor";
const DOWNTIME = "datadog:index/downtimeSchedule:DowntimeSchedule";
const DASHBOARD = "datadog:index/dashboard:Dashboard";
const CONTAINER = "docker:index/container:Container";

/** The program's my_metric monitor, as the engine hands it to the pack. */
const monitor = (over: Record<string, unknown> = {}) => ({
    type: "metric alert",
    message: "my_metric is {{value}}\n\n@you@example.com",
    query: "avg(last_5m):avg:my_metric{env:dev} by {host} > 800",
    monitorThresholds: { critical: "800", warning: "500" },
    notifyNoData: true,
    noDataTimeframe: 10,
    tags: ["env:dev", "service:datadog-exercise"],
    ...over,
});

describe("policy pack: the rules and their default levels", () => {
    it("lists 13 rules, each once, mandatory except the two the docs call advisory", () => {
        assert.deepStrictEqual(
            RULES.map((r) => `${r.name} ${r.enforcementLevel}`),
            [
                "monitor-notifies-someone mandatory",
                "monitor-env-service-tags mandatory",
                "monitor-thresholds-consistent mandatory",
                "monitor-no-data-handled mandatory",
                "downtime-names-timezone mandatory",
                "downtime-starts-in-future advisory",
                "dashboard-template-variable-scopes-widgets advisory",
                "docker-image-pinned mandatory",
                "docker-no-privileged mandatory",
                "docker-host-paths-agent-only mandatory",
                "docker-ports-loopback mandatory",
                "secrets-marked-secret mandatory",
                "datadog-api-url-https mandatory",
            ],
        );
        assert.strictEqual(DATADOG_RULES.length + DOCKER_RULES.length + 2, RULES.length);
    });
});

describe("policy pack: monitor rules", () => {
    it("monitor-notifies-someone: passes an @ handle at the end or inside a {{#is_alert}} block", () => {
        assert.deepStrictEqual(check("monitor-notifies-someone", MONITOR, monitor()), []);
        assert.deepStrictEqual(check("monitor-notifies-someone", MONITOR, monitor({ message: "{{#is_alert}}@slack-ops{{/is_alert}}" })), []);
    });

    it("monitor-notifies-someone: fails a message without a handle, and an address that is only text", () => {
        assert.match(check("monitor-notifies-someone", MONITOR, monitor({ message: "my_metric is high" }))[0], /no @ handle/);
        assert.strictEqual(check("monitor-notifies-someone", MONITOR, monitor({ message: "write to bob@example.com" })).length, 1);
    });

    it("monitor-env-service-tags: passes env: and service:; fails each missing or empty one, naming it", () => {
        assert.deepStrictEqual(check("monitor-env-service-tags", MONITOR, monitor()), []);
        assert.match(check("monitor-env-service-tags", MONITOR, monitor({ tags: ["env:dev"] }))[0], /no service:<value> tag/);
        assert.match(check("monitor-env-service-tags", MONITOR, monitor({ tags: ["env:", "service:x"] }))[0], /no env:<value> tag/);
    });

    it("monitor-env-service-tags: counts the Datadog provider's defaultTags (an object, or JSON text as the engine may send it)", () => {
        const defaultTags = { tags: { env: "dev", service: "shop" } };
        assert.deepStrictEqual(check("monitor-env-service-tags", MONITOR, monitor({ tags: [] }), {}, { defaultTags }), []);
        assert.deepStrictEqual(check("monitor-env-service-tags", MONITOR, monitor({ tags: undefined }), {}, { defaultTags: JSON.stringify(defaultTags) }), []);
        assert.deepStrictEqual(check("monitor-env-service-tags", MONITOR, monitor({ tags: ["env:dev"] }), {}, { defaultTags: { tags: { service: "shop" } } }), []);
        const partial = check("monitor-env-service-tags", MONITOR, monitor({ tags: [] }), {}, { defaultTags: { tags: { env: "dev" } } });
        assert.match(partial[0], /no service:<value> tag\. Add "service:\.\.\." to its tags, or to its Datadog provider's defaultTags/);
        assert.deepStrictEqual(check("monitor-env-service-tags", MONITOR, monitor({ tags: [] }), {}, { defaultTags: UNKNOWN_STRING }), [], "unknown in a preview");
    });

    it("monitor-thresholds-consistent: passes the query's threshold as critical, warning below it (or above, for <)", () => {
        assert.deepStrictEqual(check("monitor-thresholds-consistent", MONITOR, monitor()), []);
        const below = monitor({ query: "avg(last_5m):avg:free{*} < 10", monitorThresholds: { critical: "10", warning: "20" } });
        assert.deepStrictEqual(check("monitor-thresholds-consistent", MONITOR, below), []);
        const ratio = monitor({ type: "query alert", query: "sum(last_5m):a / b * 100 > 15", monitorThresholds: { critical: "15.0" } });
        assert.deepStrictEqual(check("monitor-thresholds-consistent", MONITOR, ratio), []);
    });

    it("monitor-thresholds-consistent: fails a critical other than the query's, and a warning past critical", () => {
        assert.match(check("monitor-thresholds-consistent", MONITOR, monitor({ monitorThresholds: { critical: "700" } }))[0], /alerts at > 800, but monitorThresholds.critical is 700/);
        assert.match(check("monitor-thresholds-consistent", MONITOR, monitor({ monitorThresholds: { critical: "800", warning: "800" } }))[0], /warning 800 is not below critical 800/);
        const below = monitor({ query: "avg(last_5m):avg:free{*} < 10", monitorThresholds: { critical: "10", warning: "5" } });
        assert.match(check("monitor-thresholds-consistent", MONITOR, below)[0], /warning 5 is not above critical 10/);
        assert.match(check("monitor-thresholds-consistent", MONITOR, monitor({ query: "avg(last_5m):avg:x{*}" }))[0], /does not end in a comparison/);
    });

    it("monitor-no-data-handled: passes a timeframe of twice the window, and onMissingData in either spelling", () => {
        assert.deepStrictEqual(check("monitor-no-data-handled", MONITOR, monitor()), []);
        for (const onMissingData of ["show_and_notify_no_data", "showNoData", "resolve"]) {
            assert.deepStrictEqual(check("monitor-no-data-handled", MONITOR, monitor({ notifyNoData: false, noDataTimeframe: undefined, onMissingData })), [], onMissingData);
        }
    });

    it("monitor-no-data-handled: fails no handling, onMissingData default, a missing or short timeframe", () => {
        assert.match(check("monitor-no-data-handled", MONITOR, monitor({ notifyNoData: false }))[0], /silent source/);
        assert.strictEqual(check("monitor-no-data-handled", MONITOR, monitor({ notifyNoData: undefined, onMissingData: "default" })).length, 1);
        assert.match(check("monitor-no-data-handled", MONITOR, monitor({ noDataTimeframe: undefined }))[0], /at least 10 minutes/);
        assert.match(check("monitor-no-data-handled", MONITOR, monitor({ noDataTimeframe: 9 }))[0], /noDataTimeframe 9 is less than twice its 5-minute window/);
        assert.match(check("monitor-no-data-handled", MONITOR, monitor({ query: "avg(last_1h):avg:x{*} > 1", monitorThresholds: { critical: "1" }, noDataTimeframe: 60 }))[0], /at least 120/);
    });

    it("monitor rules skip values a preview cannot know yet", () => {
        const unknown = monitor({ message: UNKNOWN_STRING, query: UNKNOWN_STRING, tags: UNKNOWN_STRING });
        for (const name of ["monitor-notifies-someone", "monitor-env-service-tags", "monitor-thresholds-consistent", "monitor-no-data-handled"]) {
            assert.deepStrictEqual(check(name, MONITOR, unknown), [], name);
        }
    });
});

describe("policy pack: downtime and dashboard rules", () => {
    const recurring = (start: string | undefined, timezone?: string) => ({
        recurringSchedule: { recurrences: [{ duration: "14h", rrule: "FREQ=WEEKLY;BYDAY=MO", ...(start ? { start } : {}) }], ...(timezone ? { timezone } : {}) },
    });
    const local = (zone: string, days: number) => wallClock(zone, new Date(Date.now() + days * 86_400_000));

    it("downtime-names-timezone: passes an IANA zone; fails none and a zone that is not IANA's", () => {
        assert.deepStrictEqual(check("downtime-names-timezone", DOWNTIME, recurring(undefined, "America/Los_Angeles")), []);
        assert.match(check("downtime-names-timezone", DOWNTIME, recurring(undefined))[0], /no timezone/);
        assert.match(check("downtime-names-timezone", DOWNTIME, recurring(undefined, "Pacific Standard Time"))[0], /"Pacific Standard Time" is not an IANA time zone/);
        assert.deepStrictEqual(check("downtime-names-timezone", DOWNTIME, { oneTimeSchedule: { start: "2030-01-01T00:00:00Z" } }), []);
    });

    it("downtime-names-timezone: passes IANA names and links, UTC and GMT", () => {
        for (const zone of ["Europe/Paris", "Asia/Kolkata", "US/Pacific", "America/Argentina/Buenos_Aires", "UTC", "Etc/UTC", "GMT"]) {
            assert.deepStrictEqual(check("downtime-names-timezone", DOWNTIME, recurring(undefined, zone)), [], zone);
        }
    });

    it("downtime-names-timezone: fails a UTC offset (Intl takes +02:00 on Node 22), naming the zone given", () => {
        assert.doesNotThrow(() => wallClock("+02:00", new Date()), "Intl accepts the offset: the rule cannot lean on it");
        for (const zone of ["+02:00", "-0500", "UTC+2", "GMT-03:00", "Etc/GMT+2"]) {
            const [m] = check("downtime-names-timezone", DOWNTIME, recurring(undefined, zone));
            assert.strictEqual(m, `downtime res: recurringSchedule.timezone "${zone}" is a UTC offset, not an IANA time zone: a fixed offset ignores daylight saving. Use a Region/City name such as "Europe/Paris", or "UTC".`);
        }
    });

    it("downtime-names-timezone: fails an abbreviation, in the database (EST: fixed, never EDT) or not (PST), and a misspelt case", () => {
        for (const zone of ["EST", "PST", "CEST", "MST"]) {
            assert.match(check("downtime-names-timezone", DOWNTIME, recurring(undefined, zone))[0], new RegExp(`"${zone}" is an abbreviation, not an IANA time zone`), zone);
        }
        assert.match(check("downtime-names-timezone", DOWNTIME, recurring(undefined, "europe/paris"))[0], /"europe\/paris" is not an IANA time zone as spelled \(the database spells it "Europe\/Paris"\)/);
    });

    it("downtime-starts-in-future: reads a local start in the schedule's zone, to the second", () => {
        const zone = "Pacific/Kiritimati"; // UTC+14: a local time that is past there is still ahead in UTC
        assert.deepStrictEqual(check("downtime-starts-in-future", DOWNTIME, recurring(local(zone, 1 / 24), zone)), []);
        assert.match(check("downtime-starts-in-future", DOWNTIME, recurring(local(zone, -1 / 24), zone))[0], /\(Pacific\/Kiritimati\) is in the past/);
        assert.strictEqual(check("downtime-starts-in-future", DOWNTIME, recurring(local(zone, -1 / 24), "America/Los_Angeles")).length, 0, "the same wall time is ahead in Los Angeles");
    });

    it("downtime-starts-in-future: one-time starts with an offset; a schedule without a start starts now", () => {
        assert.deepStrictEqual(check("downtime-starts-in-future", DOWNTIME, { oneTimeSchedule: { start: new Date(Date.now() + 60_000).toISOString() } }), []);
        assert.match(check("downtime-starts-in-future", DOWNTIME, { oneTimeSchedule: { start: "2020-01-01T00:00:00Z" } })[0], /one-time start 2020-01-01T00:00:00Z is in the past/);
        assert.deepStrictEqual(check("downtime-starts-in-future", DOWNTIME, recurring(undefined, "UTC")), []);
        assert.strictEqual(downtimeFutureStart.enforcementLevel, "advisory");
    });

    const widget = (q: string) => ({ timeseriesDefinition: { requests: [{ q, formulas: [{ formulaExpression: "query1" }] }] } });

    it("dashboard-template-variable-scopes-widgets: passes when every query uses a variable", () => {
        const props = { templateVariables: [{ name: "host", prefix: "host" }], widgets: [widget("avg:my_metric{$host}"), { noteDefinition: { content: "notes" } }] };
        assert.deepStrictEqual(check("dashboard-template-variable-scopes-widgets", DASHBOARD, props), []);
    });

    it("dashboard-template-variable-scopes-widgets: fails no variable, and a query that uses none, nested in a group", () => {
        assert.match(check("dashboard-template-variable-scopes-widgets", DASHBOARD, { widgets: [widget("avg:x{env:dev}")] })[0], /no template variable/);
        const grouped = { templateVariables: [{ name: "env" }], widgets: [widget("avg:x{$env}"), { groupDefinition: { widgets: [widget("avg:x{$envy}")] } }] };
        assert.match(check("dashboard-template-variable-scopes-widgets", DASHBOARD, grouped)[0], /1 of 2 queries use none of its template variables \(\$env\), e.g. "avg:x\{\$envy\}"/);
    });
});

describe("policy pack: Docker rules", () => {
    it("docker-image-pinned: passes a version tag, a digest, an image ID, a registry port; fails latest and no tag", () => {
        for (const ref of ["gcr.io/datadoghq/agent:7.77.1", `postgres@sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`, "localhost:5000/app:1.0.0"]) {
            assert.deepStrictEqual(check("docker-image-pinned", "docker:index/remoteImage:RemoteImage", { name: ref }), [], ref);
        }
        assert.match(check("docker-image-pinned", CONTAINER, { image: "postgres:latest" })[0], /image "postgres:latest" is on :latest/);
        assert.match(check("docker-image-pinned", "docker:index/image:Image", { imageName: "localhost:5000/app" })[0], /imageName "localhost:5000\/app" has no tag/);
        assert.deepStrictEqual(check("docker-image-pinned", CONTAINER, { image: UNKNOWN_STRING }), []);
    });

    it("docker-no-privileged: passes unset and false; fails true", () => {
        assert.deepStrictEqual(check("docker-no-privileged", CONTAINER, {}), []);
        assert.deepStrictEqual(check("docker-no-privileged", CONTAINER, { privileged: false }), []);
        assert.strictEqual(check("docker-no-privileged", CONTAINER, { privileged: true }).length, 1);
    });

    const agentVolumes = [
        { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
        { hostPath: "/proc/", containerPath: "/host/proc/", readOnly: true },
        { hostPath: "/opt/datadog-agent/run/", containerPath: "/opt/datadog-agent/run", readOnly: false },
    ];

    it("docker-host-paths-agent-only: passes the Agent's read-only host paths (and its run dir read-write), by image or by name", () => {
        assert.deepStrictEqual(check("docker-host-paths-agent-only", CONTAINER, { image: "gcr.io/datadoghq/agent:7.77.1", volumes: agentVolumes }), []);
        assert.deepStrictEqual(check("docker-host-paths-agent-only", CONTAINER, { image: UNKNOWN_STRING, name: "dev-datadog-agent", volumes: agentVolumes }), []);
        assert.deepStrictEqual(check("docker-host-paths-agent-only", CONTAINER, { image: "postgres:17", volumes: [{ volumeName: "data", containerPath: "/var/lib/postgresql/data" }] }), []);
    });

    it("docker-host-paths-agent-only: passes the Agent named as Datadog's Docker docs name it (dd-agent), its image a RemoteImage's ID", () => {
        const imageId = `sha256:${"c".repeat(64)}`;
        for (const name of ["dd-agent", "dev-dd-agent", "dd-agent-3f2a1b"]) {
            assert.deepStrictEqual(check("docker-host-paths-agent-only", CONTAINER, { image: imageId, name, volumes: agentVolumes }), [], name);
        }
        for (const name of ["add-agent", "dd-agents-helper", "postgres"]) {
            assert.match(check("docker-host-paths-agent-only", CONTAINER, { image: imageId, name, volumes: agentVolumes })[0], /is not the Datadog Agent/, name);
        }
    });

    it("docker-host-paths-agent-only: fails a host path in another container, and one the Agent mounts read-write", () => {
        const app = { image: "postgres:17", name: "dev-postgres", mounts: [{ type: "bind", source: "/etc", target: "/host/etc" }] };
        assert.match(check("docker-host-paths-agent-only", CONTAINER, app)[0], /mounts host paths \(\/etc\) but is not the Datadog Agent/);
        const rw = { image: "datadog/agent:7", volumes: [{ hostPath: "/proc/", containerPath: "/host/proc/" }] };
        assert.match(check("docker-host-paths-agent-only", CONTAINER, rw)[0], /volumes\[0\] mounts \/proc\/ read-write/);
    });

    it("docker-ports-loopback: passes 127.0.0.1 and ::1; fails the default and 0.0.0.0, and the host network", () => {
        assert.deepStrictEqual(check("docker-ports-loopback", CONTAINER, { ports: [{ internal: 5050, ip: "127.0.0.1" }, { internal: 5051, ip: "::1" }] }), []);
        assert.match(check("docker-ports-loopback", CONTAINER, { ports: [{ internal: 5432, external: 15432 }] })[0], /port 15432 is published on 0.0.0.0 \(the default\)/);
        assert.strictEqual(check("docker-ports-loopback", CONTAINER, { ports: [{ internal: 5432, ip: "0.0.0.0" }] }).length, 1);
        assert.match(check("docker-ports-loopback", CONTAINER, { networkMode: "host" })[0], /networkMode "host"/);
    });

    it("docker-ports-loopback: fails publishAllPorts (docker run -P: every exposed port on every interface) on a non-Agent container", () => {
        const [m] = check("docker-ports-loopback", CONTAINER, { image: "postgres:17", name: "db", publishAllPorts: true });
        assert.match(m, /publishAllPorts publishes every port its image exposes on every interface/);
        assert.deepStrictEqual(check("docker-ports-loopback", CONTAINER, { image: "postgres:17", publishAllPorts: false }), []);
    });

    it("docker-ports-loopback: a stack that opts in with allowPublicPorts passes", () => {
        assert.deepStrictEqual(check("docker-ports-loopback", CONTAINER, { ports: [{ internal: 5432, ip: "0.0.0.0" }] }, { allowPublicPorts: true }), []);
        assert.deepStrictEqual(check("docker-ports-loopback", CONTAINER, { publishAllPorts: true }, { allowPublicPorts: true }), []);
    });
});

describe("policy pack: secrets-marked-secret", () => {
    it("says key, password or token by name, in any spelling, but not a bare key", () => {
        for (const name of ["DD_API_KEY", "apiKey", "PGPASSWORD", "DD_CLUSTER_AGENT_AUTH_TOKEN", "db_passwd", "privateKey"]) assert.ok(secretName(name), name);
        for (const name of ["key", "KEY_FILE", "DD_SECRET_BACKEND_COMMAND", "monkey", "DD_ENV"]) assert.ok(!secretName(name), name);
    });

    // The false alarms a program of our own met (issue #26): each a valid input, failed at the mandatory level.
    const plainNotSecret: [string, Record<string, unknown>, string][] = [
        ["datadog:index/monitorConfigPolicy:MonitorConfigPolicy", { policyType: "tag", tagPolicy: { tagKey: "env", tagKeyRequired: true, validTagValues: ["dev"] } }, "tagKey"],
        [MONITOR, monitor({ assets: [{ name: "Runbook", url: "/notebook/1", category: "runbook", resourceKey: "12345", resourceType: "notebook" }] }), "resourceKey"],
        ["datadog:index/syntheticsTest:SyntheticsTest", { requestBasicauth: { type: "oauth-client", accessTokenUrl: "https://auth.example.com/token", clientSecret: new Secret("s") } }, "accessTokenUrl"],
        [CONTAINER, { image: "postgres:17", envs: ["POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password", "DD_API_KEY_FILE=/run/secrets/dd_api_key"] }, "POSTGRES_PASSWORD_FILE"],
    ];
    for (const [type, props, name] of plainNotSecret) {
        it(`passes ${name} (${type.split(":").pop()}): it names no secret`, () => {
            assert.deepStrictEqual(check("secrets-marked-secret", type, props), []);
        });
    }

    it("reads what a name holds by its last word: a URL or a *_FILE path is not the secret; a token or password is", () => {
        for (const name of ["accessTokenUrl", "POSTGRES_PASSWORD_FILE", "DD_API_KEY_FILE", "passwordPath", "tokenPrefix"]) assert.ok(!secretName(name), name);
        for (const name of ["accessToken", "DD_AUTH_TOKEN", "validTokens", "POSTGRES_PASSWORD", "appKey", "DD_APIKEY", "awsSecretAccessKey"]) assert.ok(secretName(name), name);
    });

    it("keeps the known non-secret names in a list, and the types whose *Key inputs name where a secret is kept", () => {
        assert.deepStrictEqual(Object.keys(KNOWN_NOT_SECRET), ["tagKey", "resourceKey"]);
        const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "guardrails.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Which names hold a secret"), doc.indexOf("## Levels"));
        const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
        assert.deepStrictEqual(documented, Object.keys(KNOWN_NOT_SECRET), "docs/guardrails.md lists the rule's names");
        assert.ok(Object.keys(KEY_NAMES_A_REFERENCE).every((t) => section.includes(`\`${t.split(":").pop()}\``)), "and its types");
        for (const name of Object.keys(KNOWN_NOT_SECRET)) assert.ok(!secretName(name), name);
        const pipeline = "datadog:index/observabilityPipeline:ObservabilityPipeline";
        assert.deepStrictEqual(check("secrets-marked-secret", pipeline, { config: { destinations: [{ apiKeyKey: "DD_API_KEY", passwordKey: "PG_PW" }] } }), []);
        assert.deepStrictEqual(check("secrets-marked-secret", CONTAINER, { labels: [{ label: "passwordKey", value: "x" }] }).length, 1, "elsewhere a *Key is a key");
    });

    it("passes the program's shape: the envs array a secret as a whole, a %%env_X%% reference, an empty value", () => {
        const envs = new Secret(["DD_API_KEY=0123456789abcdef0123456789abcdef", "DD_SITE=datadoghq.com"]);
        const labels = [{ label: "db.password", value: "%%env_DATADOG_DB_PASSWORD%%" }];
        assert.deepStrictEqual(check("secrets-marked-secret", CONTAINER, { envs, labels }), []);
        assert.deepStrictEqual(check("secrets-marked-secret", CONTAINER, { envs: ["DD_SITE=datadoghq.com", new Secret("PGPASSWORD=s3cr3t"), "DD_API_KEY="] }), []);
        assert.deepStrictEqual(check("secrets-marked-secret", "pulumi:providers:datadog", { apiKey: new Secret("k"), apiUrl: "https://api.datadoghq.com/" }), []);
    });

    it("fails plain text in an env entry, a label, an upload and a top-level input, naming each and never its value", () => {
        const props = {
            envs: ["DD_SITE=datadoghq.com", "POSTGRES_PASSWORD=hunter2"],
            labels: [{ label: "app.token", value: "tok-hunter2" }],
            uploads: [{ file: "/etc/datadog-agent/api_key", content: "hunter2-key" }],
        };
        const messages = check("secrets-marked-secret", CONTAINER, props);
        assert.deepStrictEqual(messages.map((m) => /: (\S+) is in plain text/.exec(m)?.[1]), ["POSTGRES_PASSWORD", "app.token", "api_key"]);
        assert.ok(messages.every((m) => !m.includes("hunter2")), messages.join("\n"));
        assert.match(check("secrets-marked-secret", "pulumi:providers:datadog", { appKey: "plain" })[0], /appKey is in plain text/);
        assert.strictEqual(secretsMarked.types, "*");
    });
});

describe("policy pack: datadog-api-url-https", () => {
    it("passes unset, https, and http on loopback", () => {
        for (const apiUrl of [undefined, "https://api.datadoghq.eu/", "http://127.0.0.1:8080/", "http://localhost:1/", "http://[::1]:9/"]) {
            assert.deepStrictEqual(check(apiUrlHttps.name, "pulumi:providers:datadog", { apiUrl }), [], String(apiUrl));
        }
    });

    it("fails http to another host, and a value that is not a URL", () => {
        assert.match(check(apiUrlHttps.name, "pulumi:providers:datadog", { apiUrl: "http://api.example.com/" })[0], /unencrypted/);
        assert.match(check(apiUrlHttps.name, "pulumi:providers:datadog", { apiUrl: "api.datadoghq.com" })[0], /is not a URL/);
    });
});

describe("policy pack: inputs as @pulumi/policy deserializes them from the engine", () => {
    // The engine's wire format: a secret is an object with Pulumi's secret signature.
    const SIG = "4dabf18193072939515e22adb298388d";
    const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const deserialize = require("@pulumi/policy/deserialize");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownCheckingProxy } = require("@pulumi/policy");
    const wire = Struct.fromJavaScript({
        envs: [{ [SIG]: SECRET_SIG, value: "PGPASSWORD=s3cr3t" }, "POSTGRES_PASSWORD=hunter2", "DD_ENV=dev"],
        image: UNKNOWN_STRING,
    });

    /** Runs one rule's policy the way @pulumi/policy's server does: deserialize, proxy, validate. */
    function validate(r: Rule): string[] {
        const out: string[] = [];
        const props = unknownCheckingProxy(deserialize.deserializeProperties(wire, false));
        const args = { type: CONTAINER, name: "db", props, getConfig: () => ({}) };
        const validateResource = toPolicy(r).validateResource as (a: unknown, report: (m: string) => void) => void;
        validateResource(args, (m) => out.push(m));
        return out;
    }

    it("as @pulumi/policy deserializes them for a validation, a secret reads as plain text", () => {
        assert.deepStrictEqual(validate(secretsMarked).map((m) => /: (\S+) is in plain text/.exec(m)?.[1]), ["PGPASSWORD", "POSTGRES_PASSWORD"]);
    });

    it("with the secret markers kept (keepSecretMarkers, what the pack does), the secret entry passes and the plain one fails", () => {
        keepSecretMarkers();
        assert.deepStrictEqual(validate(secretsMarked).map((m) => /: (\S+) is in plain text/.exec(m)?.[1]), ["POSTGRES_PASSWORD"]);
    });

    it("an unknown image (a preview) is skipped, not reported as unpinned", () => {
        assert.deepStrictEqual(validate(rule("docker-image-pinned")), []);
    });
});
