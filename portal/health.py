"""`/healthz`: what the monitoring asks (database, cache, the age of the latest published run,
and the read replica's state)."""

import datetime

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from performance.models import ScoreRun
from portal.common.replica import replica_state

from .models import NightlyRun

MAX_RUN_AGE = datetime.timedelta(hours=48)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and the age of the latest published run; 503 when the database is
    down or the latest run is older than 48 hours, unless a night since found its inputs
    unchanged (the run is then still current: `checked_at`). `replica`: the read replica's
    state as this process last checked it (`off`, `ok`, `stale` or `unreachable`); a stale or
    unreachable replica alone is no 503, since the primary then serves its reads."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        # The primary's, even for a request that reads from the replica.
        run = ScoreRun.objects.using(DEFAULT_DB_ALIAS).latest_published()
        # The last night that found the inputs unchanged since that run: it is still current.
        checked = (
            NightlyRun.objects.using(DEFAULT_DB_ALIAS)
            .filter(status=NightlyRun.Status.UNCHANGED, run=run)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
            if run is not None
            else None
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"error: {type(exc).__name__}"
        healthy, run, checked = False, None, None
    try:
        cache.set("healthz", "1", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {type(exc).__name__}"
    if run is not None:
        current_at = run.published_at
        if checked is not None and checked > current_at:
            current_at = checked
        age = timezone.now() - current_at
        checks["latest_run"] = {
            "id": run.pk,
            "published_at": run.published_at.isoformat(),
            "checked_at": checked.isoformat() if checked else None,
            "age_hours": round(age.total_seconds() / 3600, 1),
        }
        healthy = healthy and age <= MAX_RUN_AGE
    else:
        checks["latest_run"] = None
        healthy = False
    checks["replica"] = replica_state().as_dict()
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)
