// The datadog-exercise guardrails: a Pulumi policy pack for Datadog demo environments on Docker.
//   pulumi preview --policy-pack policy [--policy-pack-config <file.json>]
// Its rules and their levels: pack.ts; how to change a level: docs/guardrails.md.
import { PolicyPack } from "@pulumi/policy";
import { RULES, keepSecretMarkers, toPolicy } from "./pack";

keepSecretMarkers();
new PolicyPack("datadog-exercise-guardrails", { policies: RULES.map(toPolicy) });
