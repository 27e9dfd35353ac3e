// The project's name, the Datadog sites and the rules of a Datadog key: what the deploy command
// checks before anything heavy loads (stackConfig.ts imports @pulumi/pulumi; this file only zod).
import { z } from "zod";

export const PROJECT = "datadog-exercise";

/**
 * Datadog sites -> the URL of their web app, as docs.datadoghq.com/getting_started/site lists them.
 * The API is https://api.<site>/ on each (the API clients' `site` list is the same nine).
 */
export const DATADOG_SITES: Readonly<Record<string, string>> = Object.freeze({
    "datadoghq.com": "https://app.datadoghq.com",
    "us3.datadoghq.com": "https://us3.datadoghq.com",
    "us5.datadoghq.com": "https://us5.datadoghq.com",
    "datadoghq.eu": "https://app.datadoghq.eu",
    "ddog-gov.com": "https://app.ddog-gov.com",
    "us2.ddog-gov.com": "https://us2.ddog-gov.com",
    "ap1.datadoghq.com": "https://ap1.datadoghq.com",
    "ap2.datadoghq.com": "https://ap2.datadoghq.com",
    "uk1.datadoghq.com": "https://uk1.datadoghq.com",
});

/** A Datadog key: `length` lowercase hexadecimal characters; the same message when it is missing. */
const datadogKey = (what: string, length: number) => {
    const help = `must be a Datadog ${what}: ${length} hexadecimal characters`;
    return z.string({ error: help }).regex(new RegExp(`^[0-9a-f]{${length}}$`), help);
};
export const apiKeyRule = datadogKey("API key", 32);
export const appKeyRule = datadogKey("application key", 40);

/**
 * The titles of a stack's two dashboards (the timeboard, the service's), each ending in its env:
 * the components set them, and the deploy command's doctor finds a stack's dashboards by them, exactly.
 */
export const dashboardTitles = (env: string, service: string) => ({
    timeboard: `Datadog exercise (${env})`,
    service: `Datadog exercise: ${service} (${env})`,
});
