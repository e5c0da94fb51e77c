"""Celery tasks of the notifications: glue around agencies.notify. This one task lives in
the domain app because the domain services enqueue it (after commit) and a domain app never
imports `portal`; the beat's tasks are in portal/tasks.py."""

from celery import shared_task

from . import notify


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_notifications_task(ids: list[int]) -> int:
    """Mail the notifications `ids` to the users who want each event at once."""
    return notify.send_immediate(ids)
