// What the read commands need of a deployed stack, from its backend: the validated config (keys
// decrypted), when its last update ended (the containers changed then), and its monitors.
import { ConfigError, loadStackConfig, StackConfig } from "../components/config/stackConfig";
import { DeployError } from "./cli";
import { ReadAccess } from "./datadogClient";
import { chooseBackend, listStacks, openStack } from "./engine";

export type MonitorKind = "my_metric" | "latency" | "error rate";

export interface StackMonitor {
    id: number;
    name: string;
    kind: MonitorKind;
}

export interface StackContext {
    stack: string;
    config: StackConfig;
    access: ReadAccess;
    /** When the stack's last update ended. */
    lastUpdate: Date;
    monitors: StackMonitor[];
}

/** A monitor's role, from the name the program gives it (components/datadog/monitor.ts, serviceMonitors.ts). */
export function monitorKind(name: string): MonitorKind | undefined {
    if (/\bmy_metric\b/.test(name)) return "my_metric";
    if (/p95 latency/.test(name)) return "latency";
    if (/error rate/.test(name)) return "error rate";
    return undefined;
}

export async function readStack(projectDir: string, env: NodeJS.ProcessEnv, name: string): Promise<StackContext> {
    const backend = await chooseBackend(projectDir, env, { write: false, createLocal: false });
    if (!(await listStacks(projectDir, backend)).includes(name)) {
        throw new DeployError(`stack '${name}' does not exist in this backend yet: npm run deploy -- up ${name} creates it.`);
    }
    const stack = await openStack(projectDir, backend, name, false);
    // Three CLI calls at once: each starts a process.
    const [values, [last], exported] = await Promise.all([stack.getAllConfig(), stack.history(1), stack.exportStack()]);
    let config: StackConfig;
    try {
        config = loadStackConfig({ stack: name, get: (k) => values[k]?.value, isSecret: (k) => values[k]?.secret, env: (v) => env[v] });
    } catch (e) {
        if (e instanceof ConfigError) throw new DeployError(`Cannot read stack '${name}': ${e.message}`);
        throw e;
    }
    if (last === undefined) throw new DeployError(`stack '${name}' has never been deployed: npm run deploy -- up ${name}.`);
    const deployment = exported.deployment as { resources?: { type: string; id?: string; outputs?: { name?: string } }[] };
    const monitors = (deployment.resources ?? [])
        .filter((r) => r.type === "datadog:index/monitor:Monitor" && r.id)
        .flatMap((r) => {
            const kind = monitorKind(String(r.outputs?.name));
            return kind ? [{ id: Number(r.id), name: String(r.outputs?.name), kind }] : [];
        });
    return {
        stack: name,
        config,
        access: { url: config.datadog.apiUrl, apiKey: values["datadog:apiKey"]?.value ?? "", appKey: values["datadog:appKey"]?.value ?? "" },
        lastUpdate: new Date(last.endTime ?? last.startTime),
        monitors,
    };
}
