"""Import of survey.csv (SKM), one row per respondent: a file holds the complete set of
imported responses of each (service, year, quarter) it mentions, so that set is replaced, and
left alone when the answers are the same. Web responses are never touched."""

import io

import pytest
from django.core.management import CommandError

from agencies.csvio import ImportFailed
from agencies.imports import import_survey
from agencies.models import ANSWER_FIELDS, Service, SurveyResponse
from tests.conftest import call_in_indonesian, snapshot
from tests.factories import AgencyFactory, ServiceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


HEADER = "agency_code,service_code,service_name,year,quarter,u1,u2,u3,u4,u5,u6,u7,u8,u9"
RJ = "DIKES,RAWAT-JALAN,Rawat Jalan"
GOOD = [
    f"{RJ},2025,1,3,3,4,2,3,3,4,3,3",
    f"{RJ},2025,1,4,4,4,4,4,4,4,4,4",
    "DIKES,IZIN-APOTEK,Izin Apotek,2025,1,2,3,3,3,2,3,3,3,1",
]


@pytest.fixture
def dikes():
    agency = AgencyFactory(code="DIKES")
    ServiceFactory(agency=agency, code="RAWAT-JALAN", name="Rawat Jalan")
    return agency


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def refusal(data, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_survey(data, **kwargs)
    return [str(e) for e in info.value.errors]


def answers(
    service_code: str,
    year: int = 2025,
    quarter: int = 1,
    channel: str = SurveyResponse.Channel.IMPORT,
) -> list[tuple[int, ...]]:
    return sorted(
        SurveyResponse.objects.filter(
            service__code=service_code,
            year=year,
            quarter=quarter,
            channel=channel,
        ).values_list(*ANSWER_FIELDS)
    )


def test_responses_are_created_and_a_new_service_with_them(dikes):
    result = import_survey(csv_of(*GOOD))

    assert result.rows == 3
    assert result.created == {"services": 1, "responses": 3}
    assert answers("RAWAT-JALAN") == [(3, 3, 4, 2, 3, 3, 4, 3, 3), (4,) * 9]
    assert answers("IZIN-APOTEK") == [(2, 3, 3, 3, 2, 3, 3, 3, 1)]
    apotek = Service.objects.get(code="IZIN-APOTEK")
    assert (apotek.agency, apotek.name) == (dikes, "Izin Apotek")
    assert set(SurveyResponse.objects.values_list("channel", flat=True)) == {"import"}


def test_name_of_an_existing_service_is_not_changed(dikes):
    import_survey(csv_of("DIKES,RAWAT-JALAN,Poli Umum,2025,1,3,3,3,3,3,3,3,3,3"))
    assert Service.objects.get(code="RAWAT-JALAN").name == "Rawat Jalan"


def test_service_name_may_be_blank_for_an_existing_service(dikes):
    result = import_survey(csv_of("DIKES,RAWAT-JALAN,,2025,1,3,3,3,3,3,3,3,3,3"))
    assert result.created == {"services": 0, "responses": 1}


def test_reimport_of_the_same_file_changes_nothing(dikes):
    import_survey(csv_of(*GOOD))
    before = snapshot()

    result = import_survey(csv_of(*GOOD))

    assert snapshot() == before
    assert result.unchanged == {"responses": 3}
    assert not any(result.created.values())
    assert result.summary() == "3 rows; unchanged: responses 3"


def test_reimport_with_the_rows_in_another_order_changes_nothing(dikes):
    import_survey(csv_of(*GOOD))
    before = snapshot()
    import_survey(csv_of(*reversed(GOOD)))
    assert snapshot() == before


def test_reimport_with_other_answers_replaces_only_that_quarters_imported_set(dikes):
    import_survey(csv_of(*GOOD, f"{RJ},2025,2,1,1,1,1,1,1,1,1,1"))
    web = SurveyResponseFactory(
        service=Service.objects.get(code="RAWAT-JALAN"), channel=SurveyResponse.Channel.WEB
    )
    apotek_ids = set(
        SurveyResponse.objects.filter(service__code="IZIN-APOTEK").values_list("pk", flat=True)
    )

    result = import_survey(
        csv_of(
            f"{RJ},2025,1,2,2,2,2,2,2,2,2,2",
            f"{RJ},2025,1,2,2,2,2,2,2,2,2,2",
            f"{RJ},2025,1,1,2,3,4,1,2,3,4,1",
            GOOD[2],
        )
    )

    assert answers("RAWAT-JALAN") == [(1, 2, 3, 4, 1, 2, 3, 4, 1), (2,) * 9, (2,) * 9]
    assert result.created == {"services": 0, "responses": 3}
    assert result.updated == {"replaced responses": 2}
    assert result.unchanged == {"responses": 1}
    # The quarter the file does not mention, the web response and the unchanged service stay.
    assert answers("RAWAT-JALAN", quarter=2) == [(1,) * 9]
    assert SurveyResponse.objects.filter(pk=web.pk).exists()
    assert (
        set(SurveyResponse.objects.filter(service__code="IZIN-APOTEK").values_list("pk", flat=True))
        == apotek_ids
    )


def test_reimport_with_fewer_respondents_shrinks_the_set(dikes):
    import_survey(csv_of(*GOOD))
    import_survey(csv_of(GOOD[0], GOOD[2]))
    assert answers("RAWAT-JALAN") == [(3, 3, 4, 2, 3, 3, 4, 3, 3)]


def test_paper_channel_is_kept_apart_from_imports(dikes):
    import_survey(csv_of(GOOD[0]), channel=SurveyResponse.Channel.PAPER)
    import_survey(csv_of(GOOD[1]))
    assert answers("RAWAT-JALAN", channel=SurveyResponse.Channel.PAPER) == [
        (3, 3, 4, 2, 3, 3, 4, 3, 3)
    ]
    assert answers("RAWAT-JALAN") == [(4,) * 9]


def test_bom_crlf_spaces_and_a_blank_trailing_line_are_accepted(dikes):
    data = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + "\r\n".join(" , ".join(g.split(",")) for g in GOOD)
        + "\r\n\r\n"
    )
    import_survey(data.encode())
    assert import_survey(csv_of(*GOOD)).unchanged == {"responses": 3}


GOOD_LINE = GOOD[0]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (f"{RJ},2025,1,3,3,5,3,3,3,3,3,3", "column u3: must be between 1 and 4, got 5"),
        (f"{RJ},2025,1,0,3,3,3,3,3,3,3,3", "column u1: must be between 1 and 4, got 0"),
        (f"{RJ},2025,1,3,3,3,3,3,3,3,3,x", "column u9: 'x' is not a whole number"),
        (f"{RJ},2025,1,3,3,3,3,3,3,3,3,3.5", "column u9: '3.5' is not a whole number"),
        (f"{RJ},2025,1,3,3,3,,3,3,3,3,3", "column u4: this field is required"),
        (f"{RJ},2025,5,3,3,3,3,3,3,3,3,3", "column quarter: must be between 1 and 4, got 5"),
        (f"{RJ},25,1,3,3,3,3,3,3,3,3,3", "column year: must be between 2000 and 2100, got 25"),
        (
            "DINSOS,RAWAT-JALAN,Rawat Jalan,2025,1,3,3,3,3,3,3,3,3,3",
            "column agency_code: unknown agency 'DINSOS'",
        ),
        (
            ",RAWAT-JALAN,Rawat Jalan,2025,1,3,3,3,3,3,3,3,3,3",
            "column agency_code: this field is required",
        ),
        (
            "DIKES,,Rawat Jalan,2025,1,3,3,3,3,3,3,3,3,3",
            "column service_code: this field is required",
        ),
        (
            "DIKES,IZIN-BARU,,2025,1,3,3,3,3,3,3,3,3,3",
            "column service_name: this field is required",
        ),
        (
            f"DIKES,{'S' * 31},Layanan,2025,1,3,3,3,3,3,3,3,3,3",
            "column service_code: at most 30 characters",
        ),
        (f"{RJ},2025,1,3,3,3,3,3,3,3,3", "column -: expected 14 cells, found 13"),
    ],
    ids=[
        "answer-5",
        "answer-0",
        "answer-text",
        "answer-decimal",
        "answer-blank",
        "quarter-5",
        "year-2-digits",
        "unknown-agency",
        "blank-agency",
        "blank-service-code",
        "new-service-without-name",
        "service-code-too-long",
        "too-few-cells",
    ],
)
def test_bad_row_is_refused_with_line_and_column_and_nothing_saved(dikes, bad_line, message):
    import_survey(csv_of(*GOOD))
    before = snapshot()

    assert refusal(csv_of(GOOD[1], bad_line)) == [f"line 3, {message}"]
    assert snapshot() == before


def test_every_bad_row_is_reported_not_just_the_first(dikes):
    assert refusal(
        csv_of(
            f"{RJ},2025,1,3,3,5,3,3,3,3,3,0",
            GOOD_LINE,
            "NOPE,X,X,2025,9,3,3,3,3,3,3,3,3,3",
        )
    ) == [
        "line 2, column u3: must be between 1 and 4, got 5",
        "line 2, column u9: must be between 1 and 4, got 0",
        "line 4, column agency_code: unknown agency 'NOPE'",
        "line 4, column quarter: must be between 1 and 4, got 9",
    ]
    assert not SurveyResponse.objects.exists()
    assert not Service.objects.filter(code="X").exists()


def test_new_service_of_a_refused_file_is_not_created(dikes):
    refusal(
        csv_of(
            "DIKES,IZIN-BARU,Izin Baru,2025,1,3,3,3,3,3,3,3,3,3", f"{RJ},2025,1,3,3,3,3,3,3,3,3,7"
        )
    )
    assert not Service.objects.filter(code="IZIN-BARU").exists()


def test_bad_row_at_the_end_of_a_long_file_leaves_the_database_unchanged(dikes):
    import_survey(csv_of(*GOOD))
    before = snapshot()
    lines = [
        f"{RJ},2025,{1 + i % 4},{','.join(str(1 + (i + k) % 4) for k in range(9))}"
        for i in range(2000)
    ]

    assert refusal(csv_of(*lines, f"{RJ},2025,1,3,3,3,3,3,3,3,3,5")) == [
        "line 2002, column u9: must be between 1 and 4, got 5"
    ]
    assert snapshot() == before


def test_scope_refuses_rows_of_other_agencies(dikes):
    other = AgencyFactory(code="DINSOS")
    ServiceFactory(agency=other, code="BANSOS")
    before = snapshot()

    assert refusal(
        csv_of(
            GOOD_LINE,
            "DINSOS,BANSOS,Bansos,2025,1,3,3,3,3,3,3,3,3,3",
            "NOPE,X,X,2025,1,3,3,3,3,3,3,3,3,3",
        ),
        scope=[dikes.pk],
    ) == [
        "line 3, column agency_code: agency 'DINSOS' is not one of yours",
        "line 4, column agency_code: unknown agency 'NOPE'",
    ]
    assert snapshot() == before
    assert import_survey(csv_of(*GOOD), scope=[dikes.pk]).created["responses"] == 3


@pytest.mark.parametrize(
    "header",
    [HEADER.removesuffix(",u9"), HEADER + ",u10", HEADER.replace("service_name", "name")],
    ids=["missing-u9", "extra-u10", "renamed-column"],
)
def test_wrong_header_is_a_clear_error(dikes, header):
    [message] = refusal(csv_of(GOOD_LINE, header=header))
    assert message.startswith("line 1, column header: wrong header: ")
    assert message.endswith(f"expected {HEADER}")


def test_command_imports_the_file(dikes, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(csv_of(*GOOD))
    out = io.StringIO()
    call_in_indonesian("import_survey", str(path), stdout=out)
    assert out.getvalue() == f"{path}: 3 rows; created: responses 3, services 1\n"


def test_command_lists_every_bad_row_on_stderr_and_fails(dikes, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(csv_of(GOOD_LINE, f"{RJ},2025,1,3,3,3,3,3,3,3,3,5", "NOPE" + GOOD_LINE[5:]))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\) found; nothing was imported"):
        call_in_indonesian("import_survey", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, column u9: must be between 1 and 4, got 5",
        "line 4, column agency_code: unknown agency 'NOPE'",
    ]
    assert not SurveyResponse.objects.exists()
