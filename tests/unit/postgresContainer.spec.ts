import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { postgresEnvironment } from "../../components/docker/postgresContainer";
import { envMap, labelMap, PROJECT, ProgramRun, registeredSecretEntries, runProgram, secretEntries, T } from "./harness";

describe("PostgresContainer", () => {
    let run: ProgramRun;
    let pg: Record<string, any>;
    before(async () => {
        run = await runProgram();
        pg = run.get(T.container, "host-postgres-container").inputs;
    });

    it("runs the pinned postgres image with our postgresql.conf", () => {
        assert.equal(run.get(T.remoteImage, "host-postgres-image").inputs.name, "postgres:17.6-bookworm");
        assert.equal(pg.image, "sha256:host-postgres-image");
        assert.deepEqual(pg.command, ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"]);
        const conf: string = pg.uploads.find((u: any) => u.file === "/etc/postgresql/postgresql.conf").content;
        // What Database Monitoring needs of it (the Python suite runs a real server with this file).
        assert.match(conf, /^shared_preload_libraries = 'pg_stat_statements'$/m);
        assert.match(conf, /^port = 5432$/m);
    });

    it("sends the seed's statement logging to stderr, where the Agent collects it", () => {
        const conf: string = pg.uploads.find((u: any) => u.file === "/etc/postgresql/postgresql.conf").content;
        const setting = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*(.+?)\\s*(#.*)?$`, "m").exec(conf)?.[1];
        assert.equal(setting("log_line_prefix"), "'%m [%p] %d %a %u %h %c '");
        assert.equal(setting("log_statement"), "'all'");
        assert.equal(setting("log_destination"), "'stderr'");
        assert.equal(setting("logging_collector"), "off");
        assert.equal(setting("listen_addresses"), "'*'");
    });

    // A password cannot be in a static file; what can go wrong is the script setting one of its
    // own, or reading another variable than the one the container sets (the Python suite runs it).
    it("uploads the init script that creates the datadog role from the env entry the container sets, with no password literal", () => {
        const init = pg.uploads.find((u: any) => u.file === "/docker-entrypoint-initdb.d/10-datadog-user.sh");
        assert.equal(init.permissions, "0755", "world-executable: the entrypoint tests -x as the postgres user");
        assert.ok(envMap(pg.envs).DATADOG_DB_PASSWORD, "the container sets DATADOG_DB_PASSWORD");
        assert.match(init.content, /^\\getenv datadog_pw DATADOG_DB_PASSWORD$/m);
        assert.match(init.content, /^ALTER ROLE datadog WITH LOGIN [^;]*\n\s*PASSWORD :'datadog_pw';$/m);
        assert.deepEqual(init.content.match(/PASSWORD\s+'/gi), null, "no PASSWORD '<literal>'");
        assert.match(init.content, /^GRANT pg_monitor TO datadog;$/m);
    });

    it("keeps its data on a named volume, so it survives a replacement", () => {
        assert.deepEqual(pg.volumes, [{ volumeName: "dev-postgres-data", containerPath: "/var/lib/postgresql/data", readOnly: false }]);
        assert.equal(run.get(T.volume, "host-postgres-data").inputs.name, "dev-postgres-data");
    });

    it("uploads every init script of container-src/postgres, in the order of their names", () => {
        const scripts = fs.readdirSync(path.join(__dirname, "..", "..", "container-src", "postgres")).filter((f) => f.endsWith(".sh")).sort();
        const uploaded = pg.uploads.filter((u: any) => u.file.startsWith("/docker-entrypoint-initdb.d/")).map((u: any) => path.basename(u.file));
        assert.deepEqual(uploaded, scripts);
    });

    it("uploads the init script that creates the app's role from the env entry the container sets, with no password literal", () => {
        const init = pg.uploads.find((u: any) => u.file === "/docker-entrypoint-initdb.d/20-app-user.sh");
        assert.equal(init.permissions, "0755");
        assert.ok(envMap(pg.envs).APP_DB_PASSWORD, "the container sets APP_DB_PASSWORD");
        assert.match(init.content, /^\\getenv app_pw APP_DB_PASSWORD$/m);
        assert.match(init.content, /^ALTER ROLE app WITH LOGIN [^;]*\n\s*PASSWORD :'app_pw';$/m);
        assert.deepEqual(init.content.match(/PASSWORD\s+'/gi), null, "no PASSWORD '<literal>'");
    });

    it("generates the three passwords and passes them as secret env", () => {
        for (const name of ["host-postgres-superuser-password", "host-postgres-datadog-password", "host-postgres-app-password"]) {
            const pw = run.get(T.password, name).inputs;
            assert.equal(pw.length, 32);
            assert.equal(pw.special, false);
        }
        const env = envMap(pg.envs);
        assert.equal(env.POSTGRES_PASSWORD, "pw-host-postgres-superuser-password-Zq8Xw3Lk");
        assert.equal(env.DATADOG_DB_PASSWORD, "pw-host-postgres-datadog-password-Zq8Xw3Lk");
        assert.equal(env.APP_DB_PASSWORD, "pw-host-postgres-app-password-Zq8Xw3Lk");
        assert.equal(env.POSTGRES_USER, "postgres");
        assert.deepEqual(registeredSecretEntries(run.get(T.container, "host-postgres-container").rawInputs.envs), [
            "POSTGRES_PASSWORD",
            "DATADOG_DB_PASSWORD",
            "APP_DB_PASSWORD",
        ]);
    });

    it("makes exactly the three passwords secret, entry by entry, even from plain inputs", async () => {
        assert.deepEqual(await secretEntries(postgresEnvironment("plain-superuser", "plain-datadog", "plain-app")), [
            "POSTGRES_PASSWORD",
            "DATADOG_DB_PASSWORD",
            "APP_DB_PASSWORD",
        ]);
    });

    it("declares the postgres check for Autodiscovery, with the password as an Agent env reference", () => {
        const labels = labelMap(pg.labels);
        assert.deepEqual(JSON.parse(labels["com.datadoghq.ad.checks"]), {
            postgres: {
                init_config: {},
                instances: [
                    {
                        host: "%%host%%",
                        port: 5432,
                        username: "datadog",
                        password: "%%env_DATADOG_DB_PASSWORD%%",
                        dbname: "postgres",
                        dbm: true,
                        tags: ["env:dev", "service:postgres"],
                    },
                ],
            },
        });
    });

    it("declares log collection with source postgresql and a multi-line rule on the prefix's date", () => {
        const logs = JSON.parse(labelMap(pg.labels)["com.datadoghq.ad.logs"]);
        assert.equal(logs.length, 1);
        assert.equal(logs[0].source, "postgresql");
        assert.equal(logs[0].service, "postgres");
        const rule = new RegExp(logs[0].log_processing_rules[0].pattern);
        assert.equal(logs[0].log_processing_rules[0].type, "multi_line");
        assert.ok(rule.test("2026-11-28 04:18:29.123 UTC [42] postgres psql datadog 127.0.0.1 6567a1b2.2a LOG:  statement: SELECT 1"));
        assert.ok(!rule.test("\tFROM pg_stat_activity"));
    });

    it("publishes no port by default", () => {
        assert.deepEqual(pg.ports, []);
    });

    it("publishes 5432 on loopback only when postgresHostPort is set", async () => {
        const published = await runProgram({ config: { [`${PROJECT}:postgresHostPort`]: "15432" } });
        assert.deepEqual(published.get(T.container, "host-postgres-container").inputs.ports, [{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
    });

    it("hands the app role's password to the app, and no other", () => {
        const appEnv = envMap(run.get(T.container, "host-app-container").inputs.envs);
        assert.equal(appEnv.PGPASSWORD, envMap(pg.envs).APP_DB_PASSWORD);
        assert.equal(appEnv.PGUSER, "app");
        assert.deepEqual(
            run.passwords.filter((pw) => Object.values(appEnv).includes(pw)),
            ["pw-host-postgres-app-password-Zq8Xw3Lk"],
        );
    });

    it("hands the datadog password to the Agent, not the superuser's", () => {
        const agentEnv = envMap(run.get(T.container, "host-agent-container").inputs.envs);
        assert.equal(agentEnv.DATADOG_DB_PASSWORD, envMap(pg.envs).DATADOG_DB_PASSWORD);
        assert.ok(!Object.values(agentEnv).includes("pw-host-postgres-superuser-password-Zq8Xw3Lk"));
    });
});
