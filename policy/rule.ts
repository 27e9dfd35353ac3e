// One guardrail: the resource types it reads, its default level, and a check of one resource's
// inputs. index.ts turns each into a policy of the pack; the unit specs call `check` directly.
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { Inputs } from "./inputs";

export interface Rule {
    readonly name: string;
    readonly description: string;
    /** The default; the pack's config (--policy-pack-config) overrides it per rule. */
    readonly enforcementLevel: EnforcementLevel;
    /** Type tokens the rule reads, or "*" for every resource. */
    readonly types: readonly string[] | "*";
    readonly configSchema?: PolicyConfigSchema;
    /** Reports each problem as one line that names the input and the fix (never a secret's value). */
    check(r: Inputs, report: (message: string) => void, config: Record<string, unknown>): void;
}
