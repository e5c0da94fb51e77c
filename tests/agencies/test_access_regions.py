"""`agencies_for` fails closed on a leader's region (issue 16, finding 6): only the
province's code or one of its regencies' and cities' codes grants anything."""

import pytest

from agencies.access import agencies_for
from agencies.models import Membership, Region
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def agencies():
    province = Region.objects.create(code="52", name="NTB", kind=Region.Kind.PROVINCE)
    lobar = Region.objects.create(code="5201", name="Lombok Barat", kind=Region.Kind.REGENCY)
    return {
        "province": AgencyFactory(region=province),
        "lobar": AgencyFactory(region=lobar),
    }


def _leader_of(code: str, name: str = "somewhere") -> object:
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": Region.Kind.PROVINCE if len(code) == 2 else Region.Kind.REGENCY,
        },
    )
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.LEADER, region=region)
    return user


@pytest.mark.parametrize(
    "code",
    [
        "51",  # another province (Bali)
        "5101",  # a regency of another province
        "520",  # three digits: no BPS code of a region
        "9",  # one digit
    ],
)
def test_a_leader_of_an_unknown_region_sees_nothing(agencies, code):
    assert list(agencies_for(_leader_of(code))) == []
    assert list(agencies_for(_leader_of(code), Role.LEADER)) == []


def test_the_province_and_its_regencies_still_see_their_agencies(agencies):
    assert set(agencies_for(_leader_of("52"))) == set(agencies.values())
    assert list(agencies_for(_leader_of("5201"))) == [agencies["lobar"]]
    # A regency of the province with no agency yet: nothing, but not everything.
    assert list(agencies_for(_leader_of("5208", "Lombok Utara"))) == []


def test_an_unknown_region_does_not_cancel_another_membership(agencies):
    user = _leader_of("51")
    Membership.objects.create(user=user, role=Role.LEADER, region=Region.objects.get(code="5201"))
    assert list(agencies_for(user)) == [agencies["lobar"]]
