"""The database router: the reads of an anonymous request to the read replica, when the
request has been marked for it (`portal.common.replica.ReplicaMiddleware`); every write, and
every read of a request not so marked (signed-in users, POSTs, the nightly job, commands),
to the primary ("default").

The mark is a context variable, so it belongs to the request being served (a thread of a
threaded server, or a gunicorn worker's one request) and never outlives it. A request that
writes reads from the primary from then on, so it reads what it wrote.
"""

from __future__ import annotations

import contextvars

REPLICA = "replica"
PRIMARY = "default"

# The alias the current request reads from: None (the primary) or REPLICA.
reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reading_from", default=None
)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        # PRIMARY, not None: an object read from the replica before the request moved to the
        # primary must not take its related objects from the replica (Django's fallback).
        return reading_from.get() or PRIMARY

    def db_for_write(self, model, **hints) -> str:
        if reading_from.get() is not None:
            # Read-your-writes: the replica has not received this write yet.
            reading_from.set(None)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: an object read from either relates to any.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        # A standby is read-only; it receives the primary's schema by replication.
        return db != REPLICA
