"""Who did what, for the write paths that have no row-by-row history of their own (imports,
survey batches, service figures, the nightly job): `record(...)` writes an `AuditEvent`.
Processes (management commands, the Celery worker) act as named system users."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .csvio import ImportResult
from .models import AuditEvent

SYSTEM_PREFIX = "system-"


def system_actor(name: str):
    """The inactive user a process acts as ("system-cli", "system-nightly"): it can never log
    in (no usable password, inactive), but every record it writes names it."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"{SYSTEM_PREFIX}{name}",
        defaults={"is_active": False, "first_name": "System", "last_name": name},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def record(
    actor, action: str, subject: str, *, agency_id: int | None = None, **details
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, action=action, subject=subject[:300], agency_id=agency_id, details=details
    )


def import_details(result: ImportResult) -> dict:
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
