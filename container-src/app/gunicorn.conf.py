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
