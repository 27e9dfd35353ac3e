// What the deploy command reads before any engine runs: the stack file, and the environment's
// keys, site and e-mail, checked with the same rules as the stack config.
import { DateTime } from "luxon";
import { z } from "zod";
import { apiKeyRule, appKeyRule, DATADOG_SITES, PROJECT } from "../components/config/keys";

/** The stack file's config block (deploy/stackFile.ts), or undefined when there is no Pulumi.<stack>.yaml. */
export { readStackFile } from "./stackFile";

/** What the environment sets, checked; each problem names its variable and never shows a key. */
export interface DeployInputs {
    /** Config to write: full key -> value, and whether it is a secret. */
    config: Record<string, { value: string; secret: boolean }>;
    problems: string[];
}

const KEY_VARS = [
    { variable: "DD_API_KEY", key: "datadog:apiKey", rule: apiKeyRule },
    { variable: "DD_APP_KEY", key: "datadog:appKey", rule: appKeyRule },
] as const;

/**
 * Reads DD_API_KEY, DD_APP_KEY, DD_SITE and NOTIFY_EMAIL. A key or the e-mail may be missing from
 * the environment only when the stack file already holds it.
 */
export function deployInputs(env: NodeJS.ProcessEnv, stackFile: Record<string, unknown> | undefined): DeployInputs {
    const config: DeployInputs["config"] = {};
    const problems: string[] = [];
    for (const { variable, key, rule } of KEY_VARS) {
        const value = env[variable] || undefined;
        const problem = rule.safeParse(value).error?.issues[0].message;
        if (problem === undefined) config[key] = { value: value as string, secret: true };
        else if (value !== undefined) problems.push(`${variable} is malformed (${value.length} characters): it ${problem}.`);
        else if (stackFile?.[key] === undefined) problems.push(`${variable} is not set: it ${problem} (Organization Settings in Datadog).`);
    }
    const site = env.DD_SITE;
    if (site) {
        if (site in DATADOG_SITES) config[`${PROJECT}:site`] = { value: site, secret: false };
        else problems.push(`DD_SITE = "${site}" is not a Datadog site: one of ${Object.keys(DATADOG_SITES).join(", ")}.`);
    }
    const email = env.NOTIFY_EMAIL;
    if (email) {
        if (z.email().safeParse(email).success) config[`${PROJECT}:notifyEmail`] = { value: email, secret: false };
        else problems.push(`NOTIFY_EMAIL = "${email}" is not an e-mail address such as you@example.com.`);
    } else if (stackFile?.[`${PROJECT}:notifyEmail`] === undefined) {
        problems.push(`NOTIFY_EMAIL is not set, and Pulumi.<stack>.yaml has no ${PROJECT}:notifyEmail: export NOTIFY_EMAIL=you@example.com (the address the monitor and the downtimes notify).`);
    }
    return { config, problems };
}

/** The calendar date after `now` in `timezone`, as YYYY-MM-DD. */
export function tomorrow(timezone: string, now: Date): string {
    return DateTime.fromJSDate(now, { zone: timezone }).plus({ days: 1 }).toISODate() as string;
}

/** The Datadog API's base URL for a stack: datadog:apiUrl, else https://api.<site>/. */
export function apiUrl(stackFile: Record<string, unknown> | undefined, inputs: DeployInputs): string {
    const site = inputs.config[`${PROJECT}:site`]?.value ?? (stackFile?.[`${PROJECT}:site`] as string | undefined) ?? "datadoghq.com";
    const url = (stackFile?.["datadog:apiUrl"] as string | undefined) ?? `https://api.${site}/`;
    return url.endsWith("/") ? url : `${url}/`;
}
