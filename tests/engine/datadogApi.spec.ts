// The Datadog API stand-in on its own (no CLI): it rejects what the real API rejects, with a 400
// and the reason, and answers the rest in the real API's shape. The bodies are those the provider
// sent for this program (recorded by the engine suite), trimmed.
import * as assert from "assert";
import { DateTime } from "luxon";
import { DatadogApiStandIn, Json } from "./datadogApi";

const KEYS = { apiKey: "0123456789abcdef0123456789abcdef", appKey: "fedcba9876543210fedcba9876543210fedcba98" };

function monitorBody(): Json {
    return {
        draft_status: "published",
        message: "{{#is_alert}}ALERT{{/is_alert}}\n@you@example.com",
        name: "[dev] my_metric is high on {{host.name}}",
        options: {
            include_tags: true,
            new_host_delay: 300,
            no_data_timeframe: 10,
            notify_no_data: true,
            require_full_window: false,
            thresholds: { critical: 800, warning: 500 },
        },
        priority: null,
        query: "avg(last_5m):avg:my_metric{env:dev} by {host} > 800",
        restricted_roles: null,
        tags: ["env:dev"],
        type: "metric alert",
    };
}

function dashboardBody(): Json {
    return {
        id: "",
        layout_type: "ordered",
        reflow_type: "auto",
        title: "Datadog exercise (dev)",
        widgets: [{ definition: { type: "query_value", precision: 0, requests: [{ q: "avg:my_metric{$host}.rollup(sum, 3600)", aggregator: "sum" }] } }],
    };
}

function downtimeBody(monitorId: number): Json {
    return {
        data: {
            type: "downtime",
            attributes: {
                display_timezone: "America/Los_Angeles",
                monitor_identifier: { monitor_id: monitorId },
                mute_first_recovery_notification: true,
                schedule: {
                    recurrences: [{ duration: "2d", rrule: "FREQ=WEEKLY;BYDAY=SA", start: "2099-01-03T00:00:00" }],
                    timezone: "America/Los_Angeles",
                },
                scope: "env:dev",
            },
        },
    };
}

describe("the Datadog API stand-in", () => {
    let api: DatadogApiStandIn;

    before(async () => {
        api = await DatadogApiStandIn.start(KEYS);
    });
    after(async () => api.close());

    async function call(method: string, path: string, body?: unknown, keys = KEYS): Promise<{ status: number; json: Json | undefined }> {
        const res = await fetch(new URL(path, api.url), {
            method,
            headers: { "DD-API-KEY": keys.apiKey, "DD-APPLICATION-KEY": keys.appKey, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
    }

    async function rejected(path: string, body: Json, reason: RegExp, method = "POST"): Promise<void> {
        const { status, json } = await call(method, path, body);
        assert.strictEqual(status, 400, JSON.stringify(json));
        assert.match(json!.errors.join("\n"), reason);
    }

    it("accepts the provider's monitor and answers in the API's shape", async () => {
        const { status, json } = await call("POST", "/api/v1/monitor", monitorBody());
        assert.strictEqual(status, 200);
        assert.strictEqual(typeof json!.id, "number");
        assert.strictEqual(json!.multi, true);
        assert.strictEqual(json!.overall_state, "No Data");
        assert.deepStrictEqual(json!.options, { ...monitorBody().options, notify_audit: false, silenced: {} });
        assert.deepStrictEqual((await call("GET", `/api/v1/monitor/${json!.id}`)).json, json);
    });

    it("rejects an unknown enum value (a monitor type)", async () => {
        await rejected("/api/v1/monitor", { ...monitorBody(), type: "metric alrt" }, /\$\.type: "metric alrt" is not a valid value/);
    });

    it("rejects a wrong type (a threshold as a string)", async () => {
        const body = monitorBody();
        body.options.thresholds.critical = "800";
        await rejected("/api/v1/monitor/validate", body, /unknown type 'number'/);
    });

    it("rejects a missing required field (the query)", async () => {
        const { query: _query, ...body } = monitorBody();
        void _query;
        await rejected("/api/v1/monitor", body, /missing required property 'query'/);
    });

    it("rejects a field the models do not know", async () => {
        const body = monitorBody();
        body.options.notify_nodata = true;
        await rejected("/api/v1/monitor", body, /\$\.options\.notify_nodata: unknown field/);
    });

    it("rejects a metric alert whose query's threshold is not thresholds.critical", async () => {
        const body = monitorBody();
        body.options.thresholds.critical = 700;
        await rejected("/api/v1/monitor/validate", body, /Alert threshold \(700\) does not match that used in the query \(800\)/);
    });

    it("rejects a warning at or above critical", async () => {
        const body = monitorBody();
        body.options.thresholds.warning = 800;
        await rejected("/api/v1/monitor", body, /Warning threshold \(800\) must be less than the alert threshold \(800\)/);
    });

    it("rejects a widget of no known type (a oneOf that matches nothing)", async () => {
        const body = dashboardBody();
        body.widgets[0].definition.type = "query_valeu";
        await rejected("/api/v1/dashboard", body, /\$\.widgets\[0\]\.definition: .* is not a valid value/);
    });

    it("gives a dashboard an id and the url /dashboard/<id>/<slug of the title>", async () => {
        const { status, json } = await call("POST", "/api/v1/dashboard", dashboardBody());
        assert.strictEqual(status, 200);
        assert.match(json!.id, /^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$/);
        assert.strictEqual(json!.url, `/dashboard/${json!.id}/datadog-exercise-dev`);
        assert.strictEqual(typeof json!.widgets[0].id, "number");
    });

    it("reads a downtime's recurrence back as sent, to the second, and rejects a bad RRULE or an unknown monitor", async () => {
        const monitor = (await call("POST", "/api/v1/monitor", monitorBody())).json!;
        const created = await call("POST", "/api/v2/downtime", downtimeBody(monitor.id));
        assert.strictEqual(created.status, 200, JSON.stringify(created.json));
        const read = await call("GET", `/api/v2/downtime/${created.json!.data.id}`);
        assert.deepStrictEqual(read.json!.data.attributes.schedule, {
            timezone: "America/Los_Angeles",
            recurrences: [{ rrule: "FREQ=WEEKLY;BYDAY=SA", duration: "2d", start: "2099-01-03T00:00:00" }],
        });
        const bad = downtimeBody(monitor.id);
        bad.data.attributes.schedule.recurrences[0].rrule = "FREQ=WEEKLYISH";
        await rejected("/api/v2/downtime", bad, /Invalid recurrence rule/);
        assert.strictEqual((await call("POST", "/api/v2/downtime", downtimeBody(1))).status, 404);
    });

    it("rejects a downtime whose start has passed in its own zone", async () => {
        const monitor = (await call("POST", "/api/v1/monitor", monitorBody())).json!;
        const past = downtimeBody(monitor.id);
        // An hour ago in Kiritimati (UTC+14): read as UTC, it would still be 13 hours ahead.
        past.data.attributes.schedule.timezone = "Pacific/Kiritimati";
        past.data.attributes.schedule.recurrences[0].start = DateTime.now().setZone("Pacific/Kiritimati").minus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
        await rejected("/api/v2/downtime", past, /Scheduled downtime start cannot be in the past/);
    });

    it("refuses any other key with 403 Forbidden, as the API does", async () => {
        const { status, json } = await call("GET", "/api/v1/validate", undefined, { ...KEYS, apiKey: "f".repeat(32) });
        assert.strictEqual(status, 403);
        assert.deepStrictEqual(json, { errors: ["Forbidden"] });
        assert.deepStrictEqual((await call("GET", "/api/v1/validate")).json, { valid: true });
    });
});
