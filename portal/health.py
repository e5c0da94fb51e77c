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

MAX_RUN_AGE = datetime.timedelta(hours=48)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and the age of the latest published run; 503 when the database is
    down or the latest run is older than 48 hours. `replica`: the read replica's state as
    this process last checked it (`off`, `ok`, `stale` or `unreachable`); a stale or
    unreachable replica alone is no 503, since the primary then serves its reads."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        # The primary's, even for a request that reads from the replica.
        run = ScoreRun.objects.using(DEFAULT_DB_ALIAS).latest_published()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"error: {type(exc).__name__}"
        healthy, run = False, None
    try:
        cache.set("healthz", "1", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {type(exc).__name__}"
    if run is not None:
        age = timezone.now() - run.published_at
        checks["latest_run"] = {
            "id": run.pk,
            "published_at": run.published_at.isoformat(),
            "age_hours": round(age.total_seconds() / 3600, 1),
        }
        healthy = healthy and age <= MAX_RUN_AGE
    else:
        checks["latest_run"] = None
        healthy = False
    checks["replica"] = replica_state().as_dict()
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)
