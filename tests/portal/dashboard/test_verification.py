"""The Inspektorat's pages (issue 22): an auditor verifies or disputes an agency's PK figure
(a note to dispute, optional evidence, only the figure the page showed; a civil servant's
figure is not there to verify); leaders list the disputed figures of the agencies they see
and cannot verify; the agency's officers find the disputed figures, the note and the
auditor's evidence on their workspace, other agencies' officers do not. Bounded queries."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Membership
from performance import verification
from performance.models import Realisation, Verification
from tests.factories import AgencyFactory, RegionFactory, UserFactory
from tests.performance.late_data import agency_pk
from tests.portal.workspace.data import PDF, contract_of, skp_of

pytestmark = pytest.mark.django_db

LIST = reverse("dashboard:verification")
# The workspace front page holds the disputed figures and "what needs you now" (issue 23):
# 15 whatever the number of disputes or agencies.
MAX_QUERIES = 15
NOTE = "Bukti dukung tidak sesuai angka"


def q3(contract, code: str) -> Realisation:
    return Realisation.objects.get(indicator__contract=contract, indicator__code=code, quarter=3)


@pytest.fixture
def pk(cast, english, private_media):
    return agency_pk(cast.agency_a)


def post(client, realisation, **data):
    data.setdefault("seen", verification.seen_token(realisation))
    return client.post(reverse("dashboard:verify", args=[realisation.pk]), data)


def test_an_auditor_verifies_a_figure(cast, pk):
    client = cast.client(cast.auditor)
    one = q3(pk, "IKU1")
    page = client.get(reverse("dashboard:verify", args=[one.pk]))
    assert page.status_code == 200
    assert "Verify a figure" in page.content.decode()

    response = post(client, one, status="verified", note="")

    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.verification, one.verified_by) == ("verified", cast.auditor)


def test_an_auditor_disputes_with_a_note_and_evidence(cast, pk):
    client = cast.client(cast.auditor)
    two = q3(pk, "IKU2")
    evidence = SimpleUploadedFile("laporan.pdf", PDF, "application/pdf")
    response = post(
        client,
        two,
        status="disputed",
        note=NOTE,
        evidence_url="https://inspektorat.ntbprov.go.id/lhp/12",
        evidence_file=evidence,
    )
    assert response.status_code == 302
    two.refresh_from_db()
    assert (two.verification, two.verification_note) == ("disputed", NOTE)
    assert two.verification_evidence_name == "laporan.pdf"
    assert two.verification_evidence_url == "https://inspektorat.ntbprov.go.id/lhp/12"

    # The agency's officer reads the note and the auditor's file; another agency's does not.
    officer = cast.client(cast.officer_a)
    html = officer.get(reverse("workspace:dashboard")).content.decode()
    assert "1 figure disputed by the Inspektorat" in html
    assert NOTE in html
    file_url = reverse("workspace:verification_evidence", args=[two.pk])
    assert file_url in html
    download = officer.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    html = officer.get(reverse("workspace:contract", args=[pk.pk])).content.decode()
    assert "Disputed by the Inspektorat" in html and NOTE in html
    html = officer.get(reverse("workspace:realisations", args=[pk.pk, 3])).content.decode()
    assert "Disputed by the Inspektorat" in html and "self-reported again" in html
    other = cast.client(cast.officer_b)
    assert NOTE not in other.get(reverse("workspace:dashboard")).content.decode()
    assert other.get(file_url).status_code == 404


def test_a_dispute_without_a_note_saves_nothing(cast, pk):
    two = q3(pk, "IKU2")
    response = post(cast.client(cast.auditor), two, status="disputed", note=" ")
    assert response.status_code == 200
    assert "Say why the figure is disputed." in response.content.decode()
    two.refresh_from_db()
    assert two.verification == "unverified"


def test_a_figure_changed_since_the_page_was_read_is_not_verified(cast, pk):
    one = q3(pk, "IKU1")
    seen = verification.seen_token(one)
    Realisation.objects.filter(pk=one.pk).update(value=D(99))
    response = post(cast.client(cast.auditor), one, status="verified", seen=seen)
    assert response.status_code == 200
    assert "The figure was changed since this page was read" in response.content.decode()
    one.refresh_from_db()
    assert one.verification == "unverified"


def test_a_civil_servants_figure_is_not_verified_here(cast, pk):
    skp = skp_of(cast.agency_a, status="approved", year=2026)
    staff = Realisation.objects.filter(indicator__contract=skp).first()
    client = cast.client(cast.auditor)
    assert client.get(reverse("dashboard:verify", args=[staff.pk])).status_code == 404
    assert post(client, staff, status="verified").status_code == 404


def test_leaders_and_officers_cannot_verify(cast, pk):
    one = q3(pk, "IKU1")
    for user in (cast.leader, cast.officer_a, cast.approver_a):
        client = cast.client(user)
        assert client.get(reverse("dashboard:verify", args=[one.pk])).status_code == 403
        assert post(client, one, status="verified").status_code == 403
    one.refresh_from_db()
    assert one.verification == "unverified"


def regional_leader():
    region = RegionFactory(code="5201", name="Lombok Barat")
    user = UserFactory(username="regional")
    Membership.objects.create(user=user, role=Membership.Role.LEADER, region=region)
    return user, region


def test_leaders_list_the_disputed_figures_of_the_agencies_they_see(
    cast, pk, django_assert_max_num_queries
):
    auditor = cast.client(cast.auditor)
    post(auditor, q3(pk, "IKU1"), status="verified")
    post(auditor, q3(pk, "IKU2"), status="disputed", note=NOTE)
    leader = cast.client(cast.leader)

    with django_assert_max_num_queries(MAX_QUERIES):
        html = leader.get(LIST).content.decode()
    assert "1 figure</h2>" in html  # the disputed ones by default
    assert NOTE in html and "Indikator IKU2" in html and "Indikator IKU1" not in html
    assert reverse("dashboard:verify", args=[q3(pk, "IKU2").pk]) not in html  # not theirs

    html = leader.get(LIST, {"status": "verified"}).content.decode()
    assert "Indikator IKU1" in html and "Indikator IKU2" not in html
    html = leader.get(LIST, {"status": ""}).content.decode()
    assert "3 figures" not in html and "2 figures</h2>" in html

    # The auditor's list links to the verification page.
    html = auditor.get(LIST, {"status": "unverified"}).content.decode()
    assert "0 figures</h2>" in html
    html = auditor.get(LIST).content.decode()
    assert reverse("dashboard:verify", args=[q3(pk, "IKU2").pk]) in html

    # A regency's leader does not see the province's agencies.
    user, region = regional_leader()
    html = cast.client(user).get(LIST).content.decode()
    assert NOTE not in html and "0 figures</h2>" in html


def test_the_lists_queries_stay_bounded_as_disputes_grow(cast, pk, django_assert_max_num_queries):
    auditor = cast.client(cast.auditor)
    for n in range(12):
        agency = AgencyFactory(region=cast.agency_a.region)
        contract = contract_of(agency, status="approved", year=2026, indicators=2)
        for r in Realisation.objects.filter(indicator__contract=contract):
            verification.mark(
                r,
                status="disputed",
                note=f"{NOTE} {n}",
                user=cast.auditor,
                seen=verification.seen_token(r),
            )
    for client, url in (
        (cast.client(cast.leader), LIST),
        (auditor, LIST),
        (auditor, LIST + "?status=&page=1"),
        (cast.client(cast.officer_a), reverse("workspace:dashboard")),
    ):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
    html = cast.client(cast.leader).get(LIST).content.decode()
    assert "24 figures</h2>" in html
    assert html.count(NOTE) == 24
    assert Verification.DISPUTED == "disputed"
