#!/usr/bin/env bash
# Creates the `datadog` login role the Datadog Agent's postgres check connects as, and what Database
# Monitoring needs in every database (pg_stat_statements, schema datadog, datadog.explain_statement).
#
# Run by the official postgres image's entrypoint from /docker-entrypoint-initdb.d/ on the first start
# (empty data directory), executed if it is executable, else sourced into the entrypoint's shell:
# so this file changes no shell options beyond the entrypoint's own and never calls `exit`.
# The entrypoint provides POSTGRES_USER (a superuser) and POSTGRES_DB, and a temporary server that
# listens only on the unix socket, so nothing else is connected while this runs.
#
# The password comes from the environment variable DATADOG_DB_PASSWORD:
# - it is never written in this file;
# - it never appears on a command line (visible in `ps`): psql reads it itself with \getenv;
# - it never reaches the server log: the server runs with log_statement = 'all', so the session
#   turns statement logging off (superuser-only settings) before the statement that carries it.
# Idempotent: running it again re-applies the password, attributes and grants.
set -Eeo pipefail

: "${DATADOG_DB_PASSWORD:?DATADOG_DB_PASSWORD must be set to the datadog role password (it is empty or unset)}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
-- Client-side errors show only the message, never the text of the failing statement.
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- Keep this session's statements, including failed ones and slow ones, out of the server log.
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
SET log_min_duration_sample = -1;

-- Create the role once (no password yet), then (re)apply everything, so a rerun also works.
SELECT 'CREATE ROLE datadog' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'datadog')
\gexec

\getenv datadog_pw DATADOG_DB_PASSWORD
ALTER ROLE datadog WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'datadog_pw';
\unset datadog_pw

-- Least privilege: read-only monitoring (pg_monitor: pg_read_all_settings, pg_read_all_stats,
-- pg_stat_scan_tables) and CONNECT to this database; below, per database, USAGE on the schemas
-- datadog and public and EXECUTE on datadog.explain_statement (Database Monitoring); nothing else.
GRANT pg_monitor TO datadog;
GRANT CONNECT ON DATABASE :"DBNAME" TO datadog;
-- It cannot write anywhere. By default PUBLIC (so every role) may create temporary tables in
-- every database: take that away in each existing database. (A database created later gets the
-- default again: revoke it there too.)
SELECT format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', datname) FROM pg_catalog.pg_database
\gexec
-- Defense in depth: its sessions start read-only (a session can still turn this off for itself,
-- so the revokes in this file are what actually enforce it).
ALTER ROLE datadog SET default_transaction_read_only = on;
-- The server logs every statement (log_statement = 'all'), but the Agent's postgres check runs
-- the same queries every run: keep those out of the log (noise that Datadog would bill as logs).
-- Only a superuser can set log_statement, so the role's own sessions cannot turn it back on. Its
-- errors (log_min_error_statement) and statements slower than log_min_duration_statement are
-- still logged: rare, and worth seeing.
ALTER ROLE datadog SET log_statement = 'none';
SQL

# Function privileges, schemas and extensions belong to each database: apply the rest in every
# database that accepts connections, template1 included, so databases created from it later inherit it.
dd_databases=$(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --tuples-only --no-align --command 'SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 1')
while IFS= read -r dd_db; do
    [ -n "$dd_db" ] || continue
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$dd_db" <<'SQL'
\set VERBOSITY terse
-- PostgreSQL 15+ already gives PUBLIC no CREATE on schema public; make it explicit.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Functions EXECUTE-able by PUBLIC that write: large objects (create, import, write, truncate,
-- unlink) and WAL messages. Revoked by name, whatever their signatures in this server version.
SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::pg_catalog.regprocedure)
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace
  AND p.proname IN ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import', 'lo_put', 'lowrite',
                    'lo_truncate', 'lo_truncate64', 'lo_unlink', 'pg_logical_emit_message')
ORDER BY 1
\gexec

-- Database Monitoring, as Datadog documents it for a self-hosted PostgreSQL 15+ ("Grant the Agent
-- access": https://docs.datadoghq.com/database_monitoring/setup_postgres/selfhosted/), in every
-- database: pg_stat_statements (preloaded by postgresql.conf), and a schema `datadog` that the role
-- may use but not create in (its owner is the superuser running this script).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE SCHEMA IF NOT EXISTS datadog;
GRANT USAGE ON SCHEMA datadog TO datadog;
GRANT USAGE ON SCHEMA public TO datadog;
-- The function the Agent calls to collect explain plans, as the docs give it. SECURITY DEFINER, so
-- it plans any query of any role; EXPLAIN without ANALYZE plans a statement, never runs it. Only the
-- datadog role may call it (functions are executable by PUBLIC by default).
CREATE OR REPLACE FUNCTION datadog.explain_statement(
   l_query TEXT,
   OUT explain JSON
)
RETURNS SETOF JSON AS
$$
DECLARE
curs REFCURSOR;
plan JSON;

BEGIN
   OPEN curs FOR EXECUTE pg_catalog.concat('EXPLAIN (FORMAT JSON) ', l_query);
   FETCH curs INTO plan;
   CLOSE curs;
   RETURN QUERY SELECT plan;
END;
$$
LANGUAGE 'plpgsql'
RETURNS NULL ON NULL INPUT
SECURITY DEFINER;
REVOKE EXECUTE ON FUNCTION datadog.explain_statement(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION datadog.explain_statement(TEXT) TO datadog;
SQL
done <<< "$dd_databases"
unset dd_db dd_databases
