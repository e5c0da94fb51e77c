"""Audit completeness (ASVS V16): every write path leaves an audit record naming its actor.
Web forms name the signed-in user; management commands the "system-cli" user; the nightly
rules the "system-rules" user. Each test drives one path and counts the records."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import AuditEvent, Membership, ServiceMetric
from performance.models import PerformanceContract, Realisation, Target
from portal import nightly
from rewards import services as decisions
from rewards.models import Decision
from tests.factories import AgencyFactory, EmployeeFactory, ServiceFactory
from tests.portal.workspace.data import contract_of, keep_quarters_open

pytestmark = pytest.mark.django_db
Status = PerformanceContract.Status


def test_web_bulk_realisations_name_the_officer_on_every_changed_row(cast):
    keep_quarters_open(2025)  # entered in time (late changes: their own tests)
    contracts = [contract_of(cast.agency_a, status=Status.APPROVED, indicators=2, realised=False)]
    contracts += [
        contract_of(
            cast.agency_a,
            status=Status.APPROVED,
            indicators=1,
            realised=False,
            employee=EmployeeFactory(agency=cast.agency_a),
        )
        for _ in range(3)
    ]
    data = {f"v{c.pk}": c.version for c in contracts}
    indicators = [i for c in contracts for i in c.indicators.all()]
    data.update({f"i{i.pk}-value": "12" for i in indicators})
    url = reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 2])
    assert cast.client(cast.officer_a).post(url, data).status_code == 302
    records = Realisation.history.filter(quarter=2)
    assert records.count() == len(indicators) == 5
    assert {r.history_user_id for r in records} == {cast.officer_a.pk}


def test_command_import_names_the_cli_system_user(tmp_path, cast):
    path = tmp_path / "performance.csv"
    path.write_text(
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation\n"
        "DIKES,agency,,,2025,1,IKU1,Persalinan di faskes,%,higher,40,85,88.2\n"
        "DIKES,agency,,,2025,2,IKU1,Persalinan di faskes,%,higher,40,85,\n"
    )
    call_command("import_performance", str(path))
    targets = Target.history.all()
    assert targets.count() == 2
    assert {r.history_user.username for r in targets} == {"system-cli"}
    assert Realisation.objects.get().entered_by.username == "system-cli"
    event = AuditEvent.objects.get()
    assert (event.actor.username, event.action, event.subject) == (
        "system-cli",
        "import:import_performance",
        "performance.csv",
    )
    assert event.details["rows"] == 2
    # The system user can never log in.
    assert not event.actor.is_active and not event.actor.has_usable_password()


@pytest.mark.parametrize(
    ("command", "name", "text"),
    [
        (
            "import_agencies",
            "agencies.csv",
            "code,name,acronym,region_code,region_name,sector\n"
            "DISHUB,Dinas Perhubungan,DISHUB,52,Nusa Tenggara Barat,Transportasi\n",
        ),
        (
            "import_survey",
            "survey.csv",
            "agency_code,service_code,service_name,year,quarter,u1,u2,u3,u4,u5,u6,u7,u8,u9\n"
            "DIKES,RJ,Rawat jalan,2025,1,3,3,3,3,3,3,3,3,3\n",
        ),
        (
            "import_service_metrics",
            "service_metrics.csv",
            "agency_code,service_code,year,quarter,kind,value\nDIKES,RJ,2025,1,applications,12\n",
        ),
    ],
)
def test_every_import_command_leaves_an_event(tmp_path, cast, command, name, text):
    ServiceFactory(agency=cast.agency_a, code="RJ")
    path = tmp_path / name
    path.write_text(text)
    call_command(command, str(path))
    event = AuditEvent.objects.get()
    assert event.actor.username == "system-cli"
    assert event.action == f"import:{command}" and event.subject == name
    assert event.details["rows"] == 1


def test_create_user_names_who_granted_the_role(cast):
    call_command("create_user", "ana", "--role", "hr_officer", "--agency", "DIKES")
    grant = Membership.history.get(user__username="ana")
    assert grant.history_user.username == "system-cli"


def test_the_nightly_rules_name_the_rules_system_user(db):
    agency = AgencyFactory()
    contract = contract_of(agency, status=Status.APPROVED, indicators=1, realised=False)
    indicator = contract.indicators.get()
    for q in (1, 2, 3, 4):
        Realisation.objects.create(indicator=indicator, quarter=q, value=Decimal(30))
    entry = nightly.run_nightly(night=datetime.date(2026, 3, 2))
    created = Decision.history.filter(history_type="+")
    assert created.count() == Decision.objects.count() > 0
    assert {r.history_user.username for r in created} == {"system-rules"}
    event = AuditEvent.objects.get(action="rules")
    assert event.actor.username == "system-rules"
    assert event.subject == f"score run {entry.run_id}"
    assert event.details["recommended"] == created.count()


def test_a_leaders_decision_names_the_leader(cast):
    from tests.rewards.data import build_world

    world = build_world(cast)
    decision = world.decisions["citra"]
    decisions.decide_one(user=cast.leader, decision=decision, approve=True)
    change = decision.history.filter(status=Decision.Status.APPROVED).get()
    assert change.history_user == cast.leader


def test_a_paper_batch_names_the_officer(cast):
    from tests.portal.workspace.test_services import batch, paper_url

    service = ServiceFactory(agency=cast.agency_a)
    rows = [{f"u{i}": 3 for i in range(1, 10)} for _ in range(4)]
    response = cast.client(cast.officer_a).post(paper_url(service), batch(rows, year=2026))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="survey:paper")
    assert (event.actor, event.agency, event.details) == (
        cast.officer_a,
        cast.agency_a,
        {"responses": 4},
    )


def test_service_figures_name_the_officer_with_before_and_after(cast):
    from tests.portal.workspace.test_services_metrics import edit_url, figures

    service = ServiceFactory(agency=cast.agency_a, standard_days=5)
    client = cast.client(cast.officer_a)
    client.post(edit_url(service), figures())
    client.post(edit_url(service), figures())  # unchanged: no event
    client.post(edit_url(service), figures(applications="130"))
    events = list(AuditEvent.objects.filter(action="service:metrics").order_by("pk"))
    assert len(events) == 2
    assert {e.actor for e in events} == {cast.officer_a}
    assert events[1].details == {
        "before": {"applications": "120.00"},
        "after": {"applications": "130"},
    }
    assert ServiceMetric.objects.get(kind="applications").value == 130
