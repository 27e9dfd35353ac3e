import * as assert from "node:assert/strict";
import { API_KEY, APP_KEY, plainStrings, ProgramRun, runProgram, T } from "./harness";

describe("secrets", () => {
    let run: ProgramRun;
    let credentials: string[];
    before(async () => {
        run = await runProgram();
        credentials = [API_KEY, APP_KEY, ...run.passwords];
    });

    it("generates three database passwords for the run (superuser, datadog, app)", () => {
        assert.equal(run.passwords.length, 3);
    });

    // rawInputs are what the engine receives: a secret env entry is wrapped on its own, so a
    // plain-text entry beside it in the same list is seen here.
    it("never registers a key or a password outside a secret, in any resource, value by value", () => {
        const leaks: string[] = [];
        for (const r of run.resources) {
            for (const s of plainStrings(r.rawInputs)) {
                for (const c of credentials) if (s.includes(c)) leaks.push(`${r.type} ${r.name}: ${s.slice(0, 60)}`);
            }
        }
        assert.deepEqual(leaks, []);
    });

    it("does see the credentials inside secrets (the check above is not vacuous)", () => {
        const all = JSON.stringify(run.resources.map((r) => r.inputs));
        for (const c of credentials) assert.ok(all.includes(c), "credential not registered at all");
    });

    it("keeps them out of labels, commands, healthchecks and uploaded files entirely", () => {
        for (const c of run.ofType(T.container)) {
            const visible = JSON.stringify([c.inputs.labels, c.inputs.command, c.inputs.healthcheck, c.inputs.uploads]);
            for (const cred of credentials) assert.ok(!visible.includes(cred), `${c.name} shows a credential`);
        }
    });

    it("keeps them out of the stack outputs", () => {
        const outputs = JSON.stringify(run.outputs);
        for (const c of credentials) assert.ok(!outputs.includes(c));
    });

    it("registers the Datadog provider's keys as secrets", () => {
        const provider = run.get(T.datadogProvider, "datadog-provider").rawInputs;
        assert.deepEqual(plainStrings(provider).filter((s) => s === API_KEY || s === APP_KEY), []);
        assert.equal(provider.apiUrl, "https://api.datadoghq.com/");
    });
});
