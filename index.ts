// datadog-exercise: one `pulumi up` builds the whole Datadog demo environment for a stack.
//
// Data flows one way: stack config is read and validated once (components/config), then the
// typed object is handed to the two top-level components, which register every resource.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config/stackConfig";
import { forecastLines } from "./components/datadog/forecast";
import { Observability } from "./components/datadog/observability";
import { DockerHost } from "./components/docker/dockerHost";

// Throws, listing every problem, before any resource is registered.
const config = loadStackConfig();

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

const observability = new Observability("datadog", {
    datadog: config.datadog,
    env: config.env,
    hostname: config.hostname,
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
// Where the app is reached from this machine (components/config reads docker:host / DOCKER_HOST);
// appTunnel, set only for an app on a remote Docker host's loopback, is the ssh command to run first
// (null otherwise: the engine warns on every run about a top-level output that is undefined).
export const appUrl = config.appUrl;
export const appTunnel = config.appTunnel ?? null;
export const networkName = host.networkName;
export const containerNames = {
    agent: host.agent.containerName,
    postgres: host.postgres.containerName,
    app: host.app.containerName,
    ...(host.traffic ? { traffic: host.traffic.containerName } : {}),
};
