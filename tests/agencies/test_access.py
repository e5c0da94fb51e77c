import pytest
from django.contrib.auth.models import AnonymousUser

from agencies.access import agencies_for, has_role
from agencies.models import Membership, Region
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def province():
    lobar = Region.objects.create(code="5201", name="Lombok Barat", kind=Region.Kind.REGENCY)
    prov = Region.objects.create(code="52", name="NTB", kind=Region.Kind.PROVINCE)
    a = AgencyFactory(region=prov)
    unit = AgencyFactory(region=prov, parent=a)
    b = AgencyFactory(region=prov)
    c = AgencyFactory(region=lobar)
    return {"a": a, "unit": unit, "b": b, "c": c, "lobar": lobar, "prov": prov}


def test_anonymous_sees_no_agency(province):
    assert list(agencies_for(AnonymousUser())) == []


def test_officer_sees_own_agency_and_its_units_only(province):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.HR_OFFICER, agency=province["a"])
    assert set(agencies_for(user)) == {province["a"], province["unit"]}
    assert province["b"] not in agencies_for(user, Role.HR_OFFICER)


def test_officer_role_does_not_grant_approval(province):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.HR_OFFICER, agency=province["a"])
    assert list(agencies_for(user, Role.APPROVER)) == []
    assert has_role(user, Role.HR_OFFICER) and not has_role(user, Role.APPROVER)


def test_regency_leader_sees_that_regency_only(province):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.LEADER, region=province["lobar"])
    assert set(agencies_for(user)) == {province["c"]}


def test_province_leader_and_auditor_see_everything(province):
    for role, region in (
        (Role.LEADER, province["prov"]),
        (Role.LEADER, None),
        (Role.AUDITOR, None),
    ):
        user = UserFactory()
        Membership.objects.create(user=user, role=role, region=region)
        assert agencies_for(user).count() == 4


def test_inactive_user_sees_nothing(province):
    user = UserFactory(is_active=False)
    Membership.objects.create(user=user, role=Role.AUDITOR)
    assert list(agencies_for(user)) == []
