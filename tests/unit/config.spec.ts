import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CONFIG_KEYS, ConfigError, DECLARED_KEYS, loadStackConfig, StackConfig } from "../../components/config/stackConfig";
import { API_KEY, APP_KEY, PROJECT, resolve, runProgram, validConfig } from "./harness";

function source(overrides: Record<string, string | undefined> = {}, opts: { stack?: string; secret?: boolean; env?: Record<string, string> } = {}) {
    const values: Record<string, string | undefined> = { ...validConfig(), ...overrides };
    return { stack: opts.stack ?? "dev", get: (k: string) => values[k], isSecret: () => opts.secret ?? true, env: (name: string) => opts.env?.[name] };
}

function problemsFor(overrides: Record<string, string | undefined>, opts: { stack?: string; secret?: boolean } = {}): string[] {
    try {
        loadStackConfig(source(overrides, opts));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return [...e.problems];
    }
    assert.fail("the config was accepted");
}

const key = (k: string) => `${PROJECT}:${k}`;

describe("stack config: defaults", () => {
    let config: StackConfig;
    before(() => {
        config = loadStackConfig(source());
    });

    it("accepts the postgres image from other registries, any major from 15 on", () => {
        for (const image of ["postgres:15", "docker.io/library/postgres:17.6", "public.ecr.aws/docker/library/postgres:16.10-alpine3.22", "registry.example.com:5000/mirror/postgres:18.0"]) {
            assert.equal(loadStackConfig(source({ [key("postgresImage")]: image })).postgresImage, image);
        }
    });

    it("takes the documented defaults from Pulumi.yaml", () => {
        assert.equal(config.datadog.site, "datadoghq.com");
        assert.equal(config.checkIntervalSeconds, 45);
        assert.deepEqual(
            [config.monitor.warningThreshold, config.monitor.criticalThreshold, config.monitor.evaluationWindowMinutes, config.monitor.noDataMinutes],
            [500, 800, 5, 10],
        );
        assert.equal(config.timezone, "America/Los_Angeles");
        assert.equal(config.appPort, 5050);
        assert.equal(config.postgresHostPort, undefined);
        assert.match(config.agentImage, /^gcr\.io\/datadoghq\/agent:7\.\d+\.\d+$/);
        assert.match(config.postgresImage, /^postgres:\d+\.\d+/);
    });

    it("defaults env to the stack name and hostname to <env>-exercise-host", () => {
        const prod = loadStackConfig(source({}, { stack: "prod" }));
        assert.equal(prod.env, "prod");
        assert.equal(prod.hostname, "prod-exercise-host");
        const custom = loadStackConfig(source({ [key("env")]: "staging" }, { stack: "prod" }));
        assert.equal(custom.hostname, "staging-exercise-host");
    });

    it("derives the provider's apiUrl and the web app URL from site", () => {
        const eu = loadStackConfig(source({ [key("site")]: "datadoghq.eu" }));
        assert.equal(eu.datadog.apiUrl, "https://api.datadoghq.eu/");
        assert.equal(eu.datadog.appUrl, "https://app.datadoghq.eu");
        const us5 = loadStackConfig(source({ [key("site")]: "us5.datadoghq.com" }));
        assert.equal(us5.datadog.apiUrl, "https://api.us5.datadoghq.com/");
        assert.equal(us5.datadog.appUrl, "https://us5.datadoghq.com");
    });

    it("knows the UK1 and US2-FED sites, with their web apps", () => {
        const uk1 = loadStackConfig(source({ [key("site")]: "uk1.datadoghq.com" })).datadog;
        assert.deepEqual([uk1.apiUrl, uk1.appUrl], ["https://api.uk1.datadoghq.com/", "https://uk1.datadoghq.com"]);
        const us2 = loadStackConfig(source({ [key("site")]: "us2.ddog-gov.com" })).datadog;
        assert.deepEqual([us2.apiUrl, us2.appUrl], ["https://api.us2.ddog-gov.com/", "https://us2.ddog-gov.com"]);
    });

    it("lets datadog:apiUrl replace the site's API endpoint, and keeps the site's web app for links", () => {
        const c = loadStackConfig(source({ "datadog:apiUrl": "https://dd-proxy.example.com:8443/", [key("site")]: "datadoghq.eu" }));
        assert.equal(c.datadog.apiUrl, "https://dd-proxy.example.com:8443/");
        assert.equal(c.datadog.appUrl, "https://app.datadoghq.eu");
    });

    it("accepts an http:// apiUrl on a loopback host", () => {
        for (const url of ["http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:8080"]) {
            assert.equal(loadStackConfig(source({ "datadog:apiUrl": url })).datadog.apiUrl, url);
        }
    });

    it("writes an env's '_' as '-' in the default hostname, where '_' is not allowed", () => {
        assert.equal(loadStackConfig(source({ [key("env")]: "qa_1" })).hostname, "qa-1-exercise-host");
    });

    it("accepts host tags whose key only starts like a reserved one", () => {
        const c = loadStackConfig(source({ [key("hostTags")]: '["environment:lab","hosting:onprem","team:env"]' }));
        assert.deepEqual(c.hostTags, ["environment:lab", "hosting:onprem", "team:env"]);
    });

    it("parses numbers and lists from their config strings", () => {
        const c = loadStackConfig(
            source({
                [key("warningThreshold")]: "450",
                [key("criticalThreshold")]: "950",
                [key("hostTags")]: '["team:se","purpose:demo"]',
                [key("postgresHostPort")]: "15432",
            }),
        );
        assert.equal(c.monitor.warningThreshold, 450);
        assert.equal(c.monitor.criticalThreshold, 950);
        assert.deepEqual(c.hostTags, ["team:se", "purpose:demo"]);
        assert.equal(c.postgresHostPort, 15432);
    });

    it("accepts IANA zones that Intl files under another name", () => {
        for (const tz of ["Asia/Kolkata", "Etc/UTC", "UTC", "America/Port-au-Prince", "Europe/Kyiv"]) {
            assert.equal(loadStackConfig(source({ [key("timezone")]: tz })).timezone, tz);
        }
    });

    it("keeps the Datadog keys as secrets", async () => {
        const c = loadStackConfig(source());
        assert.equal(await pulumi.isSecret(c.datadog.apiKey), true);
        assert.equal(await pulumi.isSecret(c.datadog.appKey), true);
        assert.equal(await resolve(c.datadog.apiKey), API_KEY);
        assert.equal(await resolve(c.datadog.appKey), APP_KEY);
    });

    it("returns a frozen object", () => {
        assert.ok(Object.isFrozen(config));
        assert.ok(Object.isFrozen(config.monitor));
        assert.ok(Object.isFrozen(config.hostTags));
        assert.throws(() => {
            (config.monitor as { criticalThreshold: number }).criticalThreshold = 1;
        }, TypeError);
    });
});

describe("stack config: where the app is reached", () => {
    const access = (overrides: Record<string, string>, env: Record<string, string> = {}) => {
        const c = loadStackConfig(source(Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.includes(":") ? k : key(k), v])), { env }));
        return [c.appUrl, c.appTunnel];
    };

    it("publishes the app on the Docker host's loopback by default, reached at localhost", () => {
        assert.equal(loadStackConfig(source()).appBindAddress, "127.0.0.1");
        assert.deepEqual(access({}), ["http://localhost:5050", undefined]);
    });

    it("takes a daemon on a unix socket or a loopback tcp:// address as local", () => {
        assert.deepEqual(access({ appBindAddress: "0.0.0.0" }, { DOCKER_HOST: "unix:///var/run/docker.sock" }), ["http://localhost:5050", undefined]);
        assert.deepEqual(access({}, { DOCKER_HOST: "tcp://127.0.0.1:2375" }), ["http://localhost:5050", undefined]);
    });

    it("gives a remote daemon's host (DOCKER_HOST) when the app listens on every interface", () => {
        assert.deepEqual(access({ appBindAddress: "0.0.0.0" }, { DOCKER_HOST: "tcp://docker.example.com:2376" }), ["http://docker.example.com:5050", undefined]);
        assert.deepEqual(access({ appBindAddress: "::", appPort: "8080" }, { DOCKER_HOST: "tcp://[2001:db8::5]:2376" }), ["http://[2001:db8::5]:8080", undefined]);
    });

    it("reads docker:host before DOCKER_HOST, as the docker provider does", () => {
        const url = access({ appBindAddress: "0.0.0.0", "docker:host": "ssh://ops@build-1.example.com" }, { DOCKER_HOST: "tcp://other.example.com:2376" })[0];
        assert.equal(url, "http://build-1.example.com:5050");
    });

    it("gives the ssh tunnel to open, and the local URL it serves, for an app on a remote daemon's loopback", () => {
        assert.deepEqual(access({}, { DOCKER_HOST: "ssh://ops@build-1.example.com:2222" }), ["http://localhost:5050", "ssh -N -L 5050:127.0.0.1:5050 ops@build-1.example.com -p 2222"]);
        assert.deepEqual(access({ appBindAddress: "::1" }, { DOCKER_HOST: "tcp://docker.example.com:2376" }), ["http://localhost:5050", "ssh -N -L 5050:[::1]:5050 docker.example.com"]);
    });

    it("gives the bound address itself when it is a given interface", () => {
        assert.deepEqual(access({ appBindAddress: "10.0.0.5" }, { DOCKER_HOST: "tcp://docker.example.com:2376" }), ["http://10.0.0.5:5050", undefined]);
        assert.deepEqual(access({ appBindAddress: "192.168.1.20" }), ["http://192.168.1.20:5050", undefined]);
        assert.deepEqual(access({ appBindAddress: "::1" }), ["http://[::1]:5050", undefined]);
    });
});

describe("stack config: Pulumi.yaml declares every key", () => {
    const projectFile = parseYaml(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));

    it("names the project datadog-exercise", () => {
        assert.equal(projectFile.name, "datadog-exercise");
    });

    it("gives every key a default, so the CLI never stops a stack before the program lists its problems", () => {
        const withoutDefault = Object.entries(projectFile.config as Record<string, { default?: unknown }>)
            .filter(([, d]) => d.default === undefined)
            .map(([k]) => k);
        assert.deepEqual(withoutDefault, []);
    });

    it("accepts the Agent 7 image from every registry that agentImage's description names", () => {
        const registries = ["gcr.io/datadoghq", "eu.gcr.io/datadoghq", "asia.gcr.io/datadoghq", "public.ecr.aws/datadog", "registry.datadoghq.com", "datadog", "docker.io/datadog"];
        const named = DECLARED_KEYS.agentImage.description.split(/[\s,():]+/).map((w) => w.replace(/\/$/, ""));
        for (const registry of registries) {
            assert.ok(named.includes(registry), `the description names ${registry}`);
            const image = `${registry}/agent:7.77.1-jmx`;
            assert.equal(loadStackConfig(source({ [key("agentImage")]: image })).agentImage, image);
        }
    });

    // CONFIG_KEYS are the keys the schema validates; Pulumi.yaml gives the defaults. A key in one
    // and not the other would be either never read or never checked.
    it("declares exactly the project keys the program validates", () => {
        const projectKeys = CONFIG_KEYS.filter((k) => !["apiKey", "appKey", "apiUrl"].includes(k));
        assert.deepEqual(Object.keys(projectFile.config).sort(), [...projectKeys].sort());
    });

    it("gives every project key a type and a description", () => {
        for (const [k, d] of Object.entries(projectFile.config as Record<string, { type: string; description?: string }>)) {
            assert.ok(["string", "integer", "boolean", "array"].includes(d.type), `${k} has type ${d.type}`);
            assert.ok((d.description ?? "").length > 20, `${k} needs a description`);
        }
    });

    it("has stack files that pass validation with the secrets and a downtime date added", () => {
        for (const stack of ["dev", "prod", "k8s"]) {
            const stackFile = parseYaml(fs.readFileSync(path.join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8"));
            const values: Record<string, string> = { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY, [key("downtimeStartDate")]: "2099-12-01" };
            for (const [k, v] of Object.entries(stackFile.config as Record<string, unknown>)) {
                values[k] = typeof v === "string" ? v : JSON.stringify(v);
            }
            assert.equal(stackFile.config[key("downtimeStartDate")], undefined, `Pulumi.${stack}.yaml commits a downtime date, which passes`);
            const c = loadStackConfig({ stack, get: (k) => values[k], isSecret: () => true });
            assert.equal(c.env, stack);
        }
    });
});

describe("stack config: bad input", () => {
    const cases: { title: string; overrides: Record<string, string | undefined>; expect: RegExp }[] = [
        { title: "a missing notifyEmail", overrides: { [key("notifyEmail")]: undefined }, expect: /^datadog-exercise:notifyEmail = \(not set\): is required but not set; it must be an e-mail address such as you@example\.com\. Fix: pulumi config set notifyEmail / },
        { title: "a missing API key", overrides: { "datadog:apiKey": undefined }, expect: /^datadog:apiKey = \(not set\): is required but not set; it must be a Datadog API key: 32 hexadecimal characters\. Fix: pulumi config set --secret datadog:apiKey/ },
        { title: "a malformed app key, without echoing it", overrides: { "datadog:appKey": "not-a-key" }, expect: /^datadog:appKey = \[secret, 9 characters\]: must be a Datadog application key: 40 hexadecimal characters/ },
        { title: "a non-number threshold", overrides: { [key("warningThreshold")]: "lots" }, expect: /^datadog-exercise:warningThreshold = "lots": must be a whole number from 0 to 1000/ },
        { title: "warning equal to critical", overrides: { [key("warningThreshold")]: "800" }, expect: /^datadog-exercise:warningThreshold = "800": must be lower than criticalThreshold \(800\)/ },
        { title: "warning above critical", overrides: { [key("warningThreshold")]: "900", [key("criticalThreshold")]: "850" }, expect: /warningThreshold = "900": must be lower than criticalThreshold \(850\)/ },
        { title: "a negative threshold", overrides: { [key("warningThreshold")]: "-5" }, expect: /^datadog-exercise:warningThreshold = "-5": must not be negative/ },
        { title: "a critical threshold my_metric can never reach", overrides: { [key("criticalThreshold")]: "1200" }, expect: /criticalThreshold = "1200": must be at most 1000: my_metric never goes higher/ },
        { title: "noDataMinutes below twice the window", overrides: { [key("evaluationWindowMinutes")]: "10", [key("noDataMinutes")]: "15" }, expect: /^datadog-exercise:noDataMinutes = "15": must be at least twice evaluationWindowMinutes \(20\)/ },
        { title: "a check interval of 0 s, which the Agent's scheduler refuses", overrides: { [key("checkIntervalSeconds")]: "0" }, expect: /^datadog-exercise:checkIntervalSeconds = "0": must be a whole number from 1 to 3600/ },
        { title: "a fractional check interval", overrides: { [key("checkIntervalSeconds")]: "45.5" }, expect: /checkIntervalSeconds = "45\.5": must be a whole number from 1 to 3600/ },
        { title: "an invalid e-mail", overrides: { [key("notifyEmail")]: "ops-at-example" }, expect: /^datadog-exercise:notifyEmail = "ops-at-example": must be an e-mail address/ },
        { title: "an unknown timezone", overrides: { [key("timezone")]: "Mars/Olympus_Mons" }, expect: /^datadog-exercise:timezone = "Mars\/Olympus_Mons": must be an IANA time zone/ },
        { title: "a zone in the wrong case", overrides: { [key("timezone")]: "america/los_angeles" }, expect: /^datadog-exercise:timezone = "america\/los_angeles": must be spelled as the IANA database spells it, with its capitals: America\/Los_Angeles/ },
        { title: "a zone in lower case that Intl renames", overrides: { [key("timezone")]: "asia/kolkata" }, expect: /^datadog-exercise:timezone = "asia\/kolkata": must be spelled as the IANA database spells it, with its capitals: Asia\/Kolkata\. / },
        { title: "a missing downtime start date, saying what is allowed", overrides: { [key("downtimeStartDate")]: undefined }, expect: /^datadog-exercise:downtimeStartDate = \(not set\): is required but not set; it must be a calendar date YYYY-MM-DD/ },
        { title: "localhost as the hostname", overrides: { [key("hostname")]: "localhost" }, expect: /^datadog-exercise:hostname = "localhost": must not be a local name/ },
        { title: "localhost.localdomain as the hostname", overrides: { [key("hostname")]: "localhost.localdomain" }, expect: /hostname = "localhost.localdomain": must not be a local name/ },
        { title: "a fixed offset the IANA database keeps, as the policy pack refuses it", overrides: { [key("timezone")]: "Etc/GMT+2" }, expect: /^datadog-exercise:timezone = "Etc\/GMT\+2": is a UTC offset, which ignores daylight saving/ },
        { title: "a zone abbreviation", overrides: { [key("timezone")]: "PST" }, expect: /timezone = "PST": must be an IANA time zone/ },
        { title: "a legacy abbreviation the IANA database keeps, a fixed UTC-5", overrides: { [key("timezone")]: "EST" }, expect: /^datadog-exercise:timezone = "EST": must be an IANA time zone such as America\/Los_Angeles/ },
        { title: "a bad hostname", overrides: { [key("hostname")]: "my_host!" }, expect: /^datadog-exercise:hostname = "my_host!": must be a lowercase DNS hostname/ },
        { title: "a bad tag", overrides: { [key("hostTags")]: '["team:se","Not A Tag"]' }, expect: /^datadog-exercise:hostTags\[1\] = "Not A Tag": must be a lowercase 'key:value' tag.*Fix: pulumi config set --path 'hostTags\[1\]' team:se$/ },
        { title: "an env tag among the host tags, which would put the host in another env", overrides: { [key("hostTags")]: '["team:se","env:prod"]' }, expect: /^datadog-exercise:hostTags\[1\] = "env:prod": must not use the reserved key 'env': the env key sets it \(DD_ENV\); another env here would put this host under that env's monitor and downtimes\. Fix: / },
        { title: "a host tag among the host tags", overrides: { [key("hostTags")]: '["host:other"]' }, expect: /^datadog-exercise:hostTags\[0\] = "host:other": must not use the reserved key 'host'/ },
        { title: "a service tag among the host tags", overrides: { [key("hostTags")]: '["service:shop"]' }, expect: /^datadog-exercise:hostTags\[0\] = "service:shop": must not use the reserved key 'service'/ },
        { title: "a version tag among the host tags", overrides: { [key("hostTags")]: '["version:2"]' }, expect: /^datadog-exercise:hostTags\[0\] = "version:2": must not use the reserved key 'version'/ },
        { title: "tags that are not a list", overrides: { [key("hostTags")]: "team:se" }, expect: /^datadog-exercise:hostTags = "team:se": must be a list of 'key:value' strings/ },
        { title: "a port out of range", overrides: { [key("appPort")]: "70000" }, expect: /^datadog-exercise:appPort = "70000": must be a whole number from 1 to 65535/ },
        { title: "an env Docker and Datadog reject", overrides: { [key("env")]: "Dev Env" }, expect: /^datadog-exercise:env = "Dev Env": must start with a lowercase letter/ },
        { title: "a stack name that is not a valid env", overrides: {}, expect: /^datadog-exercise:env = "Bad_Stack" \(default: the stack name\): must start with a lowercase letter.*Fix: pulumi config set env dev$/ },
        // env, service and appVersion become Kubernetes label values and Docker labels: one rule, each bad shape.
        { title: "an appVersion with '+' (build metadata), which a label value cannot hold", overrides: { [key("appVersion")]: "2.4.1+build.7" }, expect: /^datadog-exercise:appVersion = "2\.4\.1\+build\.7": must be a version such as 1\.0\.0 or 2\.4\.1-build\.7: .*\(no '\+'\).*Kubernetes label value/ },
        { title: "an appVersion ending in '-'", overrides: { [key("appVersion")]: "1.0.0-" }, expect: /^datadog-exercise:appVersion = "1\.0\.0-": must be a version/ },
        { title: "an appVersion ending in '.'", overrides: { [key("appVersion")]: "1.0." }, expect: /^datadog-exercise:appVersion = "1\.0\.": must be a version/ },
        { title: "an appVersion starting with '_'", overrides: { [key("appVersion")]: "_1.0" }, expect: /^datadog-exercise:appVersion = "_1\.0": must be a version/ },
        { title: "an appVersion longer than 50 characters", overrides: { [key("appVersion")]: `1.${"0".repeat(49)}` }, expect: /^datadog-exercise:appVersion = "1\.0+": must be a version/ },
        { title: "a service ending in '-'", overrides: { [key("service")]: "shop-" }, expect: /^datadog-exercise:service = "shop-": must start with a lowercase letter, .* end with a letter or digit: it becomes a Kubernetes label value/ },
        { title: "a service ending in '.'", overrides: { [key("service")]: "shop." }, expect: /^datadog-exercise:service = "shop\.": must start with a lowercase letter/ },
        { title: "a service ending in '_'", overrides: { [key("service")]: "shop_" }, expect: /^datadog-exercise:service = "shop_": must start with a lowercase letter/ },
        { title: "a service with a space", overrides: { [key("service")]: "my shop" }, expect: /^datadog-exercise:service = "my shop": must start with a lowercase letter/ },
        { title: "an env ending in '-'", overrides: { [key("env")]: "dev-" }, expect: /^datadog-exercise:env = "dev-": must start with a lowercase letter, .* end with a letter or digit/ },
        { title: "an env ending in '.'", overrides: { [key("env")]: "dev." }, expect: /^datadog-exercise:env = "dev\.": must start with a lowercase letter/ },
        { title: "an unknown site", overrides: { [key("site")]: "datadog.com" }, expect: /^datadog-exercise:site = "datadog.com": must be one of datadoghq\.com, /},
        { title: "a postgres image on :latest", overrides: { [key("postgresImage")]: "postgres:latest" }, expect: /^datadog-exercise:postgresImage = "postgres:latest": must be the postgres image \(or a registry path ending in \/postgres\) with a version tag of PostgreSQL 15 or later, e\.g\. postgres:17\.6-bookworm: the init script needs psql 15's \\getenv\. Fix: pulumi config set postgresImage postgres:17\.6-bookworm$/ },
        { title: "an image that is not PostgreSQL", overrides: { [key("postgresImage")]: "mysql:8.0" }, expect: /^datadog-exercise:postgresImage = "mysql:8\.0": must be the postgres image/ },
        { title: "a PostgreSQL older than 15, whose psql has no \\getenv", overrides: { [key("postgresImage")]: "postgres:14.19-bookworm" }, expect: /^datadog-exercise:postgresImage = "postgres:14\.19-bookworm": must be the postgres image/ },
        { title: "another image with a PostgreSQL-like version", overrides: { [key("postgresImage")]: "node:22.20" }, expect: /^datadog-exercise:postgresImage = "node:22\.20": must be the postgres image/ },
        { title: "a look-alike image name", overrides: { [key("postgresImage")]: "bitnami/postgresql:17.6" }, expect: /^datadog-exercise:postgresImage = "bitnami\/postgresql:17\.6": must be the postgres image/ },
        { title: "an Agent 6 image", overrides: { [key("agentImage")]: "gcr.io/datadoghq/agent:6.53.0" }, expect: /^datadog-exercise:agentImage = "gcr.io\/datadoghq\/agent:6.53.0": must be a Datadog Agent 7 image/ },
        { title: "an Agent image that is not Datadog's", overrides: { [key("agentImage")]: "example.com/agent:7.77.1" }, expect: /agentImage = "example.com\/agent:7.77.1": must be a Datadog Agent 7 image/ },
        { title: "a fractional threshold, which Pulumi.yaml declares an integer", overrides: { [key("criticalThreshold")]: "800.5" }, expect: /criticalThreshold = "800.5": must be a whole number from 0 to 1000/ },
        { title: "a postgres image without a tag", overrides: { [key("postgresImage")]: "postgres" }, expect: /^datadog-exercise:postgresImage = "postgres": must be the postgres image/ },
        { title: "a date that does not exist", overrides: { [key("downtimeStartDate")]: "2026-02-30" }, expect: /^datadog-exercise:downtimeStartDate = "2026-02-30": must be a calendar date YYYY-MM-DD/ },
        { title: "an http:// apiUrl off loopback", overrides: { "datadog:apiUrl": "http://api.example.com/" }, expect: /^datadog:apiUrl = "http:\/\/api\.example\.com\/": must be an http\(s\) URL such as https:\/\/api\.datadoghq\.eu\/ \(http:\/\/ only for a loopback host\)\. Fix: pulumi config set datadog:apiUrl / },
        { title: "a malformed apiUrl", overrides: { "datadog:apiUrl": "api.datadoghq.com" }, expect: /^datadog:apiUrl = "api\.datadoghq\.com": must be an http\(s\) URL/ },
        { title: "a host name as the app's bind address", overrides: { [key("appBindAddress")]: "localhost" }, expect: /^datadog-exercise:appBindAddress = "localhost": must be an IPv4 or IPv6 address of the Docker host: 127\.0\.0\.1 \(that host only\) or 0\.0\.0\.0 \(every interface\)\. Fix: pulumi config set appBindAddress 127\.0\.0\.1$/ },
        { title: "a network as the app's bind address", overrides: { [key("appBindAddress")]: "0.0.0.0/0" }, expect: /^datadog-exercise:appBindAddress = "0\.0\.0\.0\/0": must be an IPv4 or IPv6 address/ },
        { title: "an error-rate threshold of 100 %, which no window can exceed", overrides: { [key("errorRateCriticalPercent")]: "100" }, expect: /^datadog-exercise:errorRateCriticalPercent = "100": must be a whole number from 1 to 99/ },
        { title: "a latency warning at the critical latency", overrides: { [key("latencyP95WarningMs")]: "1000" }, expect: /^datadog-exercise:latencyP95WarningMs = "1000": must be lower than latencyP95CriticalMs \(1000\)/ },
        { title: "an SLO window Datadog does not offer", overrides: { [key("sloTimeframe")]: "14d" }, expect: /^datadog-exercise:sloTimeframe = "14d": must be one of 7d, 30d, 90d/ },
        { title: "more traffic than the demo host should carry", overrides: { [key("trafficRequestsPerSecond")]: "500" }, expect: /^datadog-exercise:trafficRequestsPerSecond = "500": must be a whole number from 0 to 50/ },
        { title: "the Postgres port on the app's port", overrides: { [key("postgresHostPort")]: "5050" }, expect: /postgresHostPort = "5050": must differ from appPort \(5050\)/ },
    ];

    for (const c of cases) {
        it(`rejects ${c.title}`, () => {
            const stack = c.title.startsWith("a stack name") ? "Bad_Stack" : "dev";
            const problems = problemsFor(c.overrides, { stack });
            assert.ok(
                problems.some((p) => c.expect.test(p)),
                `no problem matches ${c.expect}:\n${problems.join("\n")}`,
            );
            assert.ok(problems.every((p) => / Fix: /.test(p)), "every problem says how to fix it");
        });
    }

    it("rejects Datadog keys stored in plain text", () => {
        const problems = problemsFor({}, { secret: false });
        assert.deepEqual(
            problems.map((p) => p.split(":").slice(0, 2).join(":")),
            ["datadog:apiKey = [plain text]", "datadog:appKey = [plain text]"],
        );
        assert.ok(problems.every((p) => !p.includes(API_KEY) && !p.includes(APP_KEY)));
    });

    it("lists every problem at once, in one error", () => {
        let message = "";
        try {
            loadStackConfig(
                source({
                    [key("notifyEmail")]: "nope",
                    [key("timezone")]: "Nowhere/City",
                    [key("warningThreshold")]: "900",
                    [key("checkIntervalSeconds")]: "0",
                    [key("appPort")]: "0",
                }),
            );
        } catch (e) {
            message = (e as Error).message;
        }
        assert.match(message, /^Invalid stack config for stack 'dev' \(5 problems\):/);
        for (const k of ["notifyEmail", "timezone", "warningThreshold", "checkIntervalSeconds", "appPort"]) {
            assert.match(message, new RegExp(`\\n  - datadog-exercise:${k} = `));
        }
    });

    it("checks the rules across keys even when a required key is missing", () => {
        const problems = problemsFor({ [key("notifyEmail")]: undefined, [key("warningThreshold")]: "900" });
        assert.deepEqual(
            problems.map((p) => p.split(" = ")[0]),
            ["datadog-exercise:notifyEmail", "datadog-exercise:warningThreshold"],
        );
    });

    it("rejects plain-text keys in a real program run, where the CLI lists its secret keys", async () => {
        const plain = await runProgram({ secretKeys: [] });
        assert.match(plain.error?.message ?? "", /datadog:apiKey = \[plain text\]/);
        assert.match(plain.error?.message ?? "", /datadog:appKey = \[plain text\]/);
        assert.equal(plain.resources.length, 0);
    });

    it("does not guess plain text when the CLI passes no list of secret keys", async () => {
        const run = await runProgram({ secretKeys: null });
        assert.equal(run.error, undefined);
        assert.ok(run.resources.length > 20);
    });

    it("fails the program before any resource is registered", async () => {
        const run = await runProgram({ config: { [key("criticalThreshold")]: "abc", [key("notifyEmail")]: undefined } });
        assert.ok(run.error instanceof Error);
        assert.match(run.error.message, /criticalThreshold = "abc"/);
        assert.match(run.error.message, /notifyEmail = \(not set\)/);
        assert.equal(run.resources.length, 0);
    });
});
