import * as assert from "node:assert/strict";
import { deployInputs, parseArgs, tomorrow } from "../../deploy/deploy";
import { API_KEY, APP_KEY } from "./harness";

const GOOD = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, NOTIFY_EMAIL: "oncall@example.com" };

describe("deploy command: arguments", () => {
    it("runs up on dev by default", () => {
        assert.deepEqual(parseArgs([]), { command: "up", stack: "dev", targets: [], targetDependents: false });
    });

    it("takes a subcommand, a stack and targets", () => {
        assert.deepEqual(parseArgs(["preview", "prod", "--target", "urn:a", "--target-dependents"]), {
            command: "preview",
            stack: "prod",
            targets: ["urn:a"],
            targetDependents: true,
        });
    });

    it("takes a stack alone as up on that stack", () => {
        assert.equal(parseArgs(["prod"]).command, "up");
        assert.equal(parseArgs(["prod"]).stack, "prod");
    });

    it("refuses an unknown option with the usage", () => {
        assert.throws(() => parseArgs(["--yes"]), /unknown option --yes\nusage: npm run deploy/);
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
            problems.map((p) => p.split(" ")[0]),
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
