"""The process harness the fault battery and the benchmarks share (ops/processes.py)."""

import os
import socket
import subprocess
import sys
import time

import pytest

from ops import processes


def test_a_free_port_can_be_bound():
    port = processes.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_wait_for_returns_the_first_true_result_and_names_what_timed_out():
    calls = iter([None, 0, ValueError("not yet"), "ready"])

    def check():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert processes.wait_for("thing", check, timeout=5, every=0.01) == "ready"
    with pytest.raises(TimeoutError, match="never: not within"):
        processes.wait_for("never", lambda: False, timeout=0.2, every=0.05)


def test_stop_group_stops_the_process_and_its_children():
    script = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(child.pid, flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True
    )
    child = int(proc.stdout.readline())
    started = time.monotonic()
    processes.stop_group(proc, timeout=5)
    assert proc.poll() is not None
    assert time.monotonic() - started < 5

    def child_gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        # A zombie until its parent (gone) is reaped by init: read its state.
        with open(f"/proc/{child}/stat") as stat:
            return stat.read().split()[2] == "Z"

    assert processes.wait_for("child stopped", child_gone, timeout=5)
