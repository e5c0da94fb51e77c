"""Run something that enqueues mail tasks with a real Celery worker (against REDIS_URL, CI)
and wait for the mails: the worker runs in a thread of this process, so the locmem backend's
`mail.outbox` receives them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from portal.celery import app


def through_worker(enqueue: Callable[[], object], mails: int, timeout: float = 60) -> set[str]:
    """Start a worker, call `enqueue`, and return the names of the threads that ran tasks
    once `mails` mails have arrived (waiting a moment more, so one too many would show)."""
    threads: set[str] = set()

    def after_task(**kwargs):
        threads.add(threading.current_thread().name)
        connections.close_all()

    task_postrun.connect(after_task, weak=False)
    try:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            enqueue()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if threads and len(mail.outbox) >= mails:
                    time.sleep(0.5)
                    return threads
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(after_task)
    raise AssertionError(f"the worker did not send {mails} mails within {timeout} s")
