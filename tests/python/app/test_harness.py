"""The app harness itself: starting the server survives a probed port taken meanwhile, even by a
server that answers /health."""

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


# A minimal server on $PORT that answers 200 to everything: it fails on a taken port at once
# (gunicorn retries its bind for 5 s first), which keeps the give-up test fast.
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


def test_start_app_retries_on_a_new_port_when_the_probed_one_is_taken(monkeypatch, fake_agent, taken_port):
    probed = iter([taken_port, harness.free_port()])
    monkeypatch.setattr(harness, "free_port", lambda: next(probed))

    # The Dockerfile's CMD: gunicorn's own "Connection in use" exit must be recognised.
    app = harness.start_app(harness.dockerfile_cmd(), fake_agent.url)
    try:
        assert app.port != taken_port
        assert app.get("/health")[0] == 200
    finally:
        app.stop()


def test_start_app_gives_up_after_three_taken_ports(monkeypatch, fake_agent, taken_port):
    calls = []
    monkeypatch.setattr(harness, "free_port", lambda: calls.append(taken_port) or taken_port)

    with pytest.raises(harness.PortTaken, match=f"port {taken_port} taken"):
        harness.start_app(TINY_SERVER, fake_agent.url, bound=TINY_SERVER_BOUND)
    assert len(calls) == harness.START_TRIES == 3
