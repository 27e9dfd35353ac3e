// What the deploy command never does, at the level of the functions that decide it (fast: the
// mutation runner's "deploy" suite). tests/engine/deployNever.spec.ts holds the same promises on
// the real command.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dashboardTitles, PROJECT } from "../../components/config/keys";
import { stackObjects } from "../../deploy/datadog";
import { stackLocks } from "../../deploy/engine";
import { proxyFor } from "../../deploy/proxy";
import { DatadogApiStandIn } from "../engine/datadogApi";
import { API_KEY, APP_KEY } from "./harness";

/** A pid that no process of this host holds: one that has just exited. */
const deadPid = (): number => spawnSync("true").pid!;

describe("deploy command: another host's lock", () => {
    let root: string;
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "locks-"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const writeLock = (stack: string, hostname: string, pid: number) => {
        const dir = path.join(root, ".pulumi", "locks", "organization", PROJECT, stack);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${hostname}.json`), JSON.stringify({ pid, username: "ops", hostname, timestamp: new Date().toISOString() }));
    };

    it("counts a lock of another host as held, even when its pid runs nowhere on this host", () => {
        const pid = deadPid();
        writeLock("dev", "build-host-7", pid);
        const [lock] = stackLocks({ envVars: {}, fileRoot: root }, "dev");
        assert.deepEqual([lock.hostname, lock.pid, lock.otherHost, lock.alive], ["build-host-7", pid, true, true]);
    });

    it("judges a lock of this host by its pid: dead when its process is gone", () => {
        writeLock("prod", os.hostname(), deadPid());
        writeLock("prod", "x", process.pid); // another host's lock with a live local pid: still another host's
        const locks = stackLocks({ envVars: {}, fileRoot: root }, "prod");
        const judged = (host: string) => locks.filter((l) => l.hostname === host).map((l) => [l.otherHost, l.alive]);
        assert.deepEqual(judged(os.hostname()), [[false, false]]);
        assert.deepEqual(judged("x"), [[true, true]]);
    });
});

describe("deploy command: another env's objects, and lists past their first page", () => {
    let api: DatadogApiStandIn;
    const ENVS = ["dev", "dev2", "prod-dev"];
    before(async () => {
        api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
        api.maxPageSize = 2;
        let n = 1;
        for (const env of ENVS) {
            const tags = [`env:${env}`, `project:${PROJECT}`];
            for (const name of ["a", "b", "c"]) api.monitors.set(n, { id: n++, name: `${name} (${env})`, tags });
            for (const title of Object.values(dashboardTitles(env, "web"))) api.dashboards.set(`d-${n}`, { id: `d-${n++}`, title });
            api.slos.set(`s-${n}`, { id: `s-${n++}`, name: `slo (${env})`, tags });
            for (const rrule of ["FREQ=DAILY", "FREQ=WEEKLY"]) {
                api.downtimes.set(`t-${n}`, { id: `t-${n++}`, attributes: { canceled: null, monitor_identifier: { monitor_tags: tags }, schedule: { recurrences: [{ rrule }] } } });
            }
        }
    });
    after(() => api.close());

    for (const env of ENVS) {
        it(`finds every object of env ${env}, on every page, and none of the others'`, async () => {
            const access = { url: api.url, apiKey: API_KEY, appKey: APP_KEY };
            const objects = await stackObjects(access, env, new Set(Object.values(dashboardTitles(env, "web"))));
            const kinds = objects.map((o) => o.type.split(":").pop()).sort();
            assert.deepEqual(kinds, ["Dashboard", "Dashboard", "DowntimeSchedule", "DowntimeSchedule", "Monitor", "Monitor", "Monitor", "ServiceLevelObjective"]);
            const own = (o: (typeof objects)[number]) => o.key.endsWith(`(${env})`) || o.key.includes(`env:${env},`);
            assert.deepEqual(objects.filter((o) => !own(o)), [], "no object of another env");
        });
    }

    it("reads each list a page at a time with the API's paging parameters", () => {
        const lists = api.requests.filter((r) => r.method === "GET").map((r) => r.path);
        for (const p of ["/api/v1/monitor", "/api/v1/dashboard", "/api/v1/slo", "/api/v2/downtime"]) assert.ok(lists.filter((l) => l === p).length > ENVS.length, p);
    });
});

describe("deploy command: the proxy a request goes through", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128", http_proxy: "http://plain:8080", NO_PROXY: "internal.example, .corp.example,127.0.0.1:9999" };

    it("takes HTTPS_PROXY for https://, HTTP_PROXY for http:// and for https:// without HTTPS_PROXY, the lower-case one first, as Node's fetch", () => {
        assert.deepEqual(proxyFor(new URL("https://api.datadoghq.com/"), env), { proxy: "http://proxy:3128", variable: "HTTPS_PROXY" });
        assert.deepEqual(proxyFor(new URL("http://api.datadoghq.com/"), env), { proxy: "http://plain:8080", variable: "http_proxy" });
        assert.deepEqual(proxyFor(new URL("https://api.datadoghq.com/"), { HTTP_PROXY: "http://p:1" }), { proxy: "http://p:1", variable: "HTTP_PROXY" });
        assert.deepEqual(proxyFor(new URL("http://a/"), { HTTP_PROXY: "http://p:1", http_proxy: "http://q:2" }), { proxy: "http://q:2", variable: "http_proxy" });
        assert.equal(proxyFor(new URL("https://api.datadoghq.com/"), {}), undefined);
    });

    it("honours NO_PROXY: a domain and its subdomains, a leading dot, a host:port, *", () => {
        assert.equal(proxyFor(new URL("https://internal.example/"), env), undefined);
        assert.equal(proxyFor(new URL("https://api.internal.example/"), env), undefined);
        assert.equal(proxyFor(new URL("https://dd.corp.example/"), env), undefined);
        assert.equal(proxyFor(new URL("http://127.0.0.1:9999/"), env), undefined);
        assert.ok(proxyFor(new URL("http://127.0.0.1:9998/"), env));
        assert.ok(proxyFor(new URL("https://notinternal.example/"), env));
        assert.equal(proxyFor(new URL("https://api.datadoghq.eu/"), { ...env, NO_PROXY: "*" }), undefined);
    });
});
