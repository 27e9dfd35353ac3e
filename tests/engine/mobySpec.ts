// moby's own Engine API spec, for the Docker daemon stand-in (dockerDaemon.ts) to validate request
// bodies with. Source: the Go module github.com/moby/moby/api (moby/moby's api/ directory), from
// the Go module proxy, pinned by version and checked against its go.sum hash (h1:); its
// docs/v1.<N>.yaml is the spec of API version N, the one the stand-in answers in /version.
// Downloaded once into Go's module cache with `go mod download -json`; in CI a missing spec fails.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv-draft-04";
import { parse as parseYaml } from "yaml";

export const MOBY_API_MODULE = { path: "github.com/moby/moby/api", version: "v1.54.2", sum: "h1:wiat9QAhnDQjA7wk1kh/TqHz2I1uUA7M7t9SAl/JNXg=" };

interface Operation {
    parameters?: { in: string; name: string; schema?: object }[];
}
interface SwaggerSpec {
    definitions: Record<string, object>;
    paths: Record<string, Record<string, Operation>>;
}

/** The module's directory in Go's module cache, downloaded and hash-checked, or a one-line reason it is not there. */
export function mobyApiDir(): string {
    const { path: mod, version, sum } = MOBY_API_MODULE;
    let out: { Dir?: string; Sum?: string; Error?: string };
    try {
        // GOSUMDB off: the hash is checked here against the pin, with no look-up beyond the module proxy.
        const json = execFileSync("go", ["mod", "download", "-json", `${mod}@${version}`], {
            env: { ...process.env, GOFLAGS: "-mod=mod", GOSUMDB: "off", GO111MODULE: "on" },
            cwd: path.resolve(__dirname),
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        out = JSON.parse(json);
    } catch (e) {
        const err = e as { stdout?: string; message: string };
        out = err.stdout ? JSON.parse(err.stdout) : { Error: err.message };
    }
    if (out.Error || !out.Dir) throw new Error(`cannot download ${mod}@${version} (moby's API spec) with go mod download: ${out.Error}`);
    if (out.Sum !== sum) throw new Error(`${mod}@${version}: hash ${out.Sum}, pinned ${sum}`);
    return out.Dir;
}

/** Validates JSON request bodies against one API version of moby's spec. */
export class MobySpec {
    private readonly ajv: Ajv;
    private readonly bodies = new Map<string, ValidateFunction>();

    private constructor(
        readonly apiVersion: string,
        private readonly spec: SwaggerSpec,
    ) {
        // draft-04: Swagger 2.0's schema objects; its x-* and example keywords are annotations.
        // Formats (int64, dateTime) are Go types here: `type` already holds what the decoder checks.
        this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
        this.ajv.addSchema({ id: "moby", definitions: spec.definitions });
    }

    static load(apiVersion: string): MobySpec {
        const file = path.join(mobyApiDir(), "docs", `v${apiVersion}.yaml`);
        return new MobySpec(apiVersion, parseYaml(fs.readFileSync(file, "utf8")) as SwaggerSpec);
    }

    /** The spec's path template matching `p` (e.g. /containers/{id}/start), or undefined. */
    template(p: string): string | undefined {
        // A literal segment wins over a parameter: /networks/create before /networks/{id}.
        const params = (t: string) => (t.match(/\{/g) ?? []).length;
        return Object.keys(this.spec.paths)
            .filter((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(p))
            .sort((a, b) => params(a) - params(b))[0];
    }

    /**
     * The problems of a JSON body sent to `method path`: none when its schema accepts it. Nulls and
     * empty strings are dropped first: the daemon's Go decoder gives them the same struct as an
     * absent field (a string's zero value is "", which the daemon reads as "its default", e.g.
     * LogConfig.Type "" in mergeAndVerifyLogConfig(), where the spec's enum lists only names).
     */
    bodyProblems(method: string, p: string, body: unknown): string[] {
        const t = this.template(p);
        if (!t) return [`${method} ${p} is not a path of API v${this.apiVersion}`];
        const op = this.spec.paths[t][method.toLowerCase()];
        const param = op?.parameters?.find((x) => x.in === "body");
        if (!param?.schema) return [`${method} ${t} takes no JSON body in API v${this.apiVersion}`];
        const key = `${method} ${t}`;
        let validate = this.bodies.get(key);
        if (!validate) {
            const schema = JSON.parse(JSON.stringify(param.schema).replace(/"#\/definitions\//g, '"moby#/definitions/'));
            validate = this.ajv.compile(schema);
            this.bodies.set(key, validate);
        }
        if (validate(dropNulls(body))) return [];
        return (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message}`);
    }
}

function dropNulls(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(dropNulls);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== "").map(([k, x]) => [k, dropNulls(x)]));
    return v;
}
