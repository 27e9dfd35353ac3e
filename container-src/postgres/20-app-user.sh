#!/usr/bin/env bash
# Creates the `app` login role the demo app (container-src/app, route GET /api/items) connects as,
# and the data it reads: the table app.items, seeded with a few rows.
#
# Run by the official postgres image's entrypoint from /docker-entrypoint-initdb.d/ on the first start
# (empty data directory), after 10-datadog-user.sh (the entrypoint runs the scripts in name order);
# executed if it is executable, else sourced: so it changes no shell options and never calls `exit`.
#
# The password comes from the environment variable APP_DB_PASSWORD and is handled as
# 10-datadog-user.sh handles the datadog one: never in this file, never on a command line (psql reads
# it with \getenv), never in the server log (this session turns statement logging off first).
# Idempotent: running it again re-applies the password, attributes and grants, and adds missing rows.
set -Eeo pipefail

: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set to the app role password (it is empty or unset)}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\set VERBOSITY terse
\set SHOW_CONTEXT never

SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
SET log_min_duration_sample = -1;

SELECT 'CREATE ROLE app' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app')
\gexec

\getenv app_pw APP_DB_PASSWORD
ALTER ROLE app WITH LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_pw';
\unset app_pw

-- The app's data lives in schema `app`, owned by the superuser running this script (not by the
-- role: an owner could create, alter and drop there). For role `app`, "$user" in the default
-- search_path is this schema; the app still names it (app.items), so that the Agent's explain
-- function, which plans the query under the datadog role's search_path, finds the table too.
CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE IF NOT EXISTS app.items (
    id integer PRIMARY KEY,
    name text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0)
);
INSERT INTO app.items (id, name, price_cents) VALUES
    (1, 'espresso', 250),
    (2, 'cappuccino', 350),
    (3, 'flat white', 380),
    (4, 'croissant', 220),
    (5, 'banana bread', 300)
ON CONFLICT (id) DO NOTHING;

-- Least privilege: what GET /api/items needs, nothing more. CONNECT to this database, USAGE on the
-- schema, SELECT on the table. (PUBLIC's defaults still apply: CONNECT to the other databases and
-- reading the system catalogs; 10-datadog-user.sh took TEMPORARY and the large-object writers
-- from PUBLIC.)
GRANT CONNECT ON DATABASE :"DBNAME" TO app;
GRANT USAGE ON SCHEMA app TO app;
GRANT SELECT ON app.items TO app;
-- Defense in depth: its sessions start read-only (the grants above are what enforce it).
ALTER ROLE app SET default_transaction_read_only = on;
SQL
