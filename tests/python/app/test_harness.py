"""The app harness itself: starting the server survives a probed port taken meanwhile, even by a
server that answers /health, and knows gunicorn's own word for it."""

import re
import socket
import sys
import threading

import pytest

import exercise_app_harness as harness


@pytest.fixture
def taken_port():
    """A port someone else listens on (on every interface, as gunicorn binds 0.0.0.0) and answers
    200 to any request, /health included: the harness must not take it for the app."""
    stop = threading.Event()
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        s.settimeout(0.1)

        def close_every_connection():
            while not stop.is_set():
                try:
                    conn, _ = s.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        conn.recv(4096)
                        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    except OSError:
                        pass

        closer = threading.Thread(target=close_every_connection, daemon=True)
        closer.start()
        try:
            yield s.getsockname()[1]
        finally:
            stop.set()
            closer.join(timeout=5)


# A minimal server on $PORT that answers 200 to everything and fails on a taken port at once.
TINY_SERVER = [
    sys.executable,
    "-c",
    "import os, http.server as h\n"
    "class H(h.BaseHTTPRequestHandler):\n"
    "    def do_GET(self): self.send_response(200); self.end_headers()\n"
    "s = h.HTTPServer(('0.0.0.0', int(os.environ['PORT'])), H)\n"
    "print('tiny server bound', file=__import__('sys').stderr, flush=True)\n"
    "s.serve_forever()\n",
]
TINY_SERVER_BOUND = lambda port: re.compile("tiny server bound")  # noqa: E731

# gunicorn with the Dockerfile CMD's own arguments, minus the 1 s sleeps between its 5 tries to
# bind a taken port (5 s before it exits); ddtrace-run plays no part in it.
GUNICORN_WITHOUT_BIND_RETRY_SLEEPS = [
    sys.executable,
    "-c",
    "import sys, time\n"
    "time.sleep = lambda seconds: None\n"
    "from gunicorn.app.wsgiapp import run\n"
    "sys.argv[0] = 'gunicorn'\n"
    "run()\n",
    *harness.dockerfile_cmd()[2:],
]


def test_start_app_retries_on_a_new_port_when_the_probed_one_is_taken(monkeypatch, trace_agent, taken_port):
    probed = iter([taken_port, harness.free_port()])
    monkeypatch.setattr(harness, "free_port", lambda: next(probed))

    app = harness.start_app(TINY_SERVER, trace_agent.url, bound=TINY_SERVER_BOUND)
    try:
        assert app.port != taken_port
        assert app.get("/health")[0] == 200
    finally:
        app.stop()


def test_gunicorns_exit_on_a_taken_port_is_recognised_as_port_taken(trace_agent, taken_port):
    assert harness.dockerfile_cmd()[:2] == ["ddtrace-run", "gunicorn"]

    with pytest.raises(harness.PortTaken, match=f"port {taken_port} taken"):
        harness._start_app_once(GUNICORN_WITHOUT_BIND_RETRY_SLEEPS, trace_agent.url, taken_port, harness.gunicorn_bound)


def test_start_app_gives_up_after_three_taken_ports(monkeypatch, trace_agent, taken_port):
    calls = []
    monkeypatch.setattr(harness, "free_port", lambda: calls.append(taken_port) or taken_port)

    with pytest.raises(harness.PortTaken, match=f"port {taken_port} taken"):
        harness.start_app(TINY_SERVER, trace_agent.url, bound=TINY_SERVER_BOUND)
    assert len(calls) == harness.START_TRIES == 3
