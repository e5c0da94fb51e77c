"""Who may see and change which agencies' data: every workspace and dashboard queryset starts
here, so an object-level check is one filter, the same everywhere. (The login-and-role
decorator of the staff pages is `portal.common.decorators.staff_view`.)"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from .models import Agency, AgencyQuerySet, Membership

Role = Membership.Role
# Who reads the leaders' dashboard and its decision queue.
DASHBOARD_ROLES = (Role.LEADER, Role.AUDITOR)


def _memberships(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region"))
        user._memberships_cache = cached
    return cached


def agencies_for(user: AbstractBaseUser | AnonymousUser, *roles: str) -> AgencyQuerySet:
    """The agencies on which `user` holds any of `roles` (all roles when none given).
    An agency role covers that agency and its units; a leader's region covers its agencies
    (no region: the province); an auditor covers everything. Anonymous: nothing."""
    wanted = set(roles) or set(Role.values)
    condition = Q(pk__in=[])
    for m in _memberships(user):
        if m.role not in wanted:
            continue
        if m.role in (Role.HR_OFFICER, Role.APPROVER):
            condition |= Q(pk=m.agency_id) | Q(parent_id=m.agency_id)
        elif m.role == Role.LEADER and m.region is not None and len(m.region.code) == 4:
            condition |= Q(region_id=m.region_id)
        else:  # a province-wide leader, or an auditor
            return Agency.objects.all()
    return Agency.objects.filter(condition)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return any(m.role in roles for m in _memberships(user))


def may_use_dashboard(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Leaders (of a region or the province) and auditors."""
    return has_role(user, *DASHBOARD_ROLES)
