import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AGENT_DB_PASSWORD_ENV } from "../docker/agentContainer";
import { readContainerSrc } from "../docker/containerSrc";
import {
    APP_DB_PASSWORD_ENV,
    INIT_SCRIPT_DIR,
    INIT_SCRIPTS,
    POSTGRES_CONF_PATH,
    POSTGRES_PORT,
    postgresCheckLabel,
    postgresLogsLabel,
} from "../docker/postgresContainer";
import { awaitAnnotations, unifiedServiceLabels } from "./objectMeta";

/** The Secret's key for the superuser's password (the other two keys are the env vars' names). */
export const SUPERUSER_PASSWORD_KEY = "POSTGRES_PASSWORD";
/** The container's name: the Autodiscovery annotations are keyed by it. */
export const POSTGRES_CONTAINER = "postgres";

export interface PostgresStatefulSetArgs {
    namespace: pulumi.Input<string>;
    /** The StatefulSet's, its headless Service's and its pod's name; the Secret and ConfigMap derive from it. */
    name: string;
    image: string;
    env: string;
    skipAwait: boolean;
}

/**
 * The reference the Agent's secret backend resolves (Datadog's /readsecret_multiple_providers.sh,
 * `ENC[k8s_secret@<namespace>/<secret>/<key>]`): the annotation names the password, never holds it.
 */
export function k8sSecretRef(namespace: string, secret: string, key: string): string {
    return `ENC[k8s_secret@${namespace}/${secret}/${key}]`;
}

/** The pod's Autodiscovery annotations: the Docker label's postgres instance, its password through the secret backend. */
export function postgresAnnotations(env: string, namespace: string, secretName: string): Record<string, string> {
    return {
        [`ad.datadoghq.com/${POSTGRES_CONTAINER}.checks`]: postgresCheckLabel(env, k8sSecretRef(namespace, secretName, AGENT_DB_PASSWORD_ENV)),
        [`ad.datadoghq.com/${POSTGRES_CONTAINER}.logs`]: postgresLogsLabel(),
    };
}

/**
 * PostgreSQL as a one-replica StatefulSet with a headless Service: the same image, postgresql.conf
 * and init scripts as on Docker (from a ConfigMap), its three passwords in a Secret.
 */
export class PostgresStatefulSet extends pulumi.ComponentResource {
    public readonly statefulSet: k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    /** The Secret holding the three passwords (keys POSTGRES_PASSWORD, DATADOG_DB_PASSWORD, APP_DB_PASSWORD). */
    public readonly secret: k8s.core.v1.Secret;
    public readonly secretName: string;
    /** The Service's name: the app's PGHOST. */
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: PostgresStatefulSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("datadog-exercise:kubernetes:PostgresStatefulSet", name, {}, opts);
        const meta = { namespace: args.namespace, annotations: awaitAnnotations(args.skipAwait) };
        const password = (role: string) => new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent: this }).result;

        this.secretName = `${args.name}-passwords`;
        this.secret = new k8s.core.v1.Secret(
            `${name}-passwords`,
            {
                metadata: { name: this.secretName, namespace: args.namespace },
                stringData: {
                    [SUPERUSER_PASSWORD_KEY]: password("superuser"),
                    [AGENT_DB_PASSWORD_ENV]: password("datadog"),
                    [APP_DB_PASSWORD_ENV]: password("app"),
                },
            },
            { parent: this },
        );
        // Flat keys: a ConfigMap key cannot hold a '/'; each is mounted at its own path below.
        const files = new k8s.core.v1.ConfigMap(
            `${name}-files`,
            {
                metadata: { name: `${args.name}-files`, namespace: args.namespace },
                data: {
                    "postgresql.conf": readContainerSrc("postgres/postgresql.conf"),
                    ...Object.fromEntries(INIT_SCRIPTS.map((s) => [s, readContainerSrc(`postgres/${s}`)])),
                },
            },
            { parent: this },
        );

        const labels = { "app.kubernetes.io/name": args.name };
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { ...meta, name: args.name },
                spec: { clusterIP: "None", selector: labels, ports: [{ name: "postgres", port: POSTGRES_PORT }] },
            },
            { parent: this },
        );
        this.serviceName = this.service.metadata.name;

        const fromSecret = (envName: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: this.secret.metadata.name, key } } });
        this.statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            {
                metadata: { ...meta, name: args.name, labels: { ...labels, ...unifiedServiceLabels(args.env, "postgres") } },
                spec: {
                    serviceName: this.service.metadata.name,
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: {
                            labels: { ...labels, ...unifiedServiceLabels(args.env, "postgres") },
                            annotations: pulumi.output(args.namespace).apply((ns) => postgresAnnotations(args.env, ns, this.secretName)),
                        },
                        spec: {
                            containers: [
                                {
                                    name: POSTGRES_CONTAINER,
                                    image: args.image,
                                    args: ["postgres", "-c", `config_file=${POSTGRES_CONF_PATH}`],
                                    ports: [{ name: "postgres", containerPort: POSTGRES_PORT }],
                                    env: [
                                        { name: "POSTGRES_USER", value: "postgres" },
                                        { name: "POSTGRES_DB", value: "postgres" },
                                        // A subfolder: the volume's root may hold lost+found, which initdb refuses.
                                        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                                        fromSecret("POSTGRES_PASSWORD", SUPERUSER_PASSWORD_KEY),
                                        // Read by the init scripts (container-src/postgres/) with psql's \getenv.
                                        fromSecret(AGENT_DB_PASSWORD_ENV, AGENT_DB_PASSWORD_ENV),
                                        fromSecret(APP_DB_PASSWORD_ENV, APP_DB_PASSWORD_ENV),
                                    ],
                                    volumeMounts: [
                                        { name: "data", mountPath: "/var/lib/postgresql/data" },
                                        { name: "files", mountPath: POSTGRES_CONF_PATH, subPath: "postgresql.conf" },
                                        ...INIT_SCRIPTS.map((s) => ({ name: "files", mountPath: `${INIT_SCRIPT_DIR}/${s}`, subPath: s })),
                                    ],
                                    readinessProbe: { exec: { command: ["pg_isready", "-U", "postgres", "-d", "postgres"] }, periodSeconds: 10 },
                                },
                            ],
                            // 0755: the entrypoint checks -x as the postgres user.
                            volumes: [{ name: "files", configMap: { name: files.metadata.name, defaultMode: 0o755 } }],
                        },
                    },
                    volumeClaimTemplates: [
                        { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
                    ],
                },
            },
            { parent: this },
        );

        this.registerOutputs({ serviceName: this.serviceName });
    }
}
