// datadog-exercise: one `pulumi up` builds the whole Datadog demo environment for a stack.
//
// Data flows one way: stack config is read and validated once (components/config), then the
// typed object is handed to the top-level components, which register every resource. The platform
// key picks where the containers run: one Docker host, or a Kubernetes cluster; the Datadog side
// (Observability) is the same for both.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config/stackConfig";
import { forecastLines } from "./components/datadog/forecast";
import { Observability } from "./components/datadog/observability";
import type * as DockerPlatform from "./components/docker/dockerHost";
import type * as KubernetesPlatform from "./components/kubernetes/kubernetesCluster";
import type * as OperatorPlan from "./components/kubernetes/operatorPlan";

// Throws, listing every problem, before any resource is registered.
const config = loadStackConfig();

const observability = new Observability("datadog", {
    datadog: config.datadog,
    env: config.env,
    // On Kubernetes my_metric's host is the node, not known here: the dashboard shows every host of the env.
    hostname: config.kubernetes ? "*" : config.hostname,
    monitor: config.monitor,
    service: config.service,
    apm: config.apm,
    trafficRequestsPerSecond: config.trafficRequestsPerSecond,
    timezone: config.timezone,
    downtimeStartDate: config.downtimeStartDate,
});

// When each monitor will fire, at preview and up (components/datadog/forecast.ts).
const forecast = forecastLines({
    scenario: config.scenario.name,
    metric: config.scenario.myMetric && { ...config.scenario.myMetric, intervalSeconds: config.checkIntervalSeconds },
    monitor: {
        windowMinutes: config.monitor.evaluationWindowMinutes,
        aggregation: config.monitor.timeAggregation,
        warning: config.monitor.warningThreshold,
        critical: config.monitor.criticalThreshold,
        warningRecovery: config.monitor.warningRecovery,
        criticalRecovery: config.monitor.criticalRecovery,
        noDataMinutes: config.monitor.noDataMinutes,
    },
    latencyP95CriticalMs: config.apm.latencyP95CriticalMs,
    errorRateCriticalPercent: config.apm.errorRateCriticalPercent,
});
for (const line of forecast.info) pulumi.log.info(line);
for (const line of forecast.warn) pulumi.log.warn(line);

export const dashboardUrl = observability.dashboard.url;
export const monitorUrl = observability.monitor.url;
export const serviceDashboardUrl = observability.serviceDashboard.url;

// Each platform's components are loaded by its function alone: a Docker stack never loads the
// Kubernetes SDK, and a Kubernetes stack none of the Docker containers' code.
/* eslint-disable @typescript-eslint/no-require-imports */
function onDocker() {
    const { DockerHost }: typeof DockerPlatform = require("./components/docker/dockerHost");
    const host = new DockerHost("host", {
        env: config.env,
        hostname: config.hostname,
        hostTags: config.hostTags,
        datadog: { apiKey: config.datadog.apiKey, site: config.datadog.site },
        agentImage: config.agentImage,
        postgresImage: config.postgresImage,
        checkIntervalSeconds: config.checkIntervalSeconds,
        app: { service: config.service, version: config.appVersion, port: config.appPort, bindAddress: config.appBindAddress },
        postgresHostPort: config.postgresHostPort,
        trafficRequestsPerSecond: config.trafficRequestsPerSecond,
        scenario: config.scenario,
    });
    return {
        // Where the app is reached from this machine (components/config reads docker:host / DOCKER_HOST);
        // appTunnel, set only for an app on a remote Docker host's loopback, is the ssh command to run first
        // (null otherwise: the engine warns on every run about a top-level output that is undefined).
        appUrl: config.appUrl,
        appTunnel: config.appTunnel ?? null,
        networkName: host.networkName,
        containerNames: {
            agent: host.agent.containerName,
            postgres: host.postgres.containerName,
            app: host.app.containerName,
            ...(host.traffic ? { traffic: host.traffic.containerName } : {}),
        },
    };
}

function onKubernetes(k: NonNullable<typeof config.kubernetes>) {
    const { KubernetesCluster }: typeof KubernetesPlatform = require("./components/kubernetes/kubernetesCluster");
    const { resolveOperator }: typeof OperatorPlan = require("./components/kubernetes/operatorPlan");
    // Install the Datadog Operator, or use the cluster's: decided from what the cluster holds (operatorPlan.ts).
    const cluster = resolveOperator(k).then(
        (operator) =>
            new KubernetesCluster("cluster", {
                env: config.env,
                namespace: k.namespace,
                hostTags: config.hostTags,
                datadog: { apiKey: config.datadog.apiKey, appKey: config.datadog.appKey, site: config.datadog.site },
                agentImage: config.agentImage,
                postgresImage: config.postgresImage,
                checkIntervalSeconds: config.checkIntervalSeconds,
                app: { service: config.service, version: config.appVersion, port: config.appPort, image: k.appImage, imageRegistry: k.appImageRegistry },
                trafficRequestsPerSecond: config.trafficRequestsPerSecond,
                operator: { install: operator.install, chartPath: k.operatorChart, stack: config.stack },
                skipAwait: k.skipAwait,
                scenario: config.scenario,
            }),
    );
    // The app is reached through `kubectl port-forward` (appTunnel), then on this machine's port.
    return { appUrl: `http://localhost:${config.appPort}`, appTunnel: pulumi.output(cluster.then((c) => c.portForward)), namespace: pulumi.output(cluster.then((c) => c.namespace)) };
}

/* eslint-enable @typescript-eslint/no-require-imports */

// Each platform's own outputs are null on the other (an undefined top-level output makes the engine warn).
const platform: Record<string, unknown> = config.kubernetes ? onKubernetes(config.kubernetes) : onDocker();
export const appUrl = platform.appUrl;
export const appTunnel = platform.appTunnel;
export const networkName = platform.networkName ?? null;
export const containerNames = platform.containerNames ?? null;
export const namespace = platform.namespace ?? null;
