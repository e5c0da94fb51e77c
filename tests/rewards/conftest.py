import pytest

from tests.factories import EmployeeFactory
from tests.rewards.data import published_run, recommend, regency_agency


@pytest.fixture
def world(cast):
    """The cast plus an agency in Lombok Barat with its own leader and HR officer, and
    recommendations: in DIKES a reward (ani), a coaching (budi) and a penalty (citra); in
    DIKBUD a penalty (dewi); in Lombok Barat a penalty (eko)."""
    from agencies.models import Membership
    from tests.factories import UserFactory
    from tests.rewards.data import leader_of

    regency = regency_agency()
    people = {
        "ani": EmployeeFactory(agency=cast.agency_a, name="Ani"),
        "budi": EmployeeFactory(agency=cast.agency_a, name="Budi"),
        "citra": EmployeeFactory(agency=cast.agency_a, name="Citra"),
        "dewi": EmployeeFactory(agency=cast.agency_b, name="Dewi"),
        "eko": EmployeeFactory(agency=regency, name="Eko"),
    }
    run = published_run()
    by_subject = recommend(
        run,
        {
            people["ani"]: "115",
            people["budi"]: "60",
            people["citra"]: "40",
            people["dewi"]: "30",
            people["eko"]: "20",
        },
    )
    cast.regency = regency
    cast.regency_leader = leader_of(regency.region, "regency_leader")
    officer = UserFactory(username="officer_regency", email="hr@lobar.example")
    Membership.objects.create(user=officer, role=Membership.Role.HR_OFFICER, agency=regency)
    cast.officer_regency = officer
    cast.people = people
    cast.decisions = {name: by_subject[p.pk] for name, p in people.items()}
    cast.run = run
    return cast
