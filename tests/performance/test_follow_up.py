"""Which services call for a follow-up plan (rencana tindak lanjut, issue 21): the pure rule
(grade C or D, or an element's mean answer below the scheme's threshold, only with enough
respondents), the latest graded quarter of the last four closed ones, and which plans answer
the call."""

import datetime
from decimal import Decimal

import pytest

from agencies.models import ANSWER_FIELDS, FollowUpPlan
from performance import followup, scoring
from performance.models import ScoringScheme
from tests.conftest import AFTER_2025
from tests.factories import ServiceFactory, SurveyResponseFactory

Status = FollowUpPlan.Status
SCHEME = scoring.DEFAULT_SCHEME


def sums(*means, n=10):
    """The nine element sums of `n` respondents whose mean answers are `means` (nine)."""
    return [int(m * n) for m in means]


# --- the pure rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element_sums", "n", "expected"),
    [
        # every element 3.5: IKM 87.50, grade B, nothing weak
        (sums(*[3.5] * 9), 10, None),
        # every element 2.9: IKM 72.50, grade C, and no element below 2.75
        (sums(*[2.9] * 9), 10, scoring.FollowUpCall("C", ())),
        # every element 2.5: grade D, every element weak
        (sums(*[2.5] * 9), 10, scoring.FollowUpCall("D", tuple(range(1, 10)))),
        # grade B overall, but U3 (completion time) at 2.7 is below 2.75
        (sums(3.6, 3.6, 2.7, 3.6, 3.6, 3.6, 3.6, 3.6, 3.6), 10, scoring.FollowUpCall("B", (3,))),
        # exactly 2.75 is not below the threshold (27.5 of 10 is not whole: use 20 people)
        (sums(3.5, 3.5, 2.75, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, n=20), 20, None),
        # a hair below 2.75 with 20 people: 54 / 20 = 2.70
        ([70, 70, 54, 70, 70, 70, 70, 70, 70], 20, scoring.FollowUpCall("B", (3,))),
        # grade D but only 9 respondents: no grade, no call
        (sums(*[2.0] * 9, n=9), 9, None),
        (sums(*[2.0] * 9, n=0), 0, None),
    ],
)
def test_follow_up_call(element_sums, n, expected):
    assert scoring.follow_up_call(element_sums, n, SCHEME) == expected


def test_the_threshold_is_the_schemes():
    strict = scoring.Scheme(follow_up_nrr_below=Decimal("3.5"))
    grade_b = sums(*[3.4] * 9)
    assert scoring.follow_up_call(grade_b, 10, SCHEME) is None
    assert scoring.follow_up_call(grade_b, 10, strict) == scoring.FollowUpCall(
        "B", tuple(range(1, 10))
    )


@pytest.mark.django_db
def test_a_stored_scheme_holds_the_threshold_with_its_default():
    scheme = ScoringScheme.objects.create(year=2025)
    assert scheme.follow_up_nrr_below == Decimal("2.75")
    assert scheme.as_scheme().follow_up_nrr_below == Decimal("2.75")
    assert scheme.snapshot()["follow_up_nrr_below"] == "2.75"
    # A run recorded before the threshold existed reads the default.
    assert scoring.Scheme.from_snapshot({"cap": "120"}).follow_up_nrr_below == Decimal("2.75")


def test_recent_closed_quarters_cross_the_year():
    # On 1 February 2026 Q4 2025 has closed (15 grace days), Q1 2026 has not.
    assert followup.recent_closed_quarters(AFTER_2025, 15) == [
        (2025, 4),
        (2025, 3),
        (2025, 2),
        (2025, 1),
    ]
    assert followup.recent_closed_quarters(datetime.date(2026, 5, 1), 15, 2) == [
        (2026, 1),
        (2025, 4),
    ]


# --- over the database --------------------------------------------------------------------------


def answer(service, quarter, n, mean, year=2025, **elements):
    """`n` respondents in `quarter` answering `mean` to every element but `elements`."""
    values = dict.fromkeys(ANSWER_FIELDS, mean) | elements
    SurveyResponseFactory.create_batch(n, service=service, year=year, quarter=quarter, **values)


def found(*services, today=AFTER_2025):
    ids = [s.pk for s in services]
    return followup.findings(
        type(services[0]).objects.filter(pk__in=ids),
        today=today,
        scheme_for=followup.scheme_reader(None),
    )


def plan(service, *, year=2025, quarter=4, status=Status.PLANNED):
    return FollowUpPlan.objects.create(
        service=service,
        year=year,
        quarter=quarter,
        action="Menambah petugas",
        unit="Bidang Pelayanan",
        due_date=datetime.date(2026, 6, 30),
        status=status,
        completed_on=datetime.date(2026, 1, 20) if status == Status.DONE else None,
    )


@pytest.mark.django_db
def test_a_c_graded_latest_quarter_calls_for_a_plan(cast):
    service = ServiceFactory(agency=cast.agency_a)
    answer(service, 3, 10, 4)  # Q3: grade A
    answer(service, 4, 10, 3, u3=1)  # Q4: U3 at 1.0 pulls the IKM to 69.44, grade C
    finding = found(service)[service.pk]
    assert (finding.year, finding.quarter) == (2025, 4)
    assert finding.ikm.grade == "C" and finding.ikm.respondents == 10
    assert finding.call.weak == (3,)
    assert [(code, nrr) for code, _name, nrr in finding.weak_elements] == [("U3", Decimal(1))]
    assert not finding.answered


@pytest.mark.django_db
def test_a_good_later_quarter_clears_the_call_and_too_few_answers_change_nothing(cast):
    better = ServiceFactory(agency=cast.agency_a)
    answer(better, 2, 10, 2)  # D in Q2
    answer(better, 3, 10, 4)  # A in Q3: the latest graded quarter
    answer(better, 4, 3, 1)  # 3 answers in Q4: no grade, ignored
    worse = ServiceFactory(agency=cast.agency_a)
    answer(worse, 3, 10, 2)  # D in Q3: the latest graded quarter
    answer(worse, 4, 4, 4)  # too few to clear it
    result = found(better, worse)
    assert better.pk not in result
    assert (result[worse.pk].quarter, result[worse.pk].ikm.grade) == (3, "D")


@pytest.mark.django_db
def test_only_the_last_four_closed_quarters_count(cast):
    old = ServiceFactory(agency=cast.agency_a)
    answer(old, 4, 10, 2, year=2024)  # five quarters back on 1 February 2026
    open_quarter = ServiceFactory(agency=cast.agency_a)
    answer(open_quarter, 1, 10, 2, year=2026)  # Q1 2026 is still open
    assert found(old, open_quarter) == {}


@pytest.mark.parametrize(
    ("year", "quarter", "status", "answered"),
    [
        (2025, 4, Status.DONE, True),  # a plan for the very quarter, done
        (2025, 3, Status.IN_PROGRESS, True),  # an earlier plan still being worked on
        (2025, 3, Status.PLANNED, True),
        (2025, 3, Status.DONE, False),  # an earlier plan, done: the new results need another
    ],
)
@pytest.mark.django_db
def test_which_plans_answer_a_call(cast, year, quarter, status, answered):
    service = ServiceFactory(agency=cast.agency_a)
    answer(service, 4, 10, 2)
    plan(service, year=year, quarter=quarter, status=status)
    assert found(service)[service.pk].answered is answered
    one = followup.finding_for(service, today=AFTER_2025, run=None)
    assert one.answered is answered


@pytest.mark.django_db
def test_a_stricter_stored_scheme_calls_for_more_plans(cast):
    service = ServiceFactory(agency=cast.agency_a)
    answer(service, 4, 10, 3, u1=4, u2=4, u3=4, u4=4)  # mean 3.44: IKM 86.11, grade B
    assert found(service) == {}
    ScoringScheme.objects.create(year=2025, follow_up_nrr_below=Decimal("3.1"))
    assert found(service)[service.pk].call == scoring.FollowUpCall("B", (5, 6, 7, 8, 9))


@pytest.mark.django_db
def test_findings_take_three_queries_however_many_services(cast, django_assert_max_num_queries):
    services = [ServiceFactory(agency=cast.agency_a) for _ in range(6)]
    for s in services:
        answer(s, 4, 10, 2)
        plan(s)
    ScoringScheme.objects.create(year=2025)
    ScoringScheme.objects.create(year=2026)
    with django_assert_max_num_queries(5):  # 3, and the two years' schemes
        result = found(*services)
    assert len(result) == 6 and all(f.answered for f in result.values())


@pytest.mark.django_db
def test_overdue_plans_are_the_open_ones_past_their_due_date(cast):
    service = ServiceFactory(agency=cast.agency_a)
    late = plan(service, status=Status.IN_PROGRESS)
    plan(service, status=Status.DONE)  # done: never overdue
    on_time = plan(service)
    on_time.due_date = datetime.date(2026, 7, 1)
    on_time.save()
    day = datetime.date(2026, 7, 1)
    assert list(followup.overdue_plans(type(service).objects.all(), day)) == [late]
    assert late.is_overdue(day) and not on_time.is_overdue(day)
