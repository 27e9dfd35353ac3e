// Compares what Datadog holds for a stack with its state: orphans (objects with the stack's exact
// tags or titles that the state does not know: a duplicate, or a create the state lost) and state
// objects that Datadog no longer has. Also resolves a crashed deploy's pending creates.
import type { Stack } from "@pulumi/pulumi/automation";
import { dashboardTitles, PROJECT } from "../components/config/keys";
import { DECLARED_KEYS } from "../components/config/stackConfig";
import { strayContainers } from "./dockerDoctor";
import { DatadogAccess, Wire, DatadogObject, deleteObject, KINDS, keyOfInputs, ResourceType, stackObjects } from "./datadog";

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, Wire>;
}

/** The keys, API, env and service of a stack, from its config (secrets decrypted). */
export async function datadogAccess(stack: Stack): Promise<{ access: DatadogAccess; env: string; service: string }> {
    const config = await stack.getAllConfig();
    const value = (k: string) => config[k]?.value || undefined;
    const site = value(`${PROJECT}:site`) ?? "datadoghq.com";
    const url = value("datadog:apiUrl") ?? `https://api.${site}/`;
    return {
        access: { url: url.endsWith("/") ? url : `${url}/`, apiKey: value("datadog:apiKey") ?? "", appKey: value("datadog:appKey") ?? "" },
        env: value(`${PROJECT}:env`) ?? stack.name.split("/").pop()!,
        service: value(`${PROJECT}:service`) ?? String(DECLARED_KEYS.service.default),
    };
}

/** The stack's objects in Datadog: by its tags, and by the exact titles of its dashboards (the program's, and the state's). */
async function objectsOf(stack: Stack, resources: StateResource[]): Promise<{ access: DatadogAccess; objects: DatadogObject[] }> {
    const { access, env, service } = await datadogAccess(stack);
    const titles = new Set([
        ...Object.values(dashboardTitles(env, service)),
        ...resources.filter((r) => r.type === "datadog:index/dashboard:Dashboard" && r.inputs?.title).map((r) => String(r.inputs!.title)),
    ]);
    return { access, objects: await stackObjects(access, env, titles) };
}

export interface Findings {
    orphans: (DatadogObject & { duplicateOf?: string })[];
    missing: StateResource[];
    inDatadog: number;
    inState: number;
}

export async function examine(stack: Stack): Promise<Findings & { access: DatadogAccess }> {
    const deployment = (await stack.exportStack()).deployment as { resources?: StateResource[] };
    const state = (deployment.resources ?? []).filter((r) => r.type in KINDS && r.id);
    const { access, objects } = await objectsOf(stack, state);
    const ids = new Set(state.map((r) => r.id));
    const live = new Set(objects.map((o) => o.id));
    const byKey = new Map(state.map((r) => [`${r.type} ${keyOfInputs(r.type as ResourceType, r.inputs ?? {})}`, r.urn]));
    return {
        access,
        orphans: objects.filter((o) => !ids.has(o.id)).map((o) => ({ ...o, duplicateOf: byKey.get(`${o.type} ${o.key}`) })),
        missing: state.filter((r) => !live.has(r.id as string)),
        inDatadog: objects.length,
        inState: state.length,
    };
}

/** Prints the findings; with `remove`, deletes the orphans. Returns the number of problems left. */
export async function doctor(stack: Stack, remove: boolean): Promise<number> {
    const f = await examine(stack);
    const name = stack.name.split("/").pop();
    console.log(`doctor: stack '${name}': ${f.inDatadog} Datadog objects carry its tags or titles; its state holds ${f.inState}.`);
    for (const o of f.orphans) {
        const what = o.duplicateOf ? `a duplicate of ${o.duplicateOf.split("::").pop()} in the state` : "not in the state (the next up creates its own)";
        console.log(`  orphan: ${o.label}: ${what}`);
    }
    for (const r of f.missing) console.log(`  missing: ${r.urn.split("::").pop()} (${r.type}, id ${r.id}) is in the state but not in Datadog: the next up recreates it.`);
    // The Docker side (deploy/dockerDoctor.ts): containers with the stack's env label that the state lacks.
    const strays = await strayContainers(stack).catch((e: Error) => (console.log(`  could not list the Docker host's containers: ${e.message}`), []));
    for (const c of strays) console.log(`  orphan container: ${c.name} (${c.id.slice(0, 12)}) carries the stack's env label but is not in the state: docker rm -f ${c.name}`);
    if (f.orphans.length === 0 && f.missing.length === 0 && strays.length === 0) {
        console.log("  Datadog and the state agree: no orphan, no duplicate, nothing missing.");
        return 0;
    }
    if (f.orphans.length > 0 && !remove) {
        console.log(`  Delete the ${f.orphans.length} orphan${f.orphans.length === 1 ? "" : "s"}: npm run deploy -- doctor ${name} --delete`);
    }
    if (remove) {
        for (const o of f.orphans) {
            await deleteObject(f.access, o);
            console.log(`  deleted ${o.label}`);
        }
        return f.missing.length + strays.length;
    }
    return f.orphans.length + f.missing.length + strays.length;
}

/**
 * A crashed deploy's pending creates: each found in Datadog (by its exact name, title or monitor tags)
 * becomes a resource of the state with that id; one never created is dropped. The caller then
 * refreshes, which reads each imported object's outputs.
 */
export async function resolvePendingCreates(stack: Stack): Promise<{ imported: string[]; cleared: string[] }> {
    const exported = await stack.exportStack();
    const deployment = exported.deployment as { resources?: StateResource[]; pending_operations?: { resource: StateResource; type: string }[] };
    const pending = deployment.pending_operations ?? [];
    if (pending.length === 0) return { imported: [], cleared: [] };
    const { objects } = await objectsOf(stack, [...(deployment.resources ?? []), ...pending.map((op) => op.resource)]);
    const known = new Set((deployment.resources ?? []).map((r) => r.id));
    const imported: string[] = [];
    const cleared: string[] = [];
    for (const op of pending) {
        const r = op.resource;
        const name = r.urn.split("::").pop() as string;
        const found =
            op.type === "creating" && r.type in KINDS
                ? objects.find((o) => o.type === r.type && o.key === keyOfInputs(r.type as ResourceType, r.inputs ?? {}) && !known.has(o.id))
                : undefined;
        if (found) {
            known.add(found.id);
            deployment.resources = [...(deployment.resources ?? []), { ...r, id: found.id }];
            imported.push(`${name} (${found.label})`);
        } else {
            cleared.push(name);
        }
    }
    deployment.pending_operations = [];
    await stack.importStack(exported);
    return { imported, cleared };
}
