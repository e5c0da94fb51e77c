"""Import of agencies.csv: regions and agencies upserted on their codes, all-or-nothing."""

import io

import pytest
from django.core.management import CommandError

from agencies.csvio import ImportFailed
from agencies.imports import import_agencies
from agencies.models import Agency, Region
from tests.conftest import call_in_indonesian, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


HEADER = "code,name,acronym,region_code,region_name,sector"
PROVINCE = "52,Provinsi Nusa Tenggara Barat"
GOOD = [
    f"DIKES,Dinas Kesehatan,Dikes,{PROVINCE},Kesehatan",
    f"DIKBUD,Dinas Pendidikan dan Kebudayaan,Dikbud,{PROVINCE},Pendidikan",
    "DIKES-LOBAR,Dinas Kesehatan Kabupaten Lombok Barat,Dikes Lobar,5201,"
    "Kabupaten Lombok Barat,Kesehatan",
    "DIKES-MTR,Dinas Kesehatan Kota Mataram,Dikes Mataram,5271,Kota Mataram,Kesehatan",
]


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def refusal(data) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_agencies(data)
    return [str(e) for e in info.value.errors]


def test_agencies_and_their_regions_are_created():
    result = import_agencies(csv_of(*GOOD))

    assert result.rows == 4
    assert result.created == {"regions": 3, "agencies": 4}
    dikes = Agency.objects.get(code="DIKES")
    assert (dikes.name, dikes.acronym, dikes.sector, dikes.region.code) == (
        "Dinas Kesehatan",
        "Dikes",
        "Kesehatan",
        "52",
    )
    assert dikes.is_public
    assert Agency.objects.get(code="DIKES-MTR").region.name == "Kota Mataram"


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("52", "Provinsi Nusa Tenggara Barat", Region.Kind.PROVINCE),
        ("5201", "Kabupaten Lombok Barat", Region.Kind.REGENCY),
        ("5208", "Kabupaten Lombok Utara", Region.Kind.REGENCY),
        ("5271", "Kota Mataram", Region.Kind.CITY),
        ("5272", "Kota Bima", Region.Kind.CITY),
    ],
)
def test_region_kind_follows_the_bps_code(code, name, kind):
    import_agencies(csv_of(f"X{code},Dinas X,,{code},{name},"))
    region = Region.objects.get(code=code)
    assert (region.name, region.kind) == (name, kind)


def test_slugs_come_from_the_acronym_and_never_collide():
    import_agencies(
        csv_of(
            f"DIKES,Dinas Kesehatan,Dikes,{PROVINCE},Kesehatan",
            "DIKES-LOBAR,Dinas Kesehatan Lombok Barat,Dikes,5201,Kabupaten Lombok Barat,",
            f"BAPPEDA,Badan Perencanaan Pembangunan Daerah,,{PROVINCE},",
        )
    )
    slugs = dict(Agency.objects.values_list("code", "slug"))
    assert slugs == {
        "DIKES": "dikes",
        "DIKES-LOBAR": "dikes-dikes-lobar",
        "BAPPEDA": "badan-perencanaan-pembangunan-daerah",
    }


def test_reimport_of_the_same_file_changes_nothing():
    data = csv_of(*GOOD)
    import_agencies(data)
    before = snapshot()

    result = import_agencies(data)

    assert snapshot() == before
    assert not any(result.created.values())
    assert not any(result.updated.values())
    assert result.unchanged == {"regions": 3, "agencies": 4}
    assert result.summary() == "4 rows; unchanged: agencies 4, regions 3"


def test_reimport_with_a_new_name_updates_only_that_agency_and_keeps_its_slug():
    import_agencies(csv_of(*GOOD))
    before = {a.code: (a.pk, a.slug, a.name) for a in Agency.objects.all()}

    result = import_agencies(
        csv_of(GOOD[0].replace("Dinas Kesehatan", "Dinas Kesehatan Provinsi NTB"), *GOOD[1:])
    )

    assert result.updated == {"agencies": 1}
    after = {a.code: (a.pk, a.slug, a.name) for a in Agency.objects.all()}
    assert after.pop("DIKES") == (before.pop("DIKES")[0], "dikes", "Dinas Kesehatan Provinsi NTB")
    assert after == before


def test_reimport_with_a_renamed_region_updates_the_region():
    import_agencies(csv_of(*GOOD))
    result = import_agencies(csv_of(*(g.replace(PROVINCE, "52,Provinsi NTB") for g in GOOD)))
    assert result.updated["regions"] == 1
    assert Region.objects.get(code="52").name == "Provinsi NTB"


def test_reimport_runs_the_same_few_queries_for_4_or_40_agencies(django_assert_max_num_queries):
    many = csv_of(*(f"A{i},Dinas {i},D{i},{PROVINCE}," for i in range(40)))
    import_agencies(many)
    import_agencies(csv_of(*GOOD))
    with django_assert_max_num_queries(6):
        import_agencies(many)
    with django_assert_max_num_queries(6):
        import_agencies(csv_of(*GOOD))


def test_bom_crlf_and_spaces_are_accepted():
    data = (
        "\ufeff"
        + " , ".join(HEADER.split(","))
        + "\r\n"
        + "\r\n".join(" " + g.replace(",", " , ") for g in GOOD)
        + "\r\n\r\n"
    )
    import_agencies(data.encode())
    assert import_agencies(csv_of(*GOOD)).unchanged == {"regions": 3, "agencies": 4}


GOOD_LINE = f"DIKBUD,Dinas Pendidikan dan Kebudayaan,Dikbud,{PROVINCE},Pendidikan"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (f",Dinas X,DX,{PROVINCE},", "column code: this field is required"),
        (f"DX,,DX,{PROVINCE},", "column name: this field is required"),
        (
            "DX,Dinas X,DX,,Provinsi Nusa Tenggara Barat,",
            "column region_code: this field is required",
        ),
        ("DX,Dinas X,DX,52,,", "column region_name: this field is required"),
        (
            "DX,Dinas X,DX,520,Provinsi,",
            "column region_code: a BPS code has 2 digits "
            "(province) or 4 (regency or city), got '520'",
        ),
        (
            "DX,Dinas X,DX,NTB,Provinsi,",
            "column region_code: a BPS code has 2 digits "
            "(province) or 4 (regency or city), got 'NTB'",
        ),
        (f"DIKBUD,Dinas Lain,DL,{PROVINCE},", "column code: agency DIKBUD is already on line 2"),
        ("DX,Dinas X,DX,52,Provinsi NTB,", "column region_name: differs from line 2 for region 52"),
        (f"{'X' * 31},Dinas X,DX,{PROVINCE},", "column code: at most 30 characters"),
        (f"DX,{'N' * 201},DX,{PROVINCE},", "column name: at most 200 characters"),
        (f"DX,Dinas X,DX,{PROVINCE}", "column -: expected 6 cells, found 5"),
    ],
    ids=[
        "blank-code",
        "blank-name",
        "blank-region-code",
        "blank-region-name",
        "region-code-3-digits",
        "region-code-letters",
        "duplicate-code",
        "region-name-differs",
        "code-too-long",
        "name-too-long",
        "too-few-cells",
    ],
)
def test_bad_row_is_refused_with_line_and_column_and_nothing_saved(bad_line, message):
    import_agencies(csv_of(*GOOD))
    before = snapshot()

    assert refusal(csv_of(GOOD_LINE, bad_line)) == [f"line 3, {message}"]
    assert snapshot() == before


def test_every_bad_row_is_reported_not_just_the_first():
    errors = refusal(
        csv_of(
            GOOD_LINE,
            ",,DX,5,,",
            GOOD[0],
            f"DX,Dinas X,DX,{PROVINCE},",
            "DY,Dinas Y,DY,5201,,",
        )
    )
    assert errors == [
        "line 3, column code: this field is required",
        "line 3, column name: this field is required",
        "line 3, column region_code: a BPS code has 2 digits (province) or 4 (regency or "
        "city), got '5'",
        "line 3, column region_name: this field is required",
        "line 6, column region_name: this field is required",
    ]
    assert not Agency.objects.exists()


def test_bad_row_at_the_end_of_a_long_file_leaves_the_database_unchanged():
    import_agencies(csv_of(*GOOD))
    before = snapshot()
    lines = [f"A{i},Dinas {i},D{i},{PROVINCE}," for i in range(500)]

    assert refusal(csv_of(*lines, "A-LAST,Dinas Terakhir,,99999,Nowhere,")) == [
        "line 502, column region_code: a BPS code has 2 digits (province) or 4 (regency or "
        "city), got '99999'"
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    "header",
    [
        "code,name,acronym,region_code,region_name",
        "kode,nama,singkatan,kode_wilayah,nama_wilayah,sektor",
        "agency_code,name,acronym,region_code,region_name,sector",
    ],
)
def test_wrong_header_is_a_clear_error(header):
    [message] = refusal(csv_of(GOOD_LINE, header=header))
    assert message.startswith("line 1, column header: wrong header: ")
    assert message.endswith(f"expected {HEADER}")


def test_command_imports_the_file_and_prints_a_summary(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text(csv_of(*GOOD), encoding="utf-8")
    out = io.StringIO()

    call_in_indonesian("import_agencies", str(path), stdout=out)

    assert out.getvalue() == f"{path}: 4 rows; created: agencies 4, regions 3\n"
    assert Agency.objects.count() == 4


def test_command_lists_every_bad_row_on_stderr_and_fails(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text(csv_of(GOOD_LINE, ",Dinas X,,52,Provinsi,", "DY,,,5201,Lobar,"))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\) found; nothing was imported"):
        call_in_indonesian("import_agencies", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, column code: this field is required",
        "line 4, column name: this field is required",
    ]
    assert not Agency.objects.exists()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_in_indonesian("import_agencies", str(tmp_path / "nope.csv"))
