"""seed_demo's service standards and follow-up plans (issue 21): every service but two has a
standard, three plans of services that call for one (one overdue, one done for an earlier
quarter), deterministic and idempotent."""

import datetime

import pytest

from agencies.models import Agency, FollowUpPlan, Region, Service
from portal.demo import services_standard, tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_services():
    """The demo's regions, agencies and services, as the imports would have made them."""
    regions = {
        code: Region.objects.create(code=code, name=name, kind=Region.kind_for_code(code))
        for code, name in tables.REGIONS
    }
    for spec in tables.AGENCIES:
        agency = Agency.objects.create(
            code=spec.code, slug=spec.code.lower(), name=spec.name, region=regions[spec.region]
        )
        Service.objects.bulk_create(
            Service(agency=agency, code=s.code, name=s.name, standard_days=s.standard_days)
            for s in spec.services
        )
    return Service.objects.count()


def rows():
    return {
        "services": list(
            Service.objects.order_by("pk").values_list(
                "requirements", "procedure", "location", "standard_updated_at"
            )
        ),
        "plans": list(FollowUpPlan.objects.order_by("pk").values()),
        "updates": list(
            FollowUpPlan.objects.order_by("pk").values_list("updates__on", "updates__status")
        ),
    }


def test_every_service_but_two_gets_a_standard_and_three_plans(demo_services):
    assert services_standard.seed() == {"standards": demo_services - 2, "plans": 3}
    ktp = Service.objects.get(agency__code="BIMA-DUKCAPIL", code="KTP-EL")
    assert ktp.requirements.splitlines()[1] == "Kartu Keluarga (asli)"
    assert ktp.location.endswith("Kota Bima") and ktp.complaint_url == "https://www.lapor.go.id"
    igd = Service.objects.get(agency__code="RSUDP", code="IGD")
    assert igd.opening_hours == "24 jam setiap hari" and "Retribusi" in igd.fee_note
    bare = Service.objects.get(agency__code="BPKAD", code="PINJAM-ASET")
    assert bare.requirements == "" and bare.standard_updated_at is None


def test_one_plan_is_overdue_from_the_reference_day_on_and_one_is_done(demo_services):
    services_standard.seed()
    overdue = [p for p in FollowUpPlan.objects.all() if p.is_overdue(tables.REFERENCE_DAY)]
    assert [(p.service.agency.code, p.service.code) for p in overdue] == [
        ("BIMA-DUKCAPIL", "KTP-EL")
    ]
    assert overdue[0].is_overdue(datetime.date.today())
    done = FollowUpPlan.objects.get(status=FollowUpPlan.Status.DONE)
    assert (done.service.code, done.completed_on) == ("DTKS", datetime.date(2026, 6, 26))
    assert done.updates.count() == 2
    # Dated as a real plan would be, not at the moment of seeding.
    assert overdue[0].created_at.date() == datetime.date(2026, 10, 12)


def test_seeding_again_changes_nothing(demo_services):
    services_standard.seed()
    before = rows()
    services_standard.seed()
    assert rows() == before
