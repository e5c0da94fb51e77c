"""The decorators of every staff page (workspace, decisions, services, dashboard) and of a
civil servant's own pages (/workspace/me/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from agencies.access import civil_servant_of, has_role
from agencies.models import Membership


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every workspace, decision and service page: login required (anonymous users go to the
    login page), at least one role (an account without any gets a 403 page saying so, not
    empty pages), and never cached anywhere. Object-level checks stay in each view
    (`agencies_for`)."""

    @wraps(view)
    def with_role(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not has_role(request.user, *Membership.Role.values):
            own = civil_servant_of(request.user) is not None
            return render(request, "registration/no_role.html", {"own": own}, status=403)
        return view(request, *args, **kwargs)

    return never_cache(login_required(with_role))


def civil_servant_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every page of a civil servant's own records: login required, an account linked to a
    civil servant (any other account, staff included, gets a 403 page saying so), never
    cached. The view gets that civil servant as its second argument and reads only their
    records through it."""

    @wraps(view)
    def with_record(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        employee = civil_servant_of(request.user)
        if employee is None:
            return render(request, "registration/not_a_civil_servant.html", status=403)
        return view(request, employee, *args, **kwargs)

    return never_cache(login_required(with_record))
