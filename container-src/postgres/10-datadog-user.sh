#!/usr/bin/env bash
# Creates the `datadog` login role the Datadog Agent's postgres check connects as.
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
-- pg_stat_scan_tables) and CONNECT to this database; nothing else.
GRANT pg_monitor TO datadog;
GRANT CONNECT ON DATABASE :"DBNAME" TO datadog;
-- PostgreSQL 15+ already gives PUBLIC no CREATE on schema public; make it explicit.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
