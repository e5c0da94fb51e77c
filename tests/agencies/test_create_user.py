import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Membership, Region
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_creates_officer_with_memberships_and_password(monkeypatch):
    a, b = AgencyFactory(code="DIKES"), AgencyFactory(code="BKD")
    monkeypatch.setenv("NEW_PW", "a-long-enough-passphrase-42")
    call_command(
        "create_user",
        "siti",
        "--role",
        "hr_officer",
        "--agency",
        "DIKES",
        "--agency",
        "BKD",
        "--password-from-env",
        "NEW_PW",
    )
    user = get_user_model().objects.get(username="siti")
    assert user.check_password("a-long-enough-passphrase-42")
    assert set(Membership.objects.filter(user=user).values_list("agency", flat=True)) == {
        a.pk,
        b.pk,
    }


def test_rerun_adds_nothing_twice():
    AgencyFactory(code="DIKES")
    for _ in range(2):
        call_command("create_user", "siti", "--role", "approver", "--agency", "DIKES")
    assert Membership.objects.count() == 1
    assert not get_user_model().objects.get(username="siti").has_usable_password()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "hr_officer"], "needs at least one --agency"),
        (["--role", "leader", "--agency", "DIKES"], "not tied to an agency"),
        (["--role", "hr_officer", "--agency", "NOPE"], "Unknown agency code(s): NOPE"),
        (["--role", "leader", "--region", "9999"], "Unknown region code: 9999"),
        (["--role", "auditor", "--region", "52"], "--region goes with --role leader only"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_created(args, message):
    AgencyFactory(code="DIKES")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("create_user", "x", *args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("NEW_PW", "short")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_user", "x", "--role", "auditor", "--password-from-env", "NEW_PW")
    assert not get_user_model().objects.filter(username="x").exists()


def test_leader_of_a_region_and_auditor_with_view_permissions_only():
    Region.objects.create(code="5271", name="Kota Mataram", kind=Region.Kind.CITY)
    call_command("create_user", "walikota", "--role", "leader", "--region", "5271")
    assert Membership.objects.get(user__username="walikota").region.code == "5271"
    call_command("create_user", "inspektur", "--role", "auditor")
    auditor = get_user_model().objects.get(username="inspektur")
    assert auditor.is_staff and not auditor.is_superuser
    assert auditor.has_perm("performance.view_score")
    assert not auditor.has_perm("performance.change_score")
