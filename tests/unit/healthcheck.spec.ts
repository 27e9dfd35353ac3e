import * as assert from "assert";
import { disabledHealthcheck, goDuration } from "../../components/docker/healthcheck";

describe("healthchecks written as the daemon and the provider read them back", () => {
    it("formats durations as Go's time.Duration.String(): 60 s is 1m0s", () => {
        assert.deepStrictEqual(
            [0, 5, 30, 59, 60, 90, 3600, 3725].map(goDuration),
            ["0s", "5s", "30s", "59s", "1m0s", "1m30s", "1h0m0s", "1h2m5s"],
        );
    });

    it("switches the app image's HEALTHCHECK off with the fields the daemon merges from the image (moby daemon/commit.go merge())", () => {
        // container-src/app/Dockerfile: HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3
        assert.deepStrictEqual(disabledHealthcheck("app/Dockerfile"), {
            tests: ["NONE"],
            interval: "30s",
            timeout: "5s",
            startPeriod: "20s",
            retries: 3,
        });
    });
});
