"""gunicorn settings for the APM demo app (the Dockerfile's CMD passes this file).

Workers and threads, chosen for this deployment:
- The demo host has 2 cores, shared with the Datadog Agent and PostgreSQL containers.
- The handlers are I/O-light and finish in well under a millisecond; per request the CPU
  goes to Flask's routing and ddtrace's spans, not to waiting.
- ddtrace runs per worker process: each has its own tracer, its own background trace
  writer thread and its own memory, so every extra process costs RAM and a writer.
So: 2 worker processes (one per core: real parallelism past the GIL, and one can serve
while the other restarts) with the gthread worker and 4 threads each (a slow or
keep-alive client holds a thread, not a process). The usual "2 x cores + 1" sync workers
would mean 5 processes, 5 tracers and 5 writers for no gain on CPU-light handlers.
GUNICORN_WORKERS / GUNICORN_THREADS override both without rebuilding the image.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5050')}"
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# At most 8 open client connections per worker (2 per thread; 16 for the container). The workers
# share one listening socket, and a gthread worker accepts whatever is pending while the other is
# busy or descheduled: keep-alive clients that connect in a burst (wrk's 16, a load balancer's
# pool) could all land in one worker and stay there, leaving the other core idle: half the
# throughput, in about one short benchmark run in three on a loaded host. With the cap, a worker
# stops accepting at 8 and the other takes the rest. A 17th simultaneous connection waits in the
# kernel's backlog until one closes (idle keep-alive connections close after 2 s); raise
# GUNICORN_WORKER_CONNECTIONS for a load test with more clients.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "8"))

# No preload: each worker imports the app after the fork, so ddtrace's writer threads
# start in the process that uses them.
preload_app = False

# The app logs one correlated line per request to stdout (app.py); gunicorn's own
# access log would be a second, uncorrelated line, so it stays off.
accesslog = None
errorlog = "-"
loglevel = "info"

# Worker heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"
graceful_timeout = 10

# gunicorn 27's runtime control socket (for gunicornc) is not used here; off, so nothing
# is written under $HOME (the image's user has none) and parallel runs don't share a path.
control_socket_disable = True
