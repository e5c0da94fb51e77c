"""Mass assignment (SECURITY.md Z2; ASVS 8.2.3, 15.3.3; WSTG-INPV-20): every form that
writes gets valid data plus forged fields (agency, status, score, who approved or entered
it, another agency's person, service or decision, a version, a locked year...). The stored
rows carry only the legitimate values: the request succeeds with them, or is refused with
nothing saved.

Each case posts once and compares every row of the agencies, performance and rewards tables
(history included) before and after: no new or changed row holds a forged value, and the
case's own check says what was legitimately saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import ServiceMetric, SurveyResponse
from agencies.services import quarter_of
from performance.models import PerformanceContract, Realisation, Target
from rewards.models import Decision, Objection
from tests.portal.workspace.data import contract_of

from .conftest import formset_rows
from .test_authorization_matrix import PERFORMANCE_CSV, post_data, url_of

pytestmark = pytest.mark.django_db
Status = PerformanceContract.Status
LOCKED_YEAR = 2019  # a period no form may write (paper batches: this year and last only)
FORGED_VERSION = 99
FORGED_SCORE = "119.99"


@pytest.fixture
def other(in_world):
    """Agency B's things a forged field can name: its officer (as an actor), its person,
    an approved contract with indicators, its service and a decision about it."""
    w = in_world
    b = w.cast.agency_b
    contract = contract_of(b, status=Status.APPROVED)
    return {
        "agency": b,
        "user": w.users["officer_b"],
        "employee": w.cast.people["dewi"],
        "contract": contract,
        "indicator": contract.indicators.order_by("code").first(),
        "service": w.objects["service_b"],
        "decision": w.objects["decision_b"],
    }


def forged(other: dict) -> dict:
    """Fields no form of the portal takes from the user, with values from agency B."""
    user = other["user"].pk
    return {
        "agency": other["agency"].pk,
        "agency_id": other["agency"].pk,
        "status": "approved",
        "score": FORGED_SCORE,
        "predikat": "Sangat Baik",
        "approved_by": user,
        "decided_by": user,
        "submitted_by": user,
        "entered_by": user,
        "lodged_by": user,
        "answered_by": user,
        "version": FORGED_VERSION,
        "employee": other["employee"].pk,
        "employee_id": other["employee"].pk,
        "nip": other["employee"].nip,
        "channel": SurveyResponse.Channel.IMPORT,
        "service": other["service"].pk,
        "service_id": other["service"].pk,
        "contract": other["contract"].pk,
        "indicator": other["indicator"].pk,
        "decision": other["decision"].pk,
        "year": LOCKED_YEAR,
        "evidence": '{"scores": []}',
    }


# --- the rows before and after ----------------------------------------------------------


def rows() -> dict[tuple[str, object], dict]:
    """Every row of the portal's data tables (history included), by (model, pk)."""
    out = {}
    for label in ("agencies", "performance", "rewards"):
        for model in apps.get_app_config(label).get_models():
            for row in model._default_manager.values():
                out[(model._meta.label, row[model._meta.pk.attname])] = row
    return out


def written(before: dict, after: dict) -> list[tuple[str, dict]]:
    """(model, row) of every row the request created or changed."""
    return [(key[0], row) for key, row in after.items() if before.get(key) != row]


def forged_values_in(changes: list[tuple[str, dict]], other: dict) -> list[str]:
    """The forged values found in the rows a request wrote."""
    user, found = other["user"].pk, []
    wanted = {
        "agency_id": other["agency"].pk,
        "employee_id": other["employee"].pk,
        "service_id": other["service"].pk,
        "contract_id": other["contract"].pk,
        "indicator_id": other["indicator"].pk,
        "decision_id": other["decision"].pk,
        "version": FORGED_VERSION,
        "year": LOCKED_YEAR,
        "channel": SurveyResponse.Channel.IMPORT,
    }
    for model, row in changes:
        for column, value in row.items():
            if column.endswith("_by_id") or column == "history_user_id":
                if value == user:
                    found.append(f"{model}.{column} = agency B's officer")
            elif column in wanted and value == wanted[column]:
                found.append(f"{model}.{column} = {value!r}")
            elif column == "score" and value == Decimal(FORGED_SCORE):
                found.append(f"{model}.score forged")
    return found


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Case:
    who: str
    url: Callable  # (world, other) -> URL
    data: Callable  # (world, other) -> legitimate form data
    check: Callable  # (world, other, response, changes) -> None; asserts what was saved
    refused: bool = False  # the forged data makes the form refuse the whole request


def _contract(w, name: str) -> PerformanceContract:
    return PerformanceContract.objects.get(pk=w.objects[name].pk)


def check_created(w, other, response, changes):
    assert response.status_code == 302
    made = PerformanceContract.objects.get(agency=w.objects["agency"], year=2026, employee=None)
    assert (made.status, made.employee_id, made.version, made.submitted_by_id) == (
        Status.DRAFT,
        None,
        1,
        None,
    )


def check_edited(w, other, response, changes):
    assert response.status_code == 302
    draft = _contract(w, "draft")
    assert (draft.status, draft.agency_id, draft.employee_id) == (
        Status.DRAFT,
        w.objects["agency"].pk,
        None,
    )
    assert all(t.endswith("(diubah)") for t in draft.indicators.values_list("text", flat=True))
    assert other["indicator"].contract_id == other["contract"].pk


def check_foreign_row_ignored(w, other, response, changes):
    """Django's model formset treats a row whose id is outside its queryset as a new, empty
    object and skips it: agency B's indicator is not touched, A's other rows are saved."""
    assert response.status_code == 302
    theirs = other["indicator"]
    assert not [
        row for model, row in changes if model.endswith("Indicator") and row["id"] == theirs.pk
    ]
    theirs.refresh_from_db()
    assert (theirs.contract_id, theirs.text) == (other["contract"].pk, "Indikator 1")


def check_nothing(w, other, response, changes):
    assert response.status_code in (200, 400), response.status_code
    assert changes == []


def check_hidden(w, other, response, changes):
    """Refused like a missing object (a decision outside the leader's authority)."""
    assert response.status_code == 404, response.status_code
    assert changes == []


def check_submitted(w, other, response, changes):
    draft = _contract(w, "draft")
    assert (draft.status, draft.submitted_by_id) == (Status.SUBMITTED, w.users["officer"].pk)


def check_approved_contract(w, other, response, changes):
    contract = _contract(w, "submitted")
    assert contract.status == Status.APPROVED
    assert contract.submitted_by_id != other["user"].pk


def check_returned(w, other, response, changes):
    contract = _contract(w, "submitted")
    assert (contract.status, contract.return_reason) == (Status.RETURNED, "Lengkapi target")


def check_revised(w, other, response, changes):
    assert response.status_code == 302
    contract = _contract(w, "approved")
    assert contract.status == Status.APPROVED
    assert set(
        Target.objects.filter(indicator__contract=contract).values_list("value", flat=True)
    ) == {Decimal(110)}
    assert set(
        Target.objects.filter(indicator=other["indicator"]).values_list("value", flat=True)
    ) == {Decimal(100)}


def check_realised(w, other, response, changes):
    assert response.status_code == 302
    mine = Realisation.objects.filter(indicator__contract=w.objects["approved"], quarter=1)
    assert {(r.value, r.entered_by_id) for r in mine} == {(Decimal(95), w.users["officer"].pk)}
    theirs = Realisation.objects.filter(indicator=other["indicator"], quarter=1)
    assert [r.value for r in theirs] == [Decimal(90)]


def check_imported(w, other, response, changes):
    assert response.status_code == 302
    made = PerformanceContract.objects.get(agency=w.objects["agency"], year=2026, employee=None)
    assert made.employee_id is None
    assert not PerformanceContract.objects.filter(agency=other["agency"], year=2026).exists()


def check_paper(w, other, response, changes):
    assert response.status_code == 302
    now = quarter_of(datetime.date.today())
    new = [row for model, row in changes if model == "agencies.SurveyResponse"]
    assert len(new) == 1
    assert (new[0]["service_id"], new[0]["channel"], new[0]["entered_by_id"]) == (
        w.objects["service"].pk,
        SurveyResponse.Channel.PAPER,
        w.users["officer"].pk,
    )
    assert (new[0]["year"], new[0]["quarter"]) == (now.year, now.quarter)


def check_metrics(w, other, response, changes):
    assert response.status_code == 302
    saved = ServiceMetric.objects.filter(service=w.objects["service"])
    assert {(m.year, m.quarter) for m in saved} == {(2025, 1)}
    assert saved.count() == 3
    assert not ServiceMetric.objects.filter(service=other["service"]).exists()


def _decision(w, name: str) -> Decision:
    return Decision.objects.get(pk=w.objects[name].pk)


def check_decided(status: str):
    def check(w, other, response, changes):
        assert response.status_code == 302
        d = _decision(w, "recommended")
        before = w.objects["recommended"]
        assert (d.status, d.decided_by_id) == (status, w.users["leader"].pk)
        assert (d.agency_id, d.employee_id, d.year, d.evidence) == (
            before.agency_id,
            before.employee_id,
            before.year,
            before.evidence,
        )

    return check


def check_reversed(w, other, response, changes):
    d = _decision(w, "decided")
    assert (d.status, d.decided_by_id, d.reason) == (Decision.Status.RECOMMENDED, None, "")


def check_lodged(w, other, response, changes):
    assert response.status_code == 302
    objection = Objection.objects.get(decision=w.objects["penalty"])
    assert (objection.lodged_by_id, objection.answer, objection.answered_by_id) == (
        w.users["officer"].pk,
        "",
        None,
    )
    assert not Objection.objects.filter(decision=other["decision"]).exists()


def check_answered(w, other, response, changes):
    assert response.status_code == 302
    objection = Objection.objects.get(pk=w.objects["objection"].pk)
    assert (objection.answer, objection.answered_by_id) == (
        "Keberatan diterima",
        w.users["leader"].pk,
    )
    assert (objection.text, objection.lodged_by_id, objection.decision_id) == (
        "Nilai keliru",
        w.users["officer"].pk,
        w.objects["objection"].decision_id,
    )


def check_survey(w, other, response, changes):
    assert response.status_code == 302
    today = datetime.date.today()
    new = [row for model, row in changes if model == "agencies.SurveyResponse"]
    assert len(new) == 1
    assert (new[0]["service_id"], new[0]["channel"], new[0]["entered_by_id"]) == (
        w.objects["service"].pk,
        SurveyResponse.Channel.WEB,
        None,
    )
    assert new[0]["year"] == today.year


def _url(name: str):
    return lambda w, o: url_of(name, w)


def _data(name: str):
    return lambda w, o: post_data(name, w)


def _paper(w, o):
    return {
        **post_data("services:paper", w),
        **{f"p-0-{k}": v for k, v in forged(o).items() if k not in ("year",)},
    }


def _bulk(w, o):
    return {
        **post_data("workspace:bulk_realisations", w),
        f"v{o['contract'].pk}": o["contract"].version,
        f"i{o['indicator'].pk}-value": "999",
    }


def _realisations(w, o):
    return {**post_data("workspace:realisations", w), f"i{o['indicator'].pk}-value": "999"}


def _revise(w, o):
    return {
        **post_data("workspace:contract_revise", w),
        **{f"i{o['indicator'].pk}_q{q}": "999" for q in (1, 2, 3, 4)},
    }


def _edit_foreign_row(w, o):
    data = formset_rows(w.objects["draft"], text_suffix=" (diubah)")
    data["ind-0-id"] = o["indicator"].pk  # agency B's indicator in A's formset
    return data


def _edit(w, o):
    return formset_rows(w.objects["draft"], text_suffix=" (diubah)")


def _edit_moving_a_row(w, o):
    data = formset_rows(w.objects["draft"], text_suffix=" (diubah)")
    data["ind-0-contract"] = o["contract"].pk  # the inline foreign key, to agency B's contract
    return data


CASES = {
    "contract create": Case(
        "officer",
        _url("workspace:contract_create"),
        _data("workspace:contract_create"),
        check_created,
    ),
    "contract edit": Case("officer", _url("workspace:contract_edit"), _edit, check_edited),
    "contract edit naming agency B's indicator": Case(
        "officer", _url("workspace:contract_edit"), _edit_foreign_row, check_foreign_row_ignored
    ),
    "contract edit moving a row to agency B's contract": Case(
        "officer", _url("workspace:contract_edit"), _edit_moving_a_row, check_nothing, True
    ),
    "contract submit": Case(
        "officer",
        _url("workspace:contract_submit"),
        _data("workspace:contract_submit"),
        check_submitted,
    ),
    "contract approve": Case(
        "approver",
        _url("workspace:contract_approve"),
        _data("workspace:contract_approve"),
        check_approved_contract,
    ),
    "contract return": Case(
        "approver",
        _url("workspace:contract_return"),
        _data("workspace:contract_return"),
        check_returned,
    ),
    "contract revise": Case("officer", _url("workspace:contract_revise"), _revise, check_revised),
    "realisations": Case("officer", _url("workspace:realisations"), _realisations, check_realised),
    "realisations in bulk": Case(
        "officer", _url("workspace:bulk_realisations"), _bulk, check_realised
    ),
    "paper survey batch": Case("officer", _url("services:paper"), _paper, check_paper),
    "paper survey batch of a locked year": Case(
        "officer",
        _url("services:paper"),
        lambda w, o: {**post_data("services:paper", w), "year": LOCKED_YEAR},
        check_nothing,
        True,
    ),
    "service metrics": Case(
        "officer", _url("services:metrics_edit"), _data("services:metrics_edit"), check_metrics
    ),
    "decision approve": Case(
        "leader",
        _url("rewards:decide"),
        _data("rewards:decide"),
        check_decided(Decision.Status.APPROVED),
    ),
    "decision reject": Case(
        "leader",
        _url("rewards:decide"),
        lambda w, o: {"action": "reject", "reason": "Data belum lengkap"},
        check_decided(Decision.Status.REJECTED),
    ),
    "decisions in bulk": Case(
        "leader",
        _url("rewards:queue"),
        _data("rewards:queue"),
        check_decided(Decision.Status.APPROVED),
    ),
    "decisions in bulk naming another region's decision": Case(
        "regional",
        _url("rewards:queue"),
        lambda w, o: {
            "decisions": [w.objects["decision_regency"].pk, w.objects["recommended"].pk],
            "action": "approve",
        },
        check_hidden,
        True,
    ),
    "decision reverse": Case(
        "leader", _url("rewards:reverse"), _data("rewards:reverse"), check_reversed
    ),
    "objection lodge": Case(
        "officer",
        _url("staff_decisions:object"),
        _data("staff_decisions:object"),
        check_lodged,
    ),
    "objection answer": Case(
        "leader", _url("rewards:answer"), _data("rewards:answer"), check_answered
    ),
    "public survey": Case(
        "anonymous", _url("agencies:survey"), _data("agencies:survey"), check_survey
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_forged_fields_are_ignored(in_world, other, case):
    w = in_world
    data = {**forged(other), **case.data(w, other)}  # the form's own fields win
    before = rows()
    response = w.client(case.who).post(case.url(w, other), data)
    changes = written(before, rows())
    assert response.status_code < 500
    assert not forged_values_in(changes, other)
    if case.refused:
        assert changes == [], changes
    case.check(w, other, response, changes)


def test_csv_upload_confirm_ignores_forged_fields(in_world, other):
    w = in_world
    client = w.client("officer")
    preview = client.post(
        reverse("workspace:upload"),
        {
            **forged(other),
            "file": SimpleUploadedFile("performance.csv", PERFORMANCE_CSV.encode(), "text/csv"),
        },
    )
    token = preview.context["confirm"]["token"].value()
    before = rows()
    response = client.post(reverse("workspace:upload_confirm"), {**forged(other), "token": token})
    changes = written(before, rows())
    assert not forged_values_in(changes, other)
    check_imported(w, other, response, changes)


def test_csv_upload_naming_another_agency_saves_nothing(in_world, other):
    w = in_world
    client = w.client("officer")
    text = PERFORMANCE_CSV + "DIKBUD,agency,,,2026,1,IKU1,Angka partisipasi,%,higher,1,90,\n"
    before = rows()
    response = client.post(
        reverse("workspace:upload"),
        {**forged(other), "file": SimpleUploadedFile("p.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 400
    assert written(before, rows()) == []


def test_the_detector_sees_a_forged_value(in_world, other):
    """The negative control: a row written with agency B's id or officer is reported."""
    row = {"id": 1, "agency_id": other["agency"].pk, "entered_by_id": other["user"].pk}
    assert len(forged_values_in([("agencies.SurveyResponse", row)], other)) == 2
