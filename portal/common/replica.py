"""Reading public pages from the read replica (DATABASE_REPLICA_URL), never a run it lacks.

An anonymous GET reads from the replica (`portal.db_router`) while the replica is *usable*:
it answers, and the newest published run it holds is the one the primary holds. Each
process checks that at most every `REPLICA_CHECK_SECONDS` (one indexed query on each
database), so a check costs nothing per request. Otherwise the primary serves, and
`/healthz` says why: `stale` (the replica has not received the primary's run yet) or
`unreachable` (it did not answer within `REPLICA_CONNECT_TIMEOUT`). When the primary is the
one that does not answer, the replica serves what it holds.

A run published since the last check is caught per request: the page reads the published
run's id from the cache (`run_to_read`), and a request whose run is not the one the replica
was seen to hold reads from the primary. A replica that fails in the middle of a request
(stopped, a query cancelled by its recovery) is marked unreachable and the page is rendered
again from the primary, so a visitor never sees the failure.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

from performance.models import ScoreRun
from portal.db_router import PRIMARY, REPLICA, reading_from

logger = logging.getLogger(__name__)

OK, STALE, UNREACHABLE, OFF = "ok", "stale", "unreachable", "off"


@dataclass(frozen=True)
class ReplicaState:
    """What the last check found. `replica_run` / `primary_run`: the id of the newest
    published run each holds (0: none yet; None: that database did not answer). `error`:
    the exception's type only (the public /healthz shows it; the log has the message)."""

    state: str
    replica_run: int | None = None
    primary_run: int | None = None
    checked_at: float = 0.0  # time.monotonic()
    error: str = ""

    @property
    def usable(self) -> bool:
        return self.state == OK

    def as_dict(self) -> dict[str, object]:
        age = round(time.monotonic() - self.checked_at, 1) if self.checked_at else None
        found: dict[str, object] = {"state": self.state}
        if self.state != OFF:
            found |= {"run": self.replica_run, "primary_run": self.primary_run}
            found["checked_seconds_ago"] = age
        if self.error:
            found["error"] = self.error
        return found


_state: ReplicaState | None = None
_checking = threading.Lock()


def configured() -> bool:
    return REPLICA in connections.settings


def _latest_run(alias: str) -> tuple[int | None, str]:
    """(id of the newest published run on `alias`, 0 before the first; "") or (None, the
    error's type) when that database does not answer (the message is logged)."""
    try:
        run = ScoreRun.objects.using(alias).latest_published()
    except DatabaseError as exc:
        conn = connections[alias]
        if not conn.in_atomic_block:
            # A dead connection is dropped; the next use connects again.
            with contextlib.suppress(Exception):
                conn.close()
        logger.info("database %r did not answer: %s", alias, exc)
        return None, type(exc).__name__
    return (run.pk if run else 0), ""


def check() -> ReplicaState:
    """Ask both databases now (no memory)."""
    if not configured():
        return ReplicaState(OFF)
    replica_run, error = _latest_run(REPLICA)
    primary_run, _ = _latest_run(PRIMARY)
    now = time.monotonic()
    if replica_run is None:
        return ReplicaState(UNREACHABLE, None, primary_run, now, error)
    if primary_run is not None and primary_run != replica_run:
        return ReplicaState(STALE, replica_run, primary_run, now)
    # The same run on both, or the primary is down: then the replica's is all there is.
    return ReplicaState(OK, replica_run, primary_run, now)


def replica_state() -> ReplicaState:
    """The replica's state as this process last checked it, checked again when that is
    older than REPLICA_CHECK_SECONDS (by one request; the others meanwhile use the last)."""
    global _state
    if not configured():
        return ReplicaState(OFF)
    state = _state
    if state is not None and time.monotonic() - state.checked_at < settings.REPLICA_CHECK_SECONDS:
        return state
    if not _checking.acquire(blocking=state is None):
        return state
    try:
        fresh = check()
        if state is None or fresh.state != state.state:
            log = logger.info if fresh.usable else logger.warning
            log("read replica %s%s", fresh.state, f" ({fresh.error})" if fresh.error else "")
        _state = fresh
        return fresh
    finally:
        _checking.release()


def forget_state() -> None:
    """Check again at the next request (tests)."""
    global _state
    _state = None


def _failed(error: Exception) -> None:
    global _state
    _state = ReplicaState(
        UNREACHABLE,
        primary_run=_state.primary_run if _state else None,  # as last seen
        checked_at=time.monotonic(),
        error=type(error).__name__,
    )
    logger.warning("read replica failed mid-request, the primary serves: %s", error)


def run_to_read(run_id: int) -> int:
    """The published run a request shows, given its id as the cache knows it. On the
    replica: that run when the replica was seen to hold it, else the request moves to the
    primary (which published it); while the primary does not answer, the replica's newest
    run. Elsewhere: `run_id` as it is."""
    state = _state
    if reading_from.get() != REPLICA or state is None:
        return run_id
    if state.primary_run is None and state.replica_run is not None:
        return state.replica_run
    if run_id != state.replica_run:
        reading_from.set(None)
    return run_id


def _reads_replica(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and configured()
        and not request.user.is_authenticated
        and replica_state().usable
    )


class ReplicaMiddleware:
    """Marks an anonymous GET or HEAD to read from the replica while it is usable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _reads_replica(request):
            return self.get_response(request)
        token = reading_from.set(REPLICA)
        try:
            return self.get_response(request)
        finally:
            reading_from.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A replica that fails mid-request: the view again, from the primary (a GET reads
        only; a request that wrote was already reading from the primary)."""
        if reading_from.get() != REPLICA or not isinstance(
            exception, OperationalError | InterfaceError
        ):
            return None
        _failed(exception)
        reading_from.set(None)
        for attribute in ("_published_run", "published_run_id"):
            if hasattr(request, attribute):
                delattr(request, attribute)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            # Django renders a template response only when the view itself returned it.
            response = response.render()
        return response
