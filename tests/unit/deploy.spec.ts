import * as assert from "node:assert/strict";
import { parseArgs, USAGE } from "../../deploy/cli";
import { deployInputs, tomorrow } from "../../deploy/inputs";
import { API_KEY, APP_KEY } from "./harness";

const GOOD = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, NOTIFY_EMAIL: "oncall@example.com" };

describe("deploy command: arguments", () => {
    const defaults = { targets: [], targetDependents: false, wait: true, delete: false, policy: true, help: false, waitGiven: false };

    it("runs up on dev by default", () => {
        assert.deepEqual(parseArgs([]), { command: "up", stack: "dev", ...defaults });
    });

    it("takes a subcommand, a stack and targets", () => {
        assert.deepEqual(parseArgs(["preview", "prod", "--target", "urn:a", "--target", "urn:b", "--target-dependents"]), {
            ...defaults,
            command: "preview",
            stack: "prod",
            targets: ["urn:a", "urn:b"],
            targetDependents: true,
        });
    });

    it("takes a stack alone as up on that stack", () => {
        assert.equal(parseArgs(["prod"]).command, "up");
        assert.equal(parseArgs(["prod"]).stack, "prod");
    });

    it("takes --no-wait and doctor's --delete", () => {
        assert.equal(parseArgs(["up", "--no-wait"]).wait, false);
        assert.equal(parseArgs(["doctor", "dev", "--delete"]).delete, true);
    });

    it("takes verify's --wait <minutes>, and scenario's --wait alone", () => {
        assert.deepEqual([parseArgs(["verify", "prod", "--wait", "10"]).waitMinutes, parseArgs(["verify", "--wait=2.5", "prod"]).stack], [10, "prod"]);
        assert.deepEqual([parseArgs(["verify"]).waitGiven, parseArgs(["verify"]).waitMinutes], [false, undefined]);
        const s = parseArgs(["scenario", "alert", "dev", "--wait"]);
        assert.deepEqual([s.scenario, s.stack, s.waitGiven, s.wait], ["alert", "dev", true, true]);
        assert.throws(() => parseArgs(["scenario", "alert", "--wait", "5"]), /--wait <minutes> is verify's: scenario takes --wait alone\./);
        assert.throws(() => parseArgs(["verify", "--wait=0"]), /--wait takes a number of minutes above 0, not '0'\./);
    });

    it("refuses an unknown option, naming the valid ones", () => {
        assert.throws(() => parseArgs(["--yes"]), (e: Error) => e.message.startsWith("Unknown option '--yes'. Options: --target, --target-dependents, --wait, --delete, --policy, --help.\nusage: npm run deploy"));
    });

    it("refuses a typo of a subcommand, unless a stack of that name has a stack file", () => {
        assert.throws(() => parseArgs(["destory"]), /^Error: unknown subcommand 'destory' \(did you mean destroy\?\): one of up, preview, destroy, outputs, scenario, doctor, verify, rehearse\./);
        assert.equal(parseArgs(["destory"], (w) => w === "destory").stack, "destory");
    });

    it("refuses a word that is neither a subcommand nor a stack before another", () => {
        assert.throws(() => parseArgs(["deploy", "dev"]), /^Error: unknown subcommand 'deploy': one of up, preview/);
        assert.throws(() => parseArgs(["up", "dev", "prod"]), /^Error: too many arguments: dev prod\./);
    });

    it("lists every subcommand and option in the usage", () => {
        for (const word of ["up", "preview", "destroy", "outputs", "doctor", "--target <urn>", "--target-dependents", "--wait", "--delete", "-h, --help"]) {
            assert.ok(USAGE.includes(`  ${word} `), word);
        }
    });
});

describe("deploy command: environment", () => {
    it("stores both keys as secrets and the e-mail as plain config", () => {
        const { config, problems } = deployInputs(GOOD, undefined);
        assert.deepEqual(problems, []);
        assert.deepEqual(config, {
            "datadog:apiKey": { value: API_KEY, secret: true },
            "datadog:appKey": { value: APP_KEY, secret: true },
            "datadog-exercise:notifyEmail": { value: "oncall@example.com", secret: false },
        });
    });

    it("names each missing variable of a new stack", () => {
        const { problems } = deployInputs({}, undefined);
        assert.deepEqual(
            problems.map((p: string) => p.split(" ")[0]),
            ["DD_API_KEY", "DD_APP_KEY", "NOTIFY_EMAIL"],
        );
    });

    it("names a malformed key without showing it", () => {
        const secretish = "0123456789abcdef0123456789abcdeX";
        const { problems } = deployInputs({ ...GOOD, DD_API_KEY: secretish }, undefined);
        assert.deepEqual(problems, ["DD_API_KEY is malformed (32 characters): it must be a Datadog API key: 32 hexadecimal characters."]);
    });

    it("needs no key or e-mail in the environment that the stack file already holds", () => {
        const stackFile = { "datadog:apiKey": { secure: "v1:x" }, "datadog:appKey": { secure: "v1:y" }, "datadog-exercise:notifyEmail": "a@example.com" };
        assert.deepEqual(deployInputs({}, stackFile), { config: {}, problems: [] });
    });

    it("takes DD_SITE as the site, and refuses one that is not a Datadog site", () => {
        assert.deepEqual(deployInputs({ ...GOOD, DD_SITE: "datadoghq.eu" }, undefined).config["datadog-exercise:site"], { value: "datadoghq.eu", secret: false });
        assert.match(deployInputs({ ...GOOD, DD_SITE: "datadog.eu" }, undefined).problems[0], /^DD_SITE = "datadog\.eu" is not a Datadog site/);
    });

    it("refuses an NOTIFY_EMAIL that is not an address", () => {
        assert.match(deployInputs({ ...GOOD, NOTIFY_EMAIL: "ops" }, undefined).problems[0], /^NOTIFY_EMAIL = "ops" is not an e-mail address/);
    });
});

describe("deploy command: the downtime date", () => {
    it("is tomorrow in the stack's time zone, not the machine's", () => {
        const now = new Date("2026-11-29T12:00:00Z"); // already the 30th in Kiritimati (UTC+14), still the 29th in Pago Pago (UTC-11)
        assert.equal(tomorrow("Pacific/Kiritimati", now), "2026-12-01");
        assert.equal(tomorrow("Pacific/Pago_Pago", now), "2026-11-30");
    });

    it("rolls over the end of a month and a year", () => {
        assert.equal(tomorrow("UTC", new Date("2026-12-31T10:00:00Z")), "2027-01-01");
    });
});
