import { readContainerSrc } from "./containerSrc";

/**
 * A container's healthcheck, written as the docker provider reads it back from the daemon, so that
 * a preview after `up` shows no change. The daemon stores each duration in nanoseconds and the
 * provider formats it with Go's time.Duration.String(): "60s" comes back as "1m0s".
 */
export interface Healthcheck {
    tests: string[];
    interval: string;
    timeout: string;
    startPeriod: string;
    retries: number;
}

/** Whole seconds as Go's time.Duration.String() prints them: 30 -> "30s", 60 -> "1m0s", 3600 -> "1h0m0s". */
export function goDuration(seconds: number): string {
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`goDuration: ${seconds} is not a whole number of seconds`);
    if (seconds === 0) return "0s";
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
}

/** A Dockerfile duration flag ("30s", "1m30s", "2m") in seconds. */
function dockerfileSeconds(value: string): number {
    const parts = [...value.matchAll(/(\d+)(h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) throw new Error(`HEALTHCHECK duration '${value}' is not whole h/m/s`);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1 }[unit as "h" | "m" | "s"], 0);
}

/** The HEALTHCHECK flags of a Dockerfile under container-src/ (Docker's defaults where a flag is absent). */
export function imageHealthcheck(dockerfile: string): Omit<Healthcheck, "tests"> {
    const line = readContainerSrc(dockerfile).match(/^HEALTHCHECK((?:\s+--[a-z-]+=\S+)*)/m);
    if (!line) throw new Error(`${dockerfile} has no HEALTHCHECK`);
    const flags = Object.fromEntries([...line[1].matchAll(/--([a-z-]+)=(\S+)/g)].map(([, k, v]) => [k, v]));
    const seconds = (flag: string, fallback: number) => (flags[flag] === undefined ? fallback : dockerfileSeconds(flags[flag]));
    // The Dockerfile reference's defaults: interval 30s, timeout 30s, start period 0s, retries 3.
    return {
        interval: goDuration(seconds("interval", 30)),
        timeout: goDuration(seconds("timeout", 30)),
        startPeriod: goDuration(seconds("start-period", 0)),
        retries: flags.retries === undefined ? 3 : Number(flags.retries),
    };
}

/**
 * The image's healthcheck switched off. The daemon fills a container's zero healthcheck fields from
 * the image's HEALTHCHECK (moby daemon/commit.go, merge()), so inspect answers the image's interval,
 * timeout, start period and retries beside the "NONE" test: they are written here as it answers.
 */
export function disabledHealthcheck(dockerfile: string): Healthcheck {
    return { tests: ["NONE"], ...imageHealthcheck(dockerfile) };
}
