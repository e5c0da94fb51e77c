"""Who may see and change which agencies' data: every workspace and dashboard queryset starts
here, so an object-level check is one filter, the same everywhere. (The login-and-role
decorator of the staff pages is `portal.common.decorators.staff_view`.)"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q

from .models import Agency, AgencyQuerySet, Membership, Region

Role = Membership.Role
# Who reads the leaders' dashboard and its decision queue.
DASHBOARD_ROLES = (Role.LEADER, Role.AUDITOR)

# What auditors read in the admin (a view permission each, nothing else): the portal's data,
# its audit trail and logs, and who holds which account and role. An allow-list, so deny by
# default: a model not named here (authenticator devices, sessions, enrolment codes, any
# model added later) stays closed to auditors until somebody adds it here on purpose.
AUDITOR_MODELS = (
    "agencies.agency",
    "agencies.auditevent",
    "agencies.membership",
    "agencies.region",
    "agencies.sampledata",
    "agencies.service",
    "agencies.servicemetric",
    "agencies.surveyrefusal",
    "agencies.surveyresponse",
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "performance.employee",
    "performance.indicator",
    "performance.performancecontract",
    "performance.personaldataaccess",
    "performance.realisation",
    "performance.score",
    "performance.scorerun",
    "performance.scoringscheme",
    "performance.target",
    "portal.nightlyrun",
    "rewards.decision",
    "rewards.objection",
    "rewards.rule",
)


def _is_regency_of_the_province(code: str) -> bool:
    """A regency's or city's BPS code in this province: four digits, the province's first."""
    return len(code) == 4 and code.isdigit() and code.startswith(Region.PROVINCE_CODE)


def _memberships(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region", "view_region"))
        user._memberships_cache = cached
    return cached


def agencies_for(user: AbstractBaseUser | AnonymousUser, *roles: str) -> AgencyQuerySet:
    """The agencies on which `user` holds any of `roles` (all roles when none given).
    An agency role covers that agency and its units; a leader's region covers its agencies
    (no region, or the province's code: the province); an auditor covers everything.
    Anonymous: nothing. A leader's region that is neither the province nor one of its
    regencies or cities grants nothing (fail closed), whatever else its code looks like."""
    wanted = set(roles) or set(Role.values)
    condition = Q(pk__in=[])
    for m in _memberships(user):
        if m.role not in wanted:
            continue
        if m.role in (Role.HR_OFFICER, Role.APPROVER):
            condition |= Q(pk=m.agency_id) | Q(parent_id=m.agency_id)
        elif m.role == Role.LEADER and (m.view_region or m.region) is not None:
            seen = m.view_region or m.region
            if seen.code == Region.PROVINCE_CODE:
                return Agency.objects.all()
            if _is_regency_of_the_province(seen.code):
                condition |= Q(region_id=seen.pk)
        else:  # a province-wide leader (no region), or an auditor
            return Agency.objects.all()
    return Agency.objects.filter(condition)


def authority_for(user: AbstractBaseUser | AnonymousUser) -> AgencyQuerySet:
    """The agencies on whose decisions `user` acts as a leader (DESIGN.md, Integrity): the
    authority that holds their civil servants. A province leader (no region, or the
    province's code): the province's own agencies (region 52), not the regencies' and
    cities'; a regency's or city's leader: that region's agencies. However wide a leader's
    view (`Membership.view_region`), this never widens. Anyone else: nothing. Fails closed
    like `agencies_for` on a region that is not the province's."""
    condition = Q(pk__in=[])
    for m in _memberships(user):
        if m.role != Role.LEADER:
            continue
        if m.region is None or m.region.code == Region.PROVINCE_CODE:
            condition |= Q(region__code=Region.PROVINCE_CODE)
        elif _is_regency_of_the_province(m.region.code):
            condition |= Q(region_id=m.region_id)
    return Agency.objects.filter(condition)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return any(m.role in roles for m in _memberships(user))


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The roles the user holds (on any agency or region)."""
    return {m.role for m in _memberships(user)}


def may_use_dashboard(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Leaders (of a region or the province) and auditors."""
    return has_role(user, *DASHBOARD_ROLES)


def civil_servant_of(user: AbstractBaseUser | AnonymousUser) -> Model | None:
    """The civil servant (`performance.Employee`) whose own account `user` is, or None
    (anonymous, inactive, or an account not linked to anyone). Self-service reads start here:
    a civil servant sees the records whose `employee` is this one and nobody else's, whatever
    their account may also be (a civil servant's account holds no `Membership`, so every
    staff page refuses it). Read through the reverse one-to-one link, so that this module
    needs no import of the `performance` app above it."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.civil_servant
    except ObjectDoesNotExist:
        return None


# --- the other way round: who acts on an agency (whom to tell) ------------------------------


def _active(role: str):
    return Membership.objects.filter(role=role, user__is_active=True)


def users_with_role_on(agency_ids: Iterable[int], role: str) -> dict[int, set[int]]:
    """{agency id: ids of the active users holding agency `role` (HR officer, approver) on
    it}: the agency's own and its parent's, as `agencies_for` grants them. Two queries."""
    parents = dict(Agency.objects.filter(pk__in=set(agency_ids)).values_list("pk", "parent_id"))
    wanted = set(parents) | {p for p in parents.values() if p}
    holders: dict[int, set[int]] = {}
    for agency_id, user_id in (
        _active(role).filter(agency_id__in=wanted).values_list("agency_id", "user_id")
    ):
        holders.setdefault(agency_id, set()).add(user_id)
    return {
        pk: holders.get(pk, set()) | (holders.get(parent, set()) if parent else set())
        for pk, parent in parents.items()
    }


def leaders_over(agency_ids: Iterable[int]) -> dict[int, set[int]]:
    """{agency id: ids of the active leaders whose authority (`authority_for`) holds it}: a
    province agency (region 52) the province's leaders (no region, or the province's code),
    a regency's or city's agency that region's leaders. Two queries."""
    regions = dict(Agency.objects.filter(pk__in=set(agency_ids)).values_list("pk", "region__code"))
    province: set[int] = set()
    by_region: dict[str, set[int]] = {}
    for code, user_id in _active(Role.LEADER).values_list("region__code", "user_id"):
        if code is None or code == Region.PROVINCE_CODE:
            province.add(user_id)
        elif _is_regency_of_the_province(code):
            by_region.setdefault(code, set()).add(user_id)
    return {
        pk: set(province) if code == Region.PROVINCE_CODE else set(by_region.get(code, set()))
        for pk, code in regions.items()
    }
