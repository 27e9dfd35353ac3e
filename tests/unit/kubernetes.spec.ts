// platform: kubernetes under Pulumi mocks: what each Kubernetes component registers. A mock
// accepts anything; tests/engine/kubernetes.spec.ts is where a real kube-apiserver judges it.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ConfigError, loadStackConfig } from "../../components/config/stackConfig";
import { agentWatchScope, OperatorRefusal, planOperator } from "../../components/kubernetes/operatorPlan";
import { API_KEY, APP_KEY, PROJECT, plainStrings, ProgramRun, runProgram, T, validConfig } from "./harness";

const K = {
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    chart: "kubernetes:helm.sh/v4:Chart",
    datadogAgent: "kubernetes:datadoghq.com/v2alpha1:DatadogAgent",
} as const;
const key = (k: string) => `${PROJECT}:${k}`;

// The program reads the cluster at preview (operatorPlan.ts): a stand-in API server answers it. Under
// /empty, a cluster with no Datadog Operator; under /dev-operator, one with dev's (every namespace watched).
const devOperator = {
    crd: { metadata: { name: "datadogagents.datadoghq.com", annotations: { "datadog-exercise/namespace": "dev-exercise", "datadog-exercise/stack": "dev" } } },
    deployment: {
        metadata: { name: "dev-datadog-operator", namespace: "dev-exercise", annotations: { "datadog-exercise/namespace": "dev-exercise", "datadog-exercise/stack": "dev" } },
        spec: { template: { spec: { containers: [{ name: "datadog-operator", env: [{ name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }, { name: "DD_AGENT_WATCH_NAMESPACE" }] }] } } },
    },
};
const cluster = http.createServer((req, res) => {
    const [, which, ...rest] = (req.url ?? "").split("/");
    const apiPath = `/${rest.join("/")}`;
    const has = which === "dev-operator";
    res.setHeader("content-type", "application/json");
    if (apiPath.startsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/datadogagents.datadoghq.com") && has) res.end(JSON.stringify(devOperator.crd));
    else if (apiPath.startsWith("/apis/apps/v1/deployments?")) res.end(JSON.stringify({ items: has ? [devOperator.deployment] : [] }));
    else res.writeHead(404).end("{}");
});
let clusterPort = 0;
before(async () => {
    await new Promise<void>((r) => cluster.listen(0, "127.0.0.1", r));
    clusterPort = (cluster.address() as net.AddressInfo).port;
});
after(() => cluster.close());
const kubeconfig = (which: "empty" | "dev-operator") =>
    [
        "apiVersion: v1",
        `clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${clusterPort}/${which}" } }]`,
        "users: [{ name: u, user: {} }]",
        "contexts: [{ name: fake, context: { cluster: c, user: u } }]",
        "current-context: fake",
    ].join("\n");
const onKubernetes = (extra: Record<string, string | undefined> = {}) => ({
    [key("platform")]: "kubernetes",
    [key("appImage")]: "registry.example.com/team/exercise-app:2.0.0",
    "kubernetes:kubeconfig": kubeconfig(extra[key("installOperator")] === "false" ? "dev-operator" : "empty"),
    ...extra,
});
const k8sObjects = (run: ProgramRun) => run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== K.chart);

describe("platform kubernetes (mocks)", () => {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await runProgram({ config: onKubernetes({ [key("hostTags")]: '["team:k8s"]', [key("site")]: "datadoghq.eu", [key("checkIntervalSeconds")]: "20" }) });
        prod = await runProgram({ stack: "prod", config: onKubernetes({ [key("installOperator")]: "false" }) });
    });

    it("registers no Docker resource, and every Kubernetes object in the env's namespace, named after the env", () => {
        assert.equal(dev.error, undefined);
        assert.deepEqual(dev.resources.filter((r) => r.type.startsWith("docker:")), []);
        assert.equal(dev.get(K.namespace, "cluster-namespace").inputs.metadata.name, "dev-exercise");
        const namespaced = k8sObjects(dev).filter((r) => r.type !== K.namespace);
        assert.equal(namespaced.length, 11); // 2 Secrets, 3 ConfigMaps, 2 Services, the StatefulSet, 2 Deployments, the DatadogAgent
        for (const r of namespaced) {
            assert.equal(r.inputs.metadata.namespace, "dev-exercise", r.name);
            assert.match(r.inputs.metadata.name, /^dev-/, r.name);
        }
        const prodNames = new Set(k8sObjects(prod).map((r) => r.inputs.metadata.name));
        assert.deepEqual(k8sObjects(dev).filter((r) => prodNames.has(r.inputs.metadata.name)), []);
    });

    it("installs the Operator from Datadog's repository at the pinned chart version, or from operatorChart, or not at all", async () => {
        const chart = dev.get(K.chart, "cluster-operator-chart").inputs;
        assert.deepEqual([chart.chart, chart.version, chart.repositoryOpts], ["datadog-operator", "2.25.0", { repo: "https://helm.datadoghq.com" }]);
        assert.equal(chart.namespace, "dev-exercise");
        const local = path.join(os.tmpdir(), "datadog-operator-test.tgz");
        fs.writeFileSync(local, "");
        const fromFile = await runProgram({ config: onKubernetes({ [key("operatorChart")]: local }) });
        assert.deepEqual([fromFile.get(K.chart, "cluster-operator-chart").inputs.chart, fromFile.get(K.chart, "cluster-operator-chart").inputs.version], [local, undefined]);
        assert.deepEqual(prod.ofType(K.chart), []);
        assert.ok(dev.get(K.datadogAgent, "cluster-agent-resource").dependencies.some((u) => u.endsWith("cluster-operator-chart")));
    });

    it("the Operator's release is the stack's own (<env>-datadog-operator: its ClusterRole and ClusterRoleBinding), watches every namespace's DatadogAgents, and names its owner on its CRDs and Deployment", () => {
        const chart = dev.get(K.chart, "cluster-operator-chart").inputs;
        assert.equal(chart.name, "dev-datadog-operator");
        assert.deepEqual(chart.values.watchNamespacesAgent, [""]);
        assert.equal(chart.values.watchNamespaces, undefined);
        const owner = { "datadog-exercise/namespace": "dev-exercise", "datadog-exercise/stack": "dev" };
        assert.deepEqual(chart.values.datadogCRDs.crds.annotations, owner);
        assert.deepEqual(chart.values.deployment.annotations, owner);
        assert.equal(chart.values.installCRDs, true);
    });

    it("the DatadogAgent: credentials from the Secret, site, clusterName, hostTags, the four features, the check's ConfigMaps, the secret backend's Secret", () => {
        const dda = dev.get(K.datadogAgent, "cluster-agent-resource").inputs;
        assert.equal(dda.apiVersion, "datadoghq.com/v2alpha1");
        assert.deepEqual(dda.spec.global.credentials, {
            apiSecret: { secretName: "dev-datadog-credentials", keyName: "api-key" },
            appSecret: { secretName: "dev-datadog-credentials", keyName: "app-key" },
        });
        assert.deepEqual([dda.spec.global.site, dda.spec.global.clusterName, dda.spec.global.tags], ["datadoghq.eu", "dev-exercise", ["team:k8s"]]);
        assert.deepEqual(dda.spec.global.env, [{ name: "DD_ENV", value: "dev" }]);
        assert.deepEqual(dda.spec.global.secretBackend.roles, [{ namespace: "dev-exercise", secrets: ["dev-postgres-passwords"] }]);
        assert.equal(dda.spec.global.secretBackend.enableGlobalPermissions, false);
        assert.deepEqual(dda.spec.features.logCollection, { enabled: true, containerCollectAll: false });
        assert.equal(dda.spec.features.apm.enabled, true);
        assert.deepEqual([dda.spec.features.admissionController.enabled, dda.spec.features.admissionController.mutateUnlabelled], [true, false]);
        assert.ok(dda.spec.features.dogstatsd);
        assert.equal(dda.spec.override.nodeAgent.image.name, "gcr.io/datadoghq/agent:7.84.6");
        assert.deepEqual(dda.spec.override.nodeAgent.extraChecksd, { configMap: { name: "dev-datadog-checksd" } });
        assert.deepEqual(dda.spec.override.nodeAgent.extraConfd, { configMap: { name: "dev-datadog-confd" } });
    });

    it("the check's ConfigMaps have flat keys: the check from container-src, the interval from checkIntervalSeconds", () => {
        const checksd = dev.get(K.configMap, "cluster-agent-checksd").inputs.data;
        const confd = dev.get(K.configMap, "cluster-agent-confd").inputs.data;
        assert.deepEqual(Object.keys(checksd), ["custom_my_metric.py"]);
        assert.equal(checksd["custom_my_metric.py"], fs.readFileSync(path.join(__dirname, "../../container-src/agent/checks.d/custom_my_metric.py"), "utf8"));
        assert.deepEqual(Object.keys(confd), ["custom_my_metric.yaml"]);
        assert.match(confd["custom_my_metric.yaml"], /min_collection_interval: 20\n/);
        for (const cm of dev.ofType(K.configMap)) for (const k of Object.keys(cm.inputs.data)) assert.doesNotMatch(k, /\//);
    });

    it("PostgreSQL: the Docker label's instance in the pod's annotation, its password an ENC[k8s_secret@...] reference, the init scripts from a ConfigMap", async () => {
        const docker = await runProgram();
        const label = JSON.parse(docker.get(T.container, "host-postgres-container").inputs.labels.find((l: { label: string }) => l.label === "com.datadoghq.ad.checks").value);
        const sts = dev.get(K.statefulSet, "cluster-postgres-statefulset").inputs;
        const annotations = sts.spec.template.metadata.annotations;
        const check = JSON.parse(annotations["ad.datadoghq.com/postgres.checks"]);
        assert.equal(check.postgres.instances[0].password, "ENC[k8s_secret@dev-exercise/dev-postgres-passwords/DATADOG_DB_PASSWORD]");
        label.postgres.instances[0].password = check.postgres.instances[0].password;
        assert.deepEqual(check, label);
        assert.ok(annotations["ad.datadoghq.com/postgres.logs"]);
        assert.equal(sts.spec.template.spec.containers[0].name, "postgres");
        const files = dev.get(K.configMap, "cluster-postgres-files").inputs.data;
        assert.deepEqual(Object.keys(files).sort(), ["10-datadog-user.sh", "20-app-user.sh", "postgresql.conf"]);
        assert.equal(dev.get(K.service, "cluster-postgres-service").inputs.spec.clusterIP, "None");
        assert.equal(sts.spec.serviceName, "dev-postgres");
    });

    it("the app: unified service tagging on the Deployment and its pods, the admission label on its pods, appImage, the DB password from the Secret", () => {
        const d = dev.get(K.deployment, "cluster-app-deployment").inputs;
        const ust = { "tags.datadoghq.com/env": "dev", "tags.datadoghq.com/service": "exercise-app", "tags.datadoghq.com/version": "1.0.0" };
        for (const labels of [d.metadata.labels, d.spec.template.metadata.labels]) for (const [k, v] of Object.entries(ust)) assert.equal(labels[k], v);
        assert.equal(d.spec.template.metadata.labels["admission.datadoghq.com/enabled"], "true");
        const container = d.spec.template.spec.containers[0];
        assert.equal(container.image, "registry.example.com/team/exercise-app:2.0.0");
        const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
        assert.deepEqual(env.PGPASSWORD.valueFrom, { secretKeyRef: { name: "dev-postgres-passwords", key: "APP_DB_PASSWORD" } });
        assert.equal(env.PGHOST.value, "dev-postgres");
        assert.deepEqual(env.DD_VERSION.valueFrom, { fieldRef: { fieldPath: "metadata.labels['tags.datadoghq.com/version']" } });
        const traffic = dev.get(K.deployment, "cluster-traffic-deployment").inputs.spec.template.spec.containers[0];
        assert.equal(traffic.image, container.image);
        assert.deepEqual(traffic.env.find((e: { name: string }) => e.name === "TARGET_URL"), { name: "TARGET_URL", value: "http://dev-exercise-app:5050" });
    });

    it("no key or password in plain text in any Kubernetes object: the Secrets hold them as secrets, nothing else holds them at all", () => {
        const credentials = [API_KEY, APP_KEY, ...dev.passwords];
        assert.equal(dev.passwords.length, 3);
        for (const r of k8sObjects(dev)) {
            for (const s of plainStrings(r.rawInputs)) for (const c of credentials) assert.ok(!s.includes(c), `${r.name} shows a credential in plain text`);
            if (r.type !== K.secret) for (const c of credentials) assert.ok(!JSON.stringify(r.inputs).includes(c), `${r.name} holds a credential`);
        }
        const inSecrets = JSON.stringify(dev.ofType(K.secret).map((s) => s.inputs.stringData));
        for (const c of credentials) assert.ok(inSecrets.includes(c), "a credential is in no Secret (the check above would be vacuous)");
    });

    it("skipAwait puts pulumi.com/skipAwait on the namespace and the workloads, and the Chart's skipAwait; by default neither", async () => {
        const skipping = await runProgram({ config: onKubernetes({ [key("skipAwait")]: "true" }) });
        for (const [type, name] of [
            [K.namespace, "cluster-namespace"],
            [K.statefulSet, "cluster-postgres-statefulset"],
            [K.service, "cluster-postgres-service"],
            [K.deployment, "cluster-app-deployment"],
            [K.service, "cluster-app-service"],
            [K.deployment, "cluster-traffic-deployment"],
        ]) {
            assert.equal(skipping.get(type, name).inputs.metadata.annotations["pulumi.com/skipAwait"], "true", name);
            assert.equal(dev.get(type, name).inputs.metadata.annotations?.["pulumi.com/skipAwait"], undefined, name);
        }
        assert.equal(skipping.get(K.chart, "cluster-operator-chart").inputs.skipAwait, true);
        assert.equal(dev.get(K.chart, "cluster-operator-chart").inputs.skipAwait, false);
    });

    it("exports the namespace and the port-forward command; the Docker outputs are null", () => {
        assert.equal(dev.outputs.namespace, "dev-exercise");
        assert.equal(dev.outputs.appTunnel, "kubectl port-forward --namespace dev-exercise service/dev-exercise-app 5050:5050");
        assert.equal(dev.outputs.appUrl, "http://localhost:5050");
        assert.deepEqual([dev.outputs.networkName, dev.outputs.containerNames], [null, null]);
    });

    it("the same Observability: every Datadog object, the dashboard's host variable on every node (*)", async () => {
        const docker = await runProgram();
        assert.deepEqual(dev.resources.filter((r) => r.type.startsWith("datadog:")).map((r) => r.name).sort(), docker.resources.filter((r) => r.type.startsWith("datadog:")).map((r) => r.name).sort());
        assert.deepEqual(dev.get(T.dashboard, "datadog-timeboard-dashboard").inputs.templateVariables[0].defaults, ["*"]);
    });

    it("takes the live demo's scenario as on Docker: the check's range in its confd ConfigMap, the app's failures in its env", async () => {
        const alert = await runProgram({ config: onKubernetes({ [key("scenario")]: "alert", [key("criticalThreshold")]: "850" }) });
        assert.match(alert.get(K.configMap, "cluster-agent-confd").inputs.data["custom_my_metric.yaml"], /max_value: 1000\n\s+min_value: 851\n|min_value: 851\n\s+max_value: 1000\n/);
        const nodata = await runProgram({ config: onKubernetes({ [key("scenario")]: "nodata" }) });
        assert.match(nodata.get(K.configMap, "cluster-agent-confd").inputs.data["custom_my_metric.yaml"], /submit: false/);
        const errors = await runProgram({ config: onKubernetes({ [key("scenario")]: "errors", [key("errorRateCriticalPercent")]: "30" }) });
        const env = errors.get(K.deployment, "cluster-app-deployment").inputs.spec.template.spec.containers[0].env;
        assert.deepEqual(env.find((e: { name: string }) => e.name === "DEMO_ERROR_PERCENT"), { name: "DEMO_ERROR_PERCENT", value: "40" });
        const calm = dev.get(K.deployment, "cluster-app-deployment").inputs.spec.template.spec.containers[0].env;
        assert.deepEqual(calm.filter((e: { name: string }) => e.name.startsWith("DEMO_")), []);
    });
});

describe("platform keys: validation", () => {
    const load = (overrides: Record<string, string | undefined>, stack = "dev") => {
        const values: Record<string, string | undefined> = { ...validConfig(), ...overrides };
        return loadStackConfig({ stack, get: (k) => values[k], isSecret: () => true });
    };
    const problems = (overrides: Record<string, string | undefined>, stack = "dev"): string[] => {
        try {
            load(overrides, stack);
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            return [...e.problems];
        }
        assert.fail("accepted");
    };

    it("docker stays the default, with no kubernetes part", () => {
        const c = load({});
        assert.deepEqual([c.platform, c.kubernetes], ["docker", undefined]);
    });

    it("kubernetes: the namespace <env>-exercise and the keys' values", () => {
        const c = load({ ...onKubernetes({ [key("skipAwait")]: "true", [key("installOperator")]: "false" }), "kubernetes:kubeconfig": "/k/config", "kubernetes:context": "kind" }, "staging");
        assert.deepEqual(c.kubernetes, {
            namespace: "staging-exercise",
            installOperator: "false",
            cluster: { kubeconfig: "/k/config", context: "kind" },
            operatorChart: undefined,
            skipAwait: true,
            appImage: "registry.example.com/team/exercise-app:2.0.0",
            appImageRegistry: undefined,
        });
    });

    it("lists every platform problem at once, each with its key, its value and the fix", () => {
        const p = problems({
            [key("platform")]: "kubernetes",
            [key("env")]: "dev_1",
            [key("installOperator")]: "false",
            [key("operatorChart")]: "./chart.tgz",
            [key("skipAwait")]: "yes",
        });
        assert.equal(p.length, 4, p.join("\n"));
        assert.match(p[0], /^datadog-exercise:skipAwait = "yes": must be true .* Fix: pulumi config set skipAwait true$/);
        assert.ok(p.some((x) => /^datadog-exercise:env = "dev_1": must be a DNS label .*namespace <env>-exercise\. Fix: pulumi config set env dev$/.test(x)), p.join("\n"));
        assert.ok(p.some((x) => /^datadog-exercise:appImage = \(not set\): is required but not set; it is required with platform kubernetes unless appImageRegistry is set/.test(x)), p.join("\n"));
        assert.ok(p.some((x) => /^datadog-exercise:operatorChart = "\.\/chart\.tgz": must not be set with installOperator false/.test(x)), p.join("\n"));
    });

    it("appImage and appImageRegistry: one of them, not both; a bad platform; a missing chart file", () => {
        assert.match(problems(onKubernetes({ [key("appImageRegistry")]: "registry.example.com/team" })).join("\n"), /appImageRegistry = "registry\.example\.com\/team": must not be set together with appImage/);
        assert.equal(load({ [key("platform")]: "kubernetes", [key("appImageRegistry")]: "registry.example.com/team" }).kubernetes?.appImageRegistry, "registry.example.com/team");
        assert.match(problems({ [key("platform")]: "k8s" }).join("\n"), /platform = "k8s": must be docker .* or kubernetes/);
        assert.match(problems(onKubernetes({ [key("operatorChart")]: "/nonexistent/chart.tgz" })).join("\n"), /operatorChart = "\/nonexistent\/chart\.tgz": must be the path of a local datadog-operator chart/);
        assert.match(problems(onKubernetes({ [key("appImage")]: "Not An Image" })).join("\n"), /appImage = "Not An Image": must be an image reference/);
    });

    it("the env rule only applies on kubernetes: dev_1 stays valid on Docker", () => {
        assert.equal(load({ [key("env")]: "dev_1" }).env, "dev_1");
    });
});

describe("the Operator at preview: install it, use the cluster's, or refuse (operatorPlan.ts)", () => {
    const none = { crd: undefined, deployments: [] };
    const devsCluster = { crd: devOperator.crd.metadata, deployments: [devOperator.deployment] };
    const refusal = (f: () => unknown): string => {
        try {
            f();
        } catch (e) {
            assert.ok(e instanceof OperatorRefusal);
            return e.message;
        }
        assert.fail("not refused");
    };
    const helmOperator = (env: { name: string; value?: string; valueFrom?: object }[]) => ({
        crd: { labels: { "app.kubernetes.io/instance": "datadog-operator" }, annotations: { "meta.helm.sh/release-name": "datadog-operator", "meta.helm.sh/release-namespace": "datadog" } },
        deployments: [
            {
                metadata: { name: "datadog-operator", namespace: "datadog", annotations: { "meta.helm.sh/release-name": "datadog-operator", "meta.helm.sh/release-namespace": "datadog" } },
                spec: { template: { spec: { containers: [{ name: "datadog-operator", env }] } } },
            },
        ],
    });

    it("an empty cluster: auto and true install it; false refuses, naming the fix", () => {
        assert.deepEqual(planOperator("auto", "dev-exercise", none), { install: true });
        assert.deepEqual(planOperator("true", "dev-exercise", none), { install: true });
        assert.match(refusal(() => planOperator("false", "dev-exercise", none)), /^installOperator is false, but the cluster has no Datadog Operator \(no datadogagents\.datadoghq\.com CRD\).*\n {2}Fix: pulumi config set installOperator auto/);
    });

    it("the stack's own Operator: it keeps installing it", () => {
        assert.deepEqual(planOperator("auto", "dev-exercise", devsCluster), { install: true });
        assert.deepEqual(planOperator("true", "dev-exercise", devsCluster), { install: true });
    });

    it("another stack's Operator: auto and false use it; true refuses, naming the owner and the fix", () => {
        assert.deepEqual(planOperator("auto", "prod-exercise", devsCluster), { install: false, uses: "stack 'dev' of datadog-exercise (namespace dev-exercise)" });
        assert.equal(planOperator("false", "prod-exercise", devsCluster).install, false);
        assert.equal(
            refusal(() => planOperator("true", "prod-exercise", devsCluster)),
            [
                "installOperator is true, but the cluster already runs the Datadog Operator, installed by stack 'dev' of datadog-exercise (namespace dev-exercise).",
                "  A second install would take over its CRDs and ClusterRole, and destroying this stack would then delete them under the other stack's DatadogAgents.",
                "  Fix: pulumi config set installOperator auto (this stack then uses that Operator; it must watch prod-exercise)",
            ].join("\n"),
        );
    });

    it("a Helm release's Operator that watches only its own namespace (the chart's default): refused, with the chart value to set", () => {
        const own = helmOperator([{ name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }]);
        assert.deepEqual(agentWatchScope(own.deployments[0]), ["datadog"]);
        const message = refusal(() => planOperator("auto", "prod-exercise", own));
        assert.match(message, /^The cluster's Datadog Operator \(Deployment datadog-operator in namespace datadog, installed by the Helm release 'datadog-operator' in namespace datadog\) watches DatadogAgents in datadog only: this stack's DatadogAgent in prod-exercise would never be reconciled\./);
        assert.match(message, /Fix: let it watch prod-exercise too \(its chart's watchNamespacesAgent/);
        assert.match(refusal(() => planOperator("true", "prod-exercise", own)), /installed by the Helm release 'datadog-operator' in namespace datadog\./);
    });

    it("reads the watch scope as the Operator does: DD_AGENT_WATCH_NAMESPACE over WATCH_NAMESPACE, '' and unset meaning every namespace", () => {
        const scope = (env: { name: string; value?: string; valueFrom?: object }[]) => agentWatchScope(helmOperator(env).deployments[0]);
        assert.equal(scope([]), "all");
        assert.equal(scope([{ name: "WATCH_NAMESPACE" }]), "all");
        assert.deepEqual(scope([{ name: "WATCH_NAMESPACE", value: "a, prod-exercise" }]), ["a", "prod-exercise"]);
        assert.equal(scope([{ name: "WATCH_NAMESPACE", value: "a" }, { name: "DD_AGENT_WATCH_NAMESPACE", value: "" }]), "all");
        assert.deepEqual(scope([{ name: "WATCH_NAMESPACE", value: "" }, { name: "DD_AGENT_WATCH_NAMESPACE", value: "b" }]), ["b"]);
        assert.equal(planOperator("auto", "prod-exercise", helmOperator([{ name: "WATCH_NAMESPACE", value: "datadog,prod-exercise" }])).install, false);
    });
});
