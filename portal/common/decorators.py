"""The decorator of every staff page (workspace, decisions, services, dashboard)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from agencies.access import has_role
from agencies.models import Membership


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every workspace, decision and service page: login required (anonymous users go to the
    login page), at least one role (an account without any gets a 403 page saying so, not
    empty pages), and never cached anywhere. Object-level checks stay in each view
    (`agencies_for`)."""

    @wraps(view)
    def with_role(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not has_role(request.user, *Membership.Role.values):
            return render(request, "registration/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return never_cache(login_required(with_role))
