"""Helpers shared by the pytest suites under tests/python and by tests/bench/app_bench.py.

pytest.ini puts this folder on sys.path (`pythonpath = .`), so test modules and conftest files
`import support` while pytest keeps --import-mode=importlib for the tests themselves; the benchmark
script adds the folder to sys.path itself.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago. Someone else may take it before the
    caller binds it: callers that start a server on it retry with a new port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_module(name: str, path: Path, keep: bool = True) -> ModuleType:
    """Import the file `path` as the module `name` (for files that are not on sys.path, or not in a
    package). With keep, the module stays registered in sys.modules (other code may then
    `import name`) and a second call returns it; without, every call is a fresh import that leaves
    sys.modules as it was."""
    if keep and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    if not keep:
        del sys.modules[name]
    return module


def stop_process(proc: subprocess.Popen, timeout: float, group: bool = False) -> None:
    """SIGTERM `proc` and wait up to `timeout` s, then SIGKILL it. With group (for a process
    started with start_new_session=True), then SIGKILL whatever is left of its process group:
    workers and helpers it started."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def read_line(proc: subprocess.Popen, timeout: float) -> str:
    """The next line of `proc`'s stdout pipe, waiting at most `timeout` s. Returns '' when the
    process closed its stdout (it exited) and raises TimeoutError when no whole line came in time;
    the reader thread then ends once the caller stops the process."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise TimeoutError(f"no line from pid {proc.pid} within {timeout}s") from None
