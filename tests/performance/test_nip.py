"""The NIP validator: 18 ASCII digits, a real birth date (1-8), a real appointment month
(9-14) after the birth, a sex digit 1 or 2 (15) and a serial (16-18)."""

import pytest
from django.core.exceptions import ValidationError

from performance.models import Employee
from performance.validators import nip_problem, validate_nip
from tests.factories import make_nip


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


@pytest.mark.parametrize(
    "nip",
    [
        "198507122010012003",  # the example of DESIGN.md
        "196912311990031001",
        "198402292010011001",  # 29 February of a leap year
        "200001012020121999",
    ],
)
def test_valid_nip_has_no_problem(nip):
    assert nip_problem(nip) is None
    validate_nip(nip)


def test_every_factory_nip_is_valid():
    nips = [make_nip(n) for n in range(2000)]
    assert [n for n in nips if nip_problem(n)] == []
    assert len(set(nips)) == len(nips)


@pytest.mark.parametrize(
    ("nip", "problem"),
    [
        ("19850712201001200", "a NIP has exactly 18 digits, got 17"),
        ("1985071220100120031", "a NIP has exactly 18 digits, got 19"),
        ("1985", "a NIP has exactly 18 digits, got 4"),
    ],
)
def test_nip_of_wrong_length_is_refused(nip, problem):
    assert nip_problem(nip) == problem


@pytest.mark.parametrize(
    "nip",
    [
        "",
        "19850712 201001 2 003",  # as printed on an ID card
        "1985O7122010012003",  # a letter O
        "1.98507E+17",  # what a spreadsheet makes of it
        "-98507122010012003",
        "19850712\u00b2010012003",  # a superscript two: str.isdigit() says yes
        "\u0661\u0669\u0668\u0665\u0660\u0667\u0661\u0662\u0662\u0660\u0661\u0660"
        "\u0660\u0661\u0662\u0660\u0660\u0663",  # Arabic-Indic digits
    ],
)
def test_nip_with_anything_but_ascii_digits_is_refused(nip):
    assert nip_problem(nip) == "a NIP has only digits (18 of them)"


@pytest.mark.parametrize(
    "nip",
    [
        "198502302010012003",  # 30 February
        "198502292010012003",  # 29 February of a common year
        "198513012010012003",  # month 13
        "198500122010012003",  # month 0
        "198507002010012003",  # day 0
        "198507322010012003",  # day 32
        "000007122010012003",  # year 0
    ],
)
def test_nip_with_impossible_birth_date_is_refused(nip):
    assert nip_problem(nip) == (f"digits 1-8 are not a real birth date (YYYYMMDD): {nip[:8]}")


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_nip_with_impossible_appointment_month_is_refused(month):
    nip = f"198507122010{month}2003"
    assert nip_problem(nip) == (
        f"digits 9-14 are not a real appointment month (YYYYMM): 2010{month}"
    )


@pytest.mark.parametrize(
    "appointed",
    ["198401", "198506", "198507"],  # a year before, a month before, the birth month
)
def test_nip_appointed_before_birth_is_refused(appointed):
    nip = f"19850712{appointed}2003"
    assert nip_problem(nip) == (
        f"the appointment month {appointed} is not after the birth date 19850712"
    )


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_nip_with_sex_digit_other_than_1_or_2_is_refused(digit):
    assert nip_problem(f"19850712201001{digit}003") == (
        f"digit 15 (sex) must be 1 or 2, got {digit}"
    )


@pytest.mark.parametrize("digit", ["1", "2"])
def test_nip_with_sex_digit_1_or_2_is_accepted(digit):
    assert nip_problem(f"19850712201001{digit}003") is None


def test_validate_nip_raises_validation_error_with_the_problem():
    with pytest.raises(ValidationError) as info:
        validate_nip("198502302010012003")
    assert info.value.code == "invalid_nip"
    assert info.value.messages == ["digits 1-8 are not a real birth date (YYYYMMDD): 19850230"]


def test_employee_nip_field_runs_the_validator():
    field = Employee._meta.get_field("nip")
    field.run_validators("198507122010012003")
    with pytest.raises(ValidationError, match="sex"):
        field.run_validators("198507122010013003")
