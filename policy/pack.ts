// The pack's policies: each rule (datadog.ts, docker.ts, secrets.ts, stack.ts) becomes one, with
// the rule's default level; the pack's config sets another per rule (docs/guardrails.md).
import { ResourceValidationPolicy } from "@pulumi/policy";
import { DATADOG_RULES } from "./datadog";
import { DOCKER_RULES } from "./docker";
import { readInputs } from "./inputs";
import { Rule } from "./rule";
import { secretsMarked } from "./secrets";
import { apiUrlHttps } from "./stack";

export const RULES: readonly Rule[] = [...DATADOG_RULES, ...DOCKER_RULES, secretsMarked, apiUrlHttps];

/**
 * @pulumi/policy hands validations their inputs with secrets unwrapped and unmarked: a policy
 * cannot tell a secret from plain text (pulumi/pulumi-policy#241). Its remediations get them as
 * Secret objects, read through a proxy that unwraps them. This has validations deserialize the
 * same way, so a rule reading `props` still sees plain values and readInputs can find the Secret
 * objects underneath. It relies on the module layout of the pinned @pulumi/policy (1.21.0) and
 * fails loudly if that changes.
 */
export function keepSecretMarkers(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties?: (s: unknown, keepSecrets: boolean) => unknown };
    const original = deserialize.deserializeProperties;
    if (typeof original !== "function") throw new Error("@pulumi/policy/deserialize has no deserializeProperties: update policy/index.ts for this @pulumi/policy");
    deserialize.deserializeProperties = (struct) => original(struct, true);
}

/** The plain object behind @pulumi/policy's proxies (each answers its target to this key). */
function target(props: object): Record<string, unknown> {
    let t = props as Record<string, unknown>;
    while (t.__isSpecialProxy === true) t = t.__getSpecialProxyTarget as Record<string, unknown>;
    return t;
}

export function toPolicy(rule: Rule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: rule.configSchema,
        validateResource: (args, reportViolation) => {
            if (rule.types !== "*" && !rule.types.includes(args.type)) return;
            const provider = args.provider && readInputs(args.provider.type, args.provider.name, target(args.provider.props));
            rule.check(readInputs(args.type, args.name, target(args.props), provider), (m) => reportViolation(m), args.getConfig<Record<string, unknown>>());
        },
    };
}
