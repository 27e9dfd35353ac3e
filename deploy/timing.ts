// The read commands' clock: how long a minute lasts and how often they poll. A minute is 60 s; the
// engine tests shorten it (EXERCISE_MINUTE_MS, EXERCISE_POLL_MS) so that a 10-minute wait takes a
// second, with no sleep in the tests.
export interface Timing {
    minuteMs: number;
    pollMs: number;
}

export function timing(env: NodeJS.ProcessEnv): Timing {
    const minuteMs = Number(env.EXERCISE_MINUTE_MS) > 0 ? Number(env.EXERCISE_MINUTE_MS) : 60_000;
    const pollMs = Number(env.EXERCISE_POLL_MS) > 0 ? Number(env.EXERCISE_POLL_MS) : 15_000;
    return { minuteMs, pollMs };
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done);
    });
}
