"""Realisations: the per-quarter screen of a contract, evidence files (type, size, private
serving), the bulk screen of an agency, and concurrent entry."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.models import PerformanceContract, Realisation
from tests.factories import EmployeeFactory

from .data import JPG, PDF, PNG, contract_of, keep_quarters_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]


@pytest.fixture(autouse=True)
def _in_time(db):
    """Realisations of 2025 entered in time: these tests are not about late changes."""
    keep_quarters_open(2025)


Status = PerformanceContract.Status


def rows(contract, quarter_values: dict[str, str], version=None, **extra) -> dict:
    data = {"version": contract.version if version is None else version}
    for ind in contract.indicators.all():
        if ind.code in quarter_values:
            data[f"i{ind.pk}-value"] = quarter_values[ind.code]
    data.update(extra)
    return data


def prefix(contract, code: str) -> str:
    return f"i{contract.indicators.get(code=code).pk}"


@pytest.fixture
def approved(cast):
    return contract_of(cast.agency_a, status=Status.APPROVED, realised=False)


def test_quarter_screen_lists_every_indicator(officer_a, approved):
    page = officer_a.get(reverse("workspace:realisations", args=[approved.pk, 2]))
    assert page.status_code == 200
    assert [f.indicator.code for f in page.context["forms"]] == ["IKU1", "IKU2", "IKU3"]


def test_officer_enters_a_quarter_on_an_approved_contract(officer_a, approved, cast):
    officer_a.cookies["lang"] = "id"  # numbers typed the Indonesian way: 88,5
    url = reverse("workspace:realisations", args=[approved.pk, 2])
    response = officer_a.post(
        url,
        rows(
            approved,
            {"IKU1": "88,5", "IKU2": "101", "IKU3": ""},
            **{f"{prefix(approved, 'IKU2')}-explanation": "Program baru"},
        ),
    )
    assert response.status_code == 302
    saved = {r.indicator.code: r for r in Realisation.objects.select_related("indicator")}
    assert set(saved) == {"IKU1", "IKU2"}
    assert saved["IKU1"].value == Decimal("88.5")
    assert saved["IKU2"].explanation == "Program baru"
    assert saved["IKU1"].entered_by == cast.officer_a
    approved.refresh_from_db()
    assert approved.version == 2
    assert approved.history.latest().history_change_reason.endswith(": IKU1, IKU2")


def test_emptying_a_realisation_deletes_it_and_keeps_history(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=1)  # Q1 realised at 90
    officer_a.post(
        reverse("workspace:realisations", args=[contract.pk, 1]), rows(contract, {"IKU1": ""})
    )
    assert not Realisation.objects.exists()
    assert Realisation.history.filter(history_type="-", value=90).exists()


def test_explanation_without_value_is_refused(officer_a, approved):
    response = officer_a.post(
        reverse("workspace:realisations", args=[approved.pk, 1]),
        rows(approved, {}, **{f"{prefix(approved, 'IKU1')}-explanation": "kenapa"}),
    )
    assert response.status_code == 400
    assert not Realisation.objects.exists()


@pytest.mark.parametrize("value", ["-1", "abc", "NaN", "12345678901234567"])
def test_invalid_values_are_refused_and_nothing_saved(officer_a, approved, value):
    response = officer_a.post(
        reverse("workspace:realisations", args=[approved.pk, 1]),
        rows(approved, {"IKU1": "50", "IKU2": value}),
    )
    assert response.status_code == 400
    assert not Realisation.objects.exists()


def test_quarter_outside_1_to_4_is_404(officer_a, approved):
    assert (
        officer_a.get(reverse("workspace:realisations", args=[approved.pk, 5])).status_code == 404
    )


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("bukti.pdf", PDF, "application/pdf"),
        ("foto.PNG", PNG, "image/png"),
        ("foto.jpeg", JPG, "image/jpeg"),
    ],
)
def test_evidence_upload_is_stored_privately_and_served_to_readers(
    officer_a, approved, cast, private_media, name, content, kind
):
    p = prefix(approved, "IKU1")
    response = officer_a.post(
        reverse("workspace:realisations", args=[approved.pk, 1]),
        {
            **rows(approved, {"IKU1": "90"}),
            f"{p}-evidence_file": SimpleUploadedFile(name, content, content_type="text/plain"),
        },
    )
    assert response.status_code == 302
    realisation = Realisation.objects.get()
    stored = realisation.evidence_file.name
    assert stored.startswith("evidence/") and name not in stored  # a generated name
    assert (private_media / "private" / stored).read_bytes() == content
    assert realisation.evidence_name == name
    url = reverse("workspace:evidence", args=[realisation.pk])
    for user in (cast.officer_a, cast.approver_a, cast.auditor):
        served = cast.client(user).get(url)
        assert served.status_code == 200
        assert served["Content-Type"] == kind
        assert b"".join(served.streaming_content) == content
        assert served["Content-Security-Policy"].startswith("default-src 'none'")
    assert cast.client(cast.officer_b).get(url).status_code == 404
    assert cast.client(None).get(url).status_code == 302


@pytest.mark.parametrize(
    "name, content",
    [
        ("bukti.exe", PDF),  # wrong extension
        ("bukti.docx", b"PK\x03\x04"),
        ("bukti.pdf", b"MZ\x90\x00 not a pdf"),  # right extension, wrong content
        ("foto.png", JPG),  # a JPEG named .png
        ("bukti.html", b"<script>alert(1)</script>"),
        ("bukti", PDF),  # no extension
    ],
)
def test_evidence_of_the_wrong_type_is_refused(officer_a, approved, private_media, name, content):
    p = prefix(approved, "IKU1")
    response = officer_a.post(
        reverse("workspace:realisations", args=[approved.pk, 1]),
        {**rows(approved, {"IKU1": "90"}), f"{p}-evidence_file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert "evidence_file" in response.context["forms"][0].errors
    assert not Realisation.objects.exists()
    assert not (private_media / "private" / "evidence").exists()


def test_oversize_evidence_is_refused(officer_a, approved, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    p = prefix(approved, "IKU1")
    response = officer_a.post(
        reverse("workspace:realisations", args=[approved.pk, 1]),
        {
            **rows(approved, {"IKU1": "90"}),
            f"{p}-evidence_file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
        },
    )
    assert response.status_code == 400
    assert "MB" in " ".join(response.context["forms"][0].errors["evidence_file"])
    assert not Realisation.objects.exists()


def test_evidence_can_be_removed_and_history_keeps_its_name(officer_a, approved):
    p = prefix(approved, "IKU1")
    url = reverse("workspace:realisations", args=[approved.pk, 1])
    officer_a.post(
        url,
        {**rows(approved, {"IKU1": "90"}), f"{p}-evidence_file": SimpleUploadedFile("a.pdf", PDF)},
    )
    approved.refresh_from_db()
    officer_a.post(url, {**rows(approved, {"IKU1": "90"}), f"{p}-clear_evidence": "on"})
    realisation = Realisation.objects.get()
    assert not realisation.evidence_file
    assert realisation.history.filter(evidence_name="a.pdf").exists()


def test_concurrent_quarter_entry_is_refused(cast, approved):
    first, second = cast.client(cast.officer_a), cast.client(cast.officer_a)
    url = reverse("workspace:realisations", args=[approved.pk, 1])
    assert first.post(url, rows(approved, {"IKU1": "70"}, version=1)).status_code == 302
    response = second.post(url, rows(approved, {"IKU1": "80", "IKU2": "10"}, version=1))
    assert response.status_code == 409
    assert list(Realisation.objects.values_list("value", flat=True)) == [70]
    message = " ".join(str(m) for m in response.context["messages"])
    assert "Q1 realisations: IKU1" in message and "officer_a" in message


@pytest.fixture
def agency_contracts(cast):
    pk = contract_of(cast.agency_a, status=Status.APPROVED, indicators=2, realised=False)
    skps = [
        contract_of(
            cast.agency_a,
            status=Status.APPROVED,
            indicators=1,
            realised=False,
            employee=EmployeeFactory(agency=cast.agency_a),
        )
        for _ in range(3)
    ]
    return [pk, *skps]


def bulk_data(contracts, values: dict[int, str], versions=None) -> dict:
    data = {}
    for c in contracts:
        c.refresh_from_db()
        data[f"v{c.pk}"] = (versions or {}).get(c.pk, c.version)
        for ind in c.indicators.all():
            if ind.pk in values:
                data[f"i{ind.pk}-value"] = values[ind.pk]
    return data


def test_bulk_screen_saves_a_whole_agency_quarter(officer_a, cast, agency_contracts):
    url = reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 3])
    page = officer_a.get(url)
    assert page.status_code == 200
    assert len(page.context["groups"]) == 4
    indicators = [i for c in agency_contracts for i in c.indicators.all()]
    response = officer_a.post(url, bulk_data(agency_contracts, {i.pk: "12" for i in indicators}))
    assert response.status_code == 302
    assert Realisation.objects.filter(quarter=3, value=12).count() == 5
    for c in agency_contracts:
        c.refresh_from_db()
        assert c.version == 2


def test_bulk_screen_is_all_or_nothing_on_a_stale_contract(officer_a, cast, agency_contracts):
    url = reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 3])
    indicators = [i for c in agency_contracts for i in c.indicators.all()]
    stale = agency_contracts[2]
    data = bulk_data(agency_contracts, {i.pk: "12" for i in indicators})
    PerformanceContract.objects.filter(pk=stale.pk).update(version=7)  # someone else saved
    response = officer_a.post(url, data)
    assert response.status_code == 409
    assert not Realisation.objects.exists()


def test_bulk_screen_choose_redirects(officer_a, cast):
    response = officer_a.get(
        reverse("workspace:bulk_choose", args=[cast.agency_a.pk]), {"year": 2025, "quarter": 2}
    )
    assert response["Location"] == reverse(
        "workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 2]
    )
