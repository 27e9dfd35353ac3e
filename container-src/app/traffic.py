"""Traffic for the demo app: calls its routes at a steady rate, so a new environment's APM pages,
monitors and SLO have data without anyone running curl.

Run in its own container from the app's image: ``python traffic.py`` (standard library only, no
ddtrace: its requests are the app's traces, it has none of its own). Environment:
  TARGET_URL           the app's base URL, e.g. http://app:5050 (required)
  REQUESTS_PER_SECOND  float, default 2; 0 sends nothing and idles until stopped
  SUMMARY_SECONDS      seconds between summary lines (default 60)

The routes come in a fixed cycle of 20 requests: mostly the database route, the error route once
(5 % of requests fail on purpose), and the others. Requests are paced on a clock, one at a time,
each with a 5 s timeout; after a slow response the missed ones go at once, up to CATCH_UP_S's worth
(so the rate holds while the app's slow requests, scenario ``slow``, are a small share), never more
(no long burst after an outage). Its own log is short: a
summary line per SUMMARY_SECONDS and one at exit, as ``traffic: {json}`` with the count of
responses per route and status ("error" when no response came). SIGTERM or SIGINT stops it at
once (a request in flight is dropped); it then prints the last summary and exits 0.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

# Imported now, not by the first request: urllib encodes every host name with the "idna" codec,
# whose first use imports it, and a stop signal that lands in importlib's lock callback is lost
# (Python only prints "Exception ignored in: <function _get_module_lock.<locals>.cb>").
import encodings.idna  # noqa: F401

# One cycle: 12 x the database route, 3 x /api/apm, 3 x /api/trace, 1 x /, 1 x the error route.
CYCLE = (
    ["/api/items", "/api/apm", "/api/items", "/api/trace", "/api/items", "/api/items"] * 3
    + ["/", "/api/error"]
)
REQUEST_TIMEOUT_S = 5.0
# How far behind its clock the generator may fall and still catch up: one timed-out request's worth.
CATCH_UP_S = REQUEST_TIMEOUT_S
USER_AGENT = "exercise-traffic/1.0 (python urllib)"


def _fail(message: str) -> None:
    print(f"traffic: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def read_settings(env: dict[str, str]) -> tuple[str, float, float]:
    target = env.get("TARGET_URL", "").rstrip("/")
    if not target.startswith(("http://", "https://")):
        _fail(f"TARGET_URL must be the app's http(s) URL, e.g. http://app:5050 (got {target!r})")
    try:
        rate = float(env.get("REQUESTS_PER_SECOND", "2"))
        summary_every = float(env.get("SUMMARY_SECONDS", "60"))
    except ValueError as err:
        _fail(f"REQUESTS_PER_SECOND and SUMMARY_SECONDS must be numbers ({err})")
    if not (0 <= rate <= 1000) or summary_every <= 0:
        _fail(f"REQUESTS_PER_SECOND must be 0..1000 and SUMMARY_SECONDS > 0 (got {rate}, {summary_every})")
    return target, rate, summary_every


def call(url: str) -> str:
    """GET url; the response's status code as text, or "error" when no response came."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as resp:
            resp.read()
            return str(resp.status)
    except urllib.error.HTTPError as err:  # 4xx/5xx: a response all the same
        err.read()
        return str(err.code)
    except (OSError, ValueError):  # refused, reset, timed out, DNS not there yet
        return "error"


class Counts:
    def __init__(self) -> None:
        self.by_route: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.since = time.monotonic()

    def add(self, route: str, status: str) -> None:
        self.by_route[route][status] += 1

    def line(self) -> str:
        now = time.monotonic()
        total = sum(sum(c.values()) for c in self.by_route.values())
        summary = {
            "seconds": round(now - self.since, 1),
            "requests": total,
            "responses": {route: dict(sorted(c.items())) for route, c in sorted(self.by_route.items())},
        }
        return "traffic: " + json.dumps(summary, separators=(",", ":"))


class Stopped(BaseException):
    """Raised by the SIGTERM/SIGINT handler to end the run wherever it is (a BaseException, as
    KeyboardInterrupt is, so that no `except Exception` on the way swallows it)."""


# Set by the stop signal's handler. The loop checks it too: an exception raised while a finalizer
# runs (urllib's HTTPError objects have them) is only printed by Python ("Exception ignored ..."),
# so Stopped alone could be lost, with the signal ignored from then on.
_stopping = False


def _on_stop_signal(signum, frame):
    # Raise rather than set a flag that a lock guards: a handler runs in the main thread between two
    # bytecodes, possibly while that thread holds the very lock (a threading.Event set from here
    # can deadlock). A plain global is no lock. Further signals are ignored, so the last summary is
    # printed once.
    global _stopping
    _stopping = True
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped


def run(target: str, rate: float, summary_every: float) -> None:
    """Send requests until SIGTERM or SIGINT (Stopped), then print the last summary."""
    counts = Counts()
    try:
        print(f"traffic: {rate:g} requests/s to {target}" + (" (off: 0 requests/s)" if rate == 0 else ""), flush=True)
        if rate == 0:
            while not _stopping:
                time.sleep(1)
        interval = 1.0 / rate
        next_summary = time.monotonic() + summary_every
        next_at = time.monotonic()
        i = 0
        while not _stopping:
            route = CYCLE[i % len(CYCLE)]
            counts.add(route, call(target + route))
            i += 1
            now = time.monotonic()
            if now >= next_summary:
                print(counts.line(), flush=True)
                counts = Counts()
                next_summary = now + summary_every
            # A steady pace: the next request one interval after the previous one was due; after a
            # slow response, the missed ones at once, but never more than CATCH_UP_S's worth.
            next_at = max(next_at + interval, now - CATCH_UP_S)
            if not _stopping:
                time.sleep(max(0.0, next_at - now))
    except Stopped:
        pass
    print(counts.line(), flush=True)


def main() -> int:
    target, rate, summary_every = read_settings(dict(os.environ))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _on_stop_signal)
    run(target, rate, summary_every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
