"""Fixtures shared by every folder: the real PostgreSQL server and its roles (postgres_harness.py),
used by the postgres tests and by the app's database-route tests alike, one server per session."""

pytest_plugins = ["postgres_harness"]
