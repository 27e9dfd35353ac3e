// Metadata every Kubernetes component of the exercise puts on its objects.

/** Pulumi's own annotation: the provider does not wait for the object to become ready (the skipAwait key). */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

/** The annotations that carry the skipAwait key, or none. */
export function awaitAnnotations(skipAwait: boolean): Record<string, string> {
    return skipAwait ? { [SKIP_AWAIT_ANNOTATION]: "true" } : {};
}

/** Datadog's unified service tagging labels (tags.datadoghq.com/env|service|version). */
export function unifiedServiceLabels(env: string, service: string, version?: string): Record<string, string> {
    return {
        "tags.datadoghq.com/env": env,
        "tags.datadoghq.com/service": service,
        ...(version === undefined ? {} : { "tags.datadoghq.com/version": version }),
    };
}

/** DD_ENV, DD_SERVICE and DD_VERSION read from the pod's own unified service tagging labels (Datadog's Kubernetes UST setup). */
export function unifiedServiceEnv(withVersion: boolean) {
    const fromLabel = (name: string, tag: string) => ({ name, valueFrom: { fieldRef: { fieldPath: `metadata.labels['tags.datadoghq.com/${tag}']` } } });
    return [fromLabel("DD_ENV", "env"), fromLabel("DD_SERVICE", "service"), ...(withVersion ? [fromLabel("DD_VERSION", "version")] : [])];
}
