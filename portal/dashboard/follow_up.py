"""The leaders' page of service follow-up (`/dashboard/follow-up/`): the services of their
agencies whose survey results call for a follow-up plan that none answers, and the plans
past their due date. Read from the data as it stands (plans and survey answers), by the rule
of `performance.followup`, for the agencies the user sees on the dashboard only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Service
from performance import followup
from portal.common.runs import published_run

from . import queries as q
from .views import _queue_url, dashboard_view


@dashboard_view
def follow_up(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    today = q.today_wita()
    services = Service.objects.filter(agency__in=q.dashboard_agencies(request.user))
    found = followup.findings(services, today=today, scheme_for=followup.scheme_reader(run))
    return render(
        request,
        "dashboard/follow_up.html",
        {
            "run": run,
            "today": today,
            "unanswered": followup.unanswered(found.values()),
            "overdue": list(followup.overdue_plans(services, today)),
            "queue_url": _queue_url(),
        },
    )
