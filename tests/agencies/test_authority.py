"""A leader's authority apart from their view (issue 20): `authority_for` and `create_user
--region` (the authority) with `--view-region` (a wider view, by default the same)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.access import agencies_for, authority_for
from agencies.models import Membership, Region
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def agencies():
    regions = {
        code: Region.objects.create(code=code, name=name, kind=Region.kind_for_code(code))
        for code, name in (("52", "NTB"), ("5201", "Lombok Barat"), ("5272", "Kota Bima"))
    }
    return {code: AgencyFactory(region=region) for code, region in regions.items()}


def leader(region: str | None = None, view: str | None = None):
    user = UserFactory()
    Membership.objects.create(
        user=user,
        role=Role.LEADER,
        region=Region.objects.get(code=region) if region else None,
        view_region=Region.objects.get(code=view) if view else None,
    )
    return user


@pytest.mark.parametrize(
    ("region", "view", "sees", "decides"),
    [
        (None, None, {"52", "5201", "5272"}, {"52"}),  # the province: no region
        ("52", None, {"52", "5201", "5272"}, {"52"}),
        ("5272", None, {"5272"}, {"5272"}),
        ("5272", "52", {"52", "5201", "5272"}, {"5272"}),  # a wider view only
        ("5201", None, {"5201"}, {"5201"}),
    ],
)
def test_a_leader_sees_their_view_and_decides_in_their_authority(
    agencies, region, view, sees, decides
):
    user = leader(region, view)
    assert set(agencies_for(user, Role.LEADER)) == {agencies[c] for c in sees}
    assert set(authority_for(user)) == {agencies[c] for c in decides}


def test_nobody_else_has_an_authority(agencies):
    for role in (Role.AUDITOR, Role.HR_OFFICER, Role.APPROVER):
        user = UserFactory()
        agency = agencies["52"] if role in (Role.HR_OFFICER, Role.APPROVER) else None
        Membership.objects.create(user=user, role=role, agency=agency)
        assert not authority_for(user).exists()


def test_an_unknown_region_grants_no_authority(agencies):
    Region.objects.create(code="51", name="Bali", kind=Region.Kind.PROVINCE)
    assert not authority_for(leader("51")).exists()


def test_create_user_sets_the_authority_and_by_default_the_same_view(agencies):
    call_command(
        "create_user", "walikota", "--role", "leader", "--region", "5272", stdout=io.StringIO()
    )
    m = Membership.objects.get(user__username="walikota")
    assert (m.region.code, m.view_region) == ("5272", None)
    out = io.StringIO()
    call_command(
        "create_user",
        "walikota",
        "--role",
        "leader",
        "--region",
        "5272",
        "--view-region",
        "52",
        stdout=out,
    )
    m.refresh_from_db()
    assert (Membership.objects.filter(user=m.user).count(), m.view_region.code) == (1, "52")
    assert "sees 52" in out.getvalue()
    user = get_user_model().objects.get(username="walikota")
    assert set(authority_for(user)) == {agencies["5272"]}
    assert set(agencies_for(user, Role.LEADER)) == set(agencies.values())
    assert m.history.first().history_user.username == "system-cli"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view-region", "5201"], "not wider than the authority 52"),
        (["--region", "5272", "--view-region", "5201"], "not wider than the authority 5272"),
        (["--region", "5272", "--view-region", "9999"], "not wider"),
    ],
)
def test_create_user_refuses_a_view_narrower_than_the_authority(agencies, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "x", "--role", "leader", *args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_view_region_goes_with_leaders_only(agencies):
    with pytest.raises(CommandError, match="--view-region goes with --role leader only"):
        call_command("create_user", "x", "--role", "auditor", "--view-region", "52")
