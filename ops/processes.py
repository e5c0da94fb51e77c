"""Processes on loopback for the fault battery (`ops/chaos.py`) and the benchmarks (`bench/`):
a free port, waiting for a condition, stopping a process group, and gunicorn serving the
portal."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 0.1):
    """`check()`'s first true result within `timeout` seconds (exceptions count as false);
    TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def stop_group(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a process started in its own session, and everything in its process group:
    SIGTERM, then SIGKILL for what is left (pool children) after `timeout` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def start_gunicorn(
    env: dict[str, str], log: Path, *, port: int, workers: int = 1, timeout: int = 60
) -> subprocess.Popen:
    """gunicorn serving the portal on 127.0.0.1:`port`, in a session of its own (so
    `stop_group` stops its workers too), its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 (this interpreter's gunicorn, fixed arguments)
            [
                sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                "--workers", str(workers), "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout),
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def http_status(port: int, path: str) -> int:
    """The status of GET `path` on 127.0.0.1:`port` (OSError while nothing listens)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], log: Path, *, workers: int = 1, ready_path: str = "/healthz"
) -> Iterator[str]:
    """Serve the portal with gunicorn on a free loopback port until the block ends; yields
    its base URL once `ready_path` answers 200."""
    port = free_port()
    proc = start_gunicorn(env, log, port=port, workers=workers)
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
            return http_status(port, ready_path) == 200

        try:
            wait_for("gunicorn", ready, timeout=60, every=0.2)
        except TimeoutError as exc:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}") from exc
            raise
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_group(proc)
