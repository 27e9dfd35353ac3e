// platform: kubernetes under the real engine: the CLI, the kubernetes plugin 4.25.0 and a real
// kube-apiserver + etcd (kubeApiServer.ts, one control plane per suite run, fresh), with the
// Datadog API stand-in. What the API server stored is read back through its REST API.
import * as assert from "assert";
import { DatadogApiStandIn, Json } from "./datadogApi";
import { API_KEY, APP_KEY, RunResult, Stack, Toolchain, dateInDays, findToolchain } from "./harness";
import { checkCluster } from "../../deploy/clusterPreflight";
import { platformPreflight } from "../../deploy/preflight";
import { ControlPlane, OPERATOR_CHART_TGZ, findK8sToolchain } from "./kubeApiServer";
import { agentWatchScope } from "../../components/kubernetes/operatorPlan";

const toolchain = findToolchain();
const k8sToolchain = typeof toolchain === "string" ? { skip: toolchain } : findK8sToolchain();
const skip = typeof k8sToolchain === "string" ? undefined : k8sToolchain.skip;
if (skip) console.log(skip);
const describeK8s = skip ? describe.skip : describe;
const PROJECT = "datadog-exercise";

interface Env {
    stack: Stack;
    api: DatadogApiStandIn;
}

async function setUp(name: string, cp: ControlPlane, config: Record<string, string>): Promise<Env> {
    const api = await DatadogApiStandIn.start({ apiKey: API_KEY, appKey: APP_KEY });
    const stack = await Stack.create(name, toolchain as Toolchain);
    // The kubernetes plugin comes from the k8s toolchain; the cluster only from kubernetes:kubeconfig.
    Object.assign(stack.env, { PATH: `${cp.toolchain}:${stack.env.PATH}` });
    delete stack.env.KUBECONFIG;
    await stack.configure(
        {
            "datadog:apiUrl": api.url,
            "kubernetes:kubeconfig": cp.kubeconfig,
            [`${PROJECT}:platform`]: "kubernetes",
            [`${PROJECT}:skipAwait`]: "true",
            [`${PROJECT}:appImage`]: "registry.example.com/exercise-app:1.0.0",
            [`${PROJECT}:downtimeStartDate`]: dateInDays(30),
            ...config,
        },
        { "datadog:apiKey": API_KEY, "datadog:appKey": APP_KEY },
    );
    return { stack, api };
}

interface Step {
    op: string;
    urn: string;
    type: string;
}
async function previewSteps(stack: Stack, ...args: string[]): Promise<{ code: number; steps: Step[]; out: string }> {
    const r = await stack.run("preview", "--json", ...args);
    const out = JSON.parse(r.stdout) as { steps?: Json[] };
    return { code: r.code, out: r.stdout + r.stderr, steps: (out.steps ?? []).map((s) => ({ op: s.op, urn: s.urn, type: (s.newState ?? s.oldState)?.type })) };
}
const changed = (steps: Step[]) => steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type} ${s.urn.split("::").at(-1)}`);

describeK8s("platform kubernetes under the real engine, against a real kube-apiserver", function () {
    this.timeout(300_000);
    let cp: ControlPlane;
    let dev: Env;
    let prod: Env;
    /** A third stack that leaves installOperator at its default (auto): it only previews. */
    let qa: Env;
    const ns = (env: string) => `${env}-exercise`;
    const apps = (env: string, kind: string, name: string) => `/apis/apps/v1/namespaces/${ns(env)}/${kind}/${name}`;
    const core = (env: string, kind: string, name = "") => `/api/v1/namespaces/${ns(env)}/${kind}${name ? `/${name}` : ""}`;
    const ddaPath = (env: string) => `/apis/datadoghq.com/v2alpha1/namespaces/${ns(env)}/datadogagents/${env}-datadog`;
    /** The Operator's objects that env installed (its release's label), each as resourceVersion and field managers. */
    const operatorObjects = async (env: string): Promise<Record<string, string>> => {
        const selector = `?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${env}-datadog-operator`)}`;
        const lists = await Promise.all(
            [
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                `/apis/apps/v1/namespaces/${ns(env)}/deployments`,
                `/api/v1/namespaces/${ns(env)}/serviceaccounts`,
            ].map((p) => cp.get(p + selector)),
        );
        const crb = await cp.get(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${env}-datadog-operator`);
        const seen = (o: Json) => `${o.metadata.resourceVersion} ${(o.metadata.managedFields ?? []).map((m: Json) => `${m.manager}/${m.operation}`).join(",")}`;
        const kinds = ["CustomResourceDefinition", "ClusterRole", "Deployment", "ServiceAccount"];
        return Object.fromEntries([...lists.flatMap((l, i) => l.items.map((o: Json) => [`${kinds[i]} ${o.metadata.name}`, seen(o)])), [`ClusterRoleBinding ${crb.metadata.name}`, seen(crb)]]);
    };
    let devOperatorBefore: Record<string, string>;

    before(async () => {
        const started = Date.now();
        cp = await ControlPlane.start(k8sToolchain as string);
        console.log(`      control plane ready in ${cp.readyMs} ms (kube-up.sh), ${Date.now() - started} ms with the harness`);
        [dev, prod, qa] = await Promise.all([
            setUp("dev", cp, { [`${PROJECT}:operatorChart`]: OPERATOR_CHART_TGZ }),
            setUp("prod", cp, { [`${PROJECT}:installOperator`]: "false" }),
            setUp("qa", cp, { [`${PROJECT}:notifyEmail`]: "qa@example.com" }),
        ]);
    });
    after(async () => {
        for (const e of [dev, prod, qa]) if (e) {
            await e.api.close();
            e.stack.remove();
        }
        await cp?.stop();
    });

    it("preview plans the namespace, the Operator chart from operatorChart, the DatadogAgent and the workloads, and nothing fails", async () => {
        const p = await previewSteps(dev.stack);
        assert.strictEqual(p.code, 0, p.out);
        const types = new Set(p.steps.map((s) => s.type));
        for (const t of [
            "kubernetes:core/v1:Namespace",
            "kubernetes:helm.sh/v4:Chart",
            "kubernetes:datadoghq.com/v2alpha1:DatadogAgent",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:Deployment",
            "datadog:index/monitor:Monitor",
        ]) {
            assert.ok(types.has(t), `${t} not in ${[...types].join(", ")}`);
        }
    });

    it("up creates every object in the API server", async () => {
        await dev.stack.ok("up", "--yes", "--skip-preview");
        const crd = await cp.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/datadogagents.datadoghq.com");
        assert.ok(crd.spec.versions.some((v: Json) => v.name === "v2alpha1"));
        const op = await cp.get(`/apis/apps/v1/namespaces/${ns("dev")}/deployments`);
        assert.ok(op.items.some((d: Json) => /datadog-operator/.test(d.metadata.name)), "the Operator's Deployment");
    });

    it("the Operator as stored: its Deployment's env makes it watch every namespace's DatadogAgents; its cluster-wide names are dev's own; its CRDs name their owner", async () => {
        const op = await cp.get(apps("dev", "deployments", "dev-datadog-operator"));
        const env = op.spec.template.spec.containers.find((c: Json) => c.name === "datadog-operator").env as Json[];
        // The chart's default, its own namespace, for the other controllers; "" for DatadogAgents: every namespace.
        assert.deepEqual(env.find((e) => e.name === "WATCH_NAMESPACE")?.valueFrom, { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } });
        const agentScope = env.find((e) => e.name === "DD_AGENT_WATCH_NAMESPACE");
        assert.ok(agentScope && (agentScope.value ?? "") === "" && !agentScope.valueFrom, JSON.stringify(agentScope));
        assert.equal(agentWatchScope(op), "all");
        for (const kind of ["clusterroles", "clusterrolebindings"]) {
            const names = (await cp.get(`/apis/rbac.authorization.k8s.io/v1/${kind}`)).items.map((i: Json) => i.metadata.name).filter((n: string) => /datadog/.test(n));
            assert.deepEqual(names, ["dev-datadog-operator"], kind);
        }
        const crd = await cp.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/datadogagents.datadoghq.com");
        assert.deepEqual([crd.metadata.annotations["datadog-exercise/namespace"], crd.metadata.annotations["datadog-exercise/stack"]], ["dev-exercise", "dev"]);
    });

    it("the deploy command's cluster preflight: the real API server answers through the kubeconfig's CA and client certificate", async () => {
        assert.strictEqual(await checkCluster({ kubeconfig: cp.kubeconfig, env: {} }), undefined);
        assert.match((await checkCluster({ kubeconfig: cp.kubeconfig, context: "other", env: {} })) ?? "", /context 'other' .* names no cluster \(contexts: kube-up\)/);
    });

    it("the DatadogAgent as stored: credentials from a Secret, site, clusterName, tags, the four features, the check's ConfigMaps, the secret backend's one Secret", async () => {
        const spec = (await cp.get(ddaPath("dev"))).spec;
        assert.deepStrictEqual(spec.global.credentials, {
            apiSecret: { secretName: "dev-datadog-credentials", keyName: "api-key" },
            appSecret: { secretName: "dev-datadog-credentials", keyName: "app-key" },
        });
        assert.strictEqual(spec.global.site, "datadoghq.com");
        assert.strictEqual(spec.global.clusterName, "dev-exercise");
        assert.deepStrictEqual(spec.global.tags, ["team:solutions-engineering", "purpose:demo"]);
        assert.deepStrictEqual(spec.global.secretBackend, {
            command: "/readsecret_multiple_providers.sh",
            enableGlobalPermissions: false,
            roles: [{ namespace: "dev-exercise", secrets: ["dev-postgres-passwords"] }],
        });
        assert.strictEqual(spec.features.apm.enabled, true);
        assert.deepStrictEqual(spec.features.logCollection, { enabled: true, containerCollectAll: false });
        assert.strictEqual(spec.features.admissionController.enabled, true);
        assert.strictEqual(spec.features.admissionController.mutateUnlabelled, false);
        assert.deepStrictEqual(spec.override.nodeAgent.extraChecksd, { configMap: { name: "dev-datadog-checksd" } });
        assert.deepStrictEqual(spec.override.nodeAgent.extraConfd, { configMap: { name: "dev-datadog-confd" } });
        const confd = await cp.get(core("dev", "configmaps", "dev-datadog-confd"));
        assert.deepStrictEqual(Object.keys(confd.data), ["custom_my_metric.yaml"]);
        assert.match(confd.data["custom_my_metric.yaml"], /min_collection_interval: 45/);
        const credentials = await cp.get(core("dev", "secrets", "dev-datadog-credentials"));
        assert.strictEqual(Buffer.from(credentials.data["api-key"], "base64").toString(), API_KEY);
    });

    it("the PostgreSQL StatefulSet's annotations: the Docker label's instance, its password an ENC[k8s_secret@...] reference to a Secret that holds it", async () => {
        const sts = await cp.get(apps("dev", "statefulsets", "dev-postgres"));
        const annotations = sts.spec.template.metadata.annotations;
        const check = JSON.parse(annotations["ad.datadoghq.com/postgres.checks"]);
        const [instance] = check.postgres.instances;
        assert.strictEqual(instance.password, "ENC[k8s_secret@dev-exercise/dev-postgres-passwords/DATADOG_DB_PASSWORD]");
        assert.strictEqual(instance.dbm, true);
        assert.deepStrictEqual(instance.tags, ["env:dev", "service:postgres"]);
        assert.strictEqual(JSON.parse(annotations["ad.datadoghq.com/postgres.logs"])[0].source, "postgresql");
        const secret = await cp.get(core("dev", "secrets", "dev-postgres-passwords"));
        assert.strictEqual(Buffer.from(secret.data.DATADOG_DB_PASSWORD, "base64").toString().length, 32);
        const headless = await cp.get(core("dev", "services", "dev-postgres"));
        assert.strictEqual(headless.spec.clusterIP, "None");
    });

    it("the app's labels: unified service tagging on the Deployment and its pods, the admission controller's opt-in on the pods", async () => {
        const d = await cp.get(apps("dev", "deployments", "dev-exercise-app"));
        const ust = { "tags.datadoghq.com/env": "dev", "tags.datadoghq.com/service": "exercise-app", "tags.datadoghq.com/version": "1.0.0" };
        for (const labels of [d.metadata.labels, d.spec.template.metadata.labels]) {
            for (const [k, v] of Object.entries(ust)) assert.strictEqual(labels[k], v, k);
        }
        assert.strictEqual(d.spec.template.metadata.labels["admission.datadoghq.com/enabled"], "true");
        assert.strictEqual(d.metadata.labels["admission.datadoghq.com/enabled"], undefined);
    });

    it("no secret value is inlined: every password and key is in a Secret, referenced by the workloads, absent from everything else stored", async () => {
        const secrets = (await cp.get(core("dev", "secrets"))).items as Json[];
        const values = secrets.flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v as string, "base64").toString()));
        assert.ok(values.includes(API_KEY) && values.filter((v) => v.length === 32).length >= 4, "the keys and the three passwords are in Secrets");
        const others = JSON.stringify([
            await cp.get(core("dev", "configmaps")),
            await cp.get(`/apis/apps/v1/namespaces/${ns("dev")}/deployments`),
            await cp.get(`/apis/apps/v1/namespaces/${ns("dev")}/statefulsets`),
            await cp.get(core("dev", "services")),
            await cp.get(ddaPath("dev")),
        ]);
        for (const v of values) assert.ok(!others.includes(v), "a secret value is stored outside a Secret");
        const app = await cp.get(apps("dev", "deployments", "dev-exercise-app"));
        const pg = app.spec.template.spec.containers[0].env.find((e: Json) => e.name === "PGPASSWORD");
        assert.deepStrictEqual(pg, { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "dev-postgres-passwords", key: "APP_DB_PASSWORD" } } });
    });

    // Three independent chains, side by side (each stack has its own backend): dev's drift checks, then
    // its appVersion change; prod's up (same cluster, dev's Operator), then a threshold change; a bad DatadogAgent's up.
    describe("after up: no drift, a second stack, a bad DatadogAgent, a change on each stack", () => {
        let drift: RunResult[];
        let prodUp: RunResult;
        let badUp: RunResult;
        let bad: Stack;
        let threshold: { code: number; steps: Step[]; out: string };
        let version: { code: number; steps: Step[]; out: string };
        let versionUp: RunResult;
        const qaPreviews: { badVersion?: RunResult; install?: RunResult; auto?: { code: number; steps: Step[]; out: string } } = {};

        before(async () => {
            const program = [
                'import * as k8s from "@pulumi/kubernetes";',
                "const dda = (name: string, spec: object) => new k8s.apiextensions.CustomResource(name, {",
                '    apiVersion: "datadoghq.com/v2alpha1", kind: "DatadogAgent", metadata: { name, namespace: "dev-exercise" }, spec,',
                "});",
                'dda("bad-type", { features: { apm: { enabled: "yes" } } });',
                'dda("bad-field", { features: { apm: { enabled: true } }, notAField: 1 });',
            ].join("\n");
            bad = await Stack.create("bad", toolchain as Toolchain, {}, {
                "Pulumi.yaml": "name: bad-dda\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: --require tsx/cjs\n",
                "index.ts": program,
                "package.json": JSON.stringify({ name: "bad-dda", main: "index.ts" }),
            });
            Object.assign(bad.env, { PATH: `${cp.toolchain}:${bad.env.PATH}` });
            delete bad.env.KUBECONFIG;
            await bad.configure({ "kubernetes:kubeconfig": cp.kubeconfig });
            const devChain = async () => {
                drift = [await dev.stack.run("preview", "--expect-no-changes"), await dev.stack.run("refresh", "--yes", "--expect-no-changes")];
                await dev.stack.configure({ [`${PROJECT}:appVersion`]: "1.1.0" });
                version = await previewSteps(dev.stack);
                versionUp = await dev.stack.run("up", "--yes", "--skip-preview");
            };
            const prodChain = async () => {
                prodUp = await prod.stack.run("up", "--yes", "--skip-preview");
                await prod.stack.configure({ [`${PROJECT}:criticalThreshold`]: "950" });
                threshold = await previewSteps(prod.stack);
            };
            const badChain = async () => {
                badUp = await bad.run("up", "--yes", "--skip-preview");
            };
            // qa: a version the API server would refuse; then installOperator true; then the default (auto).
            const qaChain = async () => {
                await qa.stack.configure({ [`${PROJECT}:appVersion`]: "2.4.1+build.7" });
                qaPreviews.badVersion = await qa.stack.run("preview");
                await qa.stack.configure({ [`${PROJECT}:appVersion`]: "1.0.0", [`${PROJECT}:installOperator`]: "true" });
                qaPreviews.install = await qa.stack.run("preview");
                await qa.stack.run("config", "rm", `${PROJECT}:installOperator`);
                qaPreviews.auto = await previewSteps(qa.stack);
            };
            devOperatorBefore = await operatorObjects("dev");
            await Promise.all([devChain(), prodChain(), badChain(), qaChain()]);
        });
        after(() => bad?.remove());

        it("no drift: preview --expect-no-changes and refresh --expect-no-changes after up", () => {
            for (const r of drift) assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        });

        it("the CRD's own schema rejects a bad DatadogAgent field, and the server's message reaches the user at up", async () => {
            assert.notStrictEqual(badUp.code, 0);
            const out = badUp.stdout + badUp.stderr;
            const refused = (name: string) => `"urn:pulumi:bad::bad-dda::kubernetes:datadoghq.com/v2alpha1:DatadogAgent::${name}" was not successfully created by the Kubernetes API server: `;
            assert.ok(out.includes(`${refused("bad-type")}`) && /DatadogAgent::bad-type" was not successfully created .*\.spec\.features\.apm\.enabled: expected boolean/.test(out), out);
            assert.ok(out.includes(`${refused("bad-field")}`) && /DatadogAgent::bad-field" was not successfully created .*\.spec\.notAField: field not declared in schema/.test(out), out);
            for (const name of ["bad-type", "bad-field"]) {
                assert.strictEqual((await cp.request("GET", `/apis/datadoghq.com/v2alpha1/namespaces/dev-exercise/datadogagents/${name}`)).status, 404);
            }
        });

        it("two stacks in one cluster: prod (installOperator false) uses dev's Operator, in its own namespace, and no name clashes", async () => {
            assert.strictEqual(prodUp.code, 0, prodUp.stdout + prodUp.stderr);
            const spec = (await cp.get(ddaPath("prod"))).spec;
            assert.strictEqual(spec.global.credentials.apiSecret.secretName, "prod-datadog-credentials");
            const names = async (env: string) =>
                (await Promise.all(["configmaps", "secrets", "services"].map((k) => cp.get(core(env, k)))))
                    .concat(await Promise.all(["deployments", "statefulsets"].map((k) => cp.get(`/apis/apps/v1/namespaces/${ns(env)}/${k}`))))
                    .flatMap((l) => l.items.map((i: Json) => i.metadata.name as string))
                    .filter((n) => n !== "kube-root-ca.crt");
            const prodNames = await names("prod");
            assert.ok(prodNames.length >= 8 && prodNames.every((n) => n.startsWith("prod-")), prodNames.join(", "));
            assert.ok(!(await names("dev")).some((n) => n.startsWith("prod-")));
        });

        it("the Operator's objects are untouched by prod's up (it uses dev's) and by qa's previews: same resourceVersion, same field managers", async () => {
            assert.deepEqual(await operatorObjects("dev"), devOperatorBefore);
            assert.ok(Object.keys(devOperatorBefore).length >= 12, Object.keys(devOperatorBefore).join(", "));
        });

        it("a third stack at the default (auto) uses dev's Operator: its preview plans its DatadogAgent and no chart", () => {
            const p = qaPreviews.auto!;
            assert.equal(p.code, 0, p.out);
            assert.ok(p.steps.some((s) => s.type === "kubernetes:datadoghq.com/v2alpha1:DatadogAgent"), p.out);
            assert.deepEqual(p.steps.filter((s) => /helm|DatadogOperator/.test(s.type ?? "")), []);
        });

        it("installOperator true on a cluster that runs dev's Operator: preview refuses, naming the owner and the fix, with no stack trace", () => {
            const r = qaPreviews.install!;
            assert.notEqual(r.code, 0);
            const out = r.stdout + r.stderr;
            assert.ok(out.includes("installOperator is true, but the cluster already runs the Datadog Operator, installed by stack 'dev' of datadog-exercise (namespace dev-exercise)."), out);
            assert.ok(out.includes("Fix: pulumi config set installOperator auto (this stack then uses that Operator; it must watch qa-exercise)"), out);
            assert.doesNotMatch(out, /\n\s+at .*\(.*:\d+:\d+\)/);
        });

        it("appVersion 2.4.1+build.7, which no label value can hold: preview refuses it in the config error, before anything is planned", () => {
            const r = qaPreviews.badVersion!;
            assert.notEqual(r.code, 0);
            const out = r.stdout + r.stderr;
            assert.match(out, /datadog-exercise:appVersion = "2\.4\.1\+build\.7": must be a version such as 1\.0\.0 or 2\.4\.1-build\.7: .*\(no '\+'\)/);
            assert.doesNotMatch(out, /\+\s+create/);
        });

        it("a changed threshold updates only the my_metric monitor", () => {
            assert.strictEqual(threshold.code, 0, threshold.out);
            assert.deepStrictEqual(changed(threshold.steps), ["update datadog:index/monitor:Monitor datadog-my-metric-monitor"]);
        });

        it("a changed appVersion rolls only the app's Deployment, and the API server stores the new version", async () => {
            assert.deepStrictEqual(changed(version.steps), ["update kubernetes:apps/v1:Deployment cluster-app-deployment"]);
            assert.strictEqual(versionUp.code, 0, versionUp.stdout + versionUp.stderr);
            const d = await cp.get(apps("dev", "deployments", "dev-exercise-app"));
            assert.strictEqual(d.spec.template.metadata.labels["tags.datadoghq.com/version"], "1.1.0");
        });
    });

    describe("destroy", () => {
        /** The deploy command's preflight of `npm run deploy -- destroy <stack>` against this cluster: its refusal, or "". */
        const destroyPreflight = (stack: string) =>
            platformPreflight({
                projectDir: "",
                stack,
                command: "destroy",
                env: {},
                stackFile: { "datadog-exercise:platform": "kubernetes", "kubernetes:kubeconfig": cp.kubeconfig },
            }).then(
                () => "",
                (e: Error) => e.message,
            );

        it("the deploy command refuses to destroy the stack that installed the Operator while another stack's DatadogAgent uses it, naming it; not the stack that uses it", async () => {
            assert.strictEqual(
                await destroyPreflight("dev"),
                "Cannot destroy stack 'dev': it installed the cluster's Datadog Operator and its CRDs, which the DatadogAgents prod-exercise/prod-datadog still use; " +
                    "destroying it would delete the CRDs, and those DatadogAgents with them.\n" +
                    "  Fix: destroy the stacks of those namespaces first (npm run deploy -- destroy <stack>), then this one. Nothing was changed.",
            );
            assert.strictEqual(await destroyPreflight("prod"), "");
        });

        it("destroy deletes every object, requests the namespace's deletion, and leaves no Datadog object", async () => {
            // prod first: dev's destroy removes the Operator and its CRDs, which prod's DatadogAgent needs.
            await prod.stack.ok("destroy", "--yes");
            assert.deepEqual(await operatorObjects("dev"), devOperatorBefore, "prod's destroy changed dev's Operator");
            assert.strictEqual(await destroyPreflight("dev"), "", "with prod gone, nothing uses dev's Operator");
            await dev.stack.ok("destroy", "--yes");
            for (const env of ["dev", "prod"]) {
                for (const p of [ddaPath(env), apps(env, "statefulsets", `${env}-postgres`), apps(env, "deployments", `${env}-exercise-app`), core(env, "secrets", `${env}-postgres-passwords`)]) {
                    assert.strictEqual((await cp.request("GET", p)).status, 404, p);
                }
                const n = await cp.request("GET", `/api/v1/namespaces/${ns(env)}`);
                assert.ok(n.status === 404 || n.body.metadata.deletionTimestamp, `namespace ${ns(env)}: deletion requested`);
            }
            for (const e of [dev, prod]) {
                assert.deepStrictEqual([e.api.monitors.size, e.api.dashboards.size, e.api.slos.size, e.api.downtimes.size], [0, 0, 0, 0]);
            }
            assert.deepStrictEqual([...(await dev.stack.resources()), ...(await prod.stack.resources())], []);
        });
    });
});
