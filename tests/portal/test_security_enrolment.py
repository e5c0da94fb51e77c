"""A password alone is one factor (issue 16, finding 5): with STAFF_2FA on, a session past the
password step only is sent to the second factor before it may change the password or enrol
another authenticator; a first enrolment needs a one-time code an administrator issued
(hashed, expiring, single use); and the user gets a mail whenever a device is enrolled on
their account or their password changes."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.audit import system_actor
from agencies.models import AuditEvent
from portal.accounts import issue_code
from portal.models import EnrolmentCode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PASSWORD = "correct horse battery staple"  # noqa: S105
NEW_PASSWORD = "kopi tubruk di ampenan"  # noqa: S105
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
TWO_FACTOR = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def with_2fa(settings):
    settings.STAFF_2FA = True


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a block's on-commit callbacks (the mails go once the change is committed) and
    give the subjects of the mails sent so far."""

    class Sent:
        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return self

        def __exit__(self, *exc):
            return self.capture.__exit__(*exc)

        @property
        def subjects(self) -> list[str]:
            return [m.subject for m in mail.outbox]

    return Sent()


@pytest.fixture
def officer(cast):
    user = cast.officer_a
    user.email = "officer.a@ntbprov.go.id"
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(user) -> Client:
    """A session past the password step only (a real login: the form, no second factor)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Kinerja NTB", confirmed=True)


def verified(user) -> Client:
    """A session that has passed both steps."""
    device = enrolled(user)
    client = log_in(user)
    assert client.post(TWO_FACTOR, {"token": code_of(device)}).status_code == 302
    return client


# --- the pages behind the second factor ---------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/accounts/password/", "/accounts/password/done/", "/accounts/two-factor/add/"]
)
def test_a_password_only_session_is_sent_to_the_second_factor(officer, path):
    client = log_in(officer)
    for response in (client.get(path), client.post(path, {"token": "123456"})):
        assert response.status_code == 302
        assert response["Location"] == f"{TWO_FACTOR}?next={path}"
    assert not TOTPDevice.objects.exists()


def test_a_password_only_session_cannot_change_the_password(officer):
    client = log_in(officer)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"].startswith(TWO_FACTOR)
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert mail.outbox == []


def test_a_verified_session_changes_the_password_and_the_user_is_told(officer, sent):
    client = verified(officer)
    with sent:
        response = client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    (message,) = mail.outbox
    assert message.to == ["officer.a@ntbprov.go.id"]
    assert message.subject == "Kinerja NTB: your password was changed"
    assert "officer_a" in message.body and "tell your administrator" in message.body
    assert NEW_PASSWORD not in message.body


def test_a_password_set_anywhere_else_is_told_too_but_not_an_accounts_first(officer, sent):
    log_in(officer)
    officer.refresh_from_db()
    with sent:
        officer.set_password("another long passphrase")  # the admin, a command: any path
        officer.save()
    assert sent.subjects == ["Kinerja NTB: your password was changed"]
    with sent:
        new = get_user_model().objects.create_user("baru", "baru@ntbprov.go.id", "x" * 20)
        new.set_password("y" * 20)
        new.save()
    assert len(mail.outbox) == 1  # never logged in: its first password is no news


def test_the_password_form_says_a_mail_follows(officer):
    page = verified(officer).get("/accounts/password/")
    assert "You get an e-mail whenever your password changes." in page.content.decode()


# --- a first enrolment --------------------------------------------------------------------


def test_a_password_alone_never_enrols_a_device(officer):
    client = log_in(officer)
    page = client.get(f"{TWO_FACTOR}?next=/workspace/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "enrolment code your administrator gave you" in html
    assert "<svg" not in html and "otpauth" not in html
    assert not TOTPDevice.objects.exists()  # no key was made, none shown
    wrong = client.post(TWO_FACTOR, {"code": "AAAA-BBBB-CCCC-DDDD", "next": "/workspace/"})
    assert "not valid, or has been used or has expired" in wrong.content.decode()
    # A six-digit code where the enrolment code belongs gets nowhere either.
    client.post(TWO_FACTOR, {"token": "123456"})
    assert client.get("/workspace/").status_code == 302
    assert not TOTPDevice.objects.exists() and mail.outbox == []


def test_an_issued_code_opens_the_enrolment_once_and_the_user_is_told(officer, sent):
    out = io.StringIO()
    call_command("issue_enrolment_code", "officer_a", stdout=out)
    code = re.search(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", out.getvalue()).group(0)
    stored = EnrolmentCode.objects.get(user=officer)
    assert code.replace("-", "") not in stored.digest and len(stored.digest) == 64
    client = log_in(officer)
    with time_machine.travel(NOW, tick=False):
        assert (
            client.post(TWO_FACTOR, {"code": code.lower(), "next": "/workspace/"})["Location"]
            == f"{TWO_FACTOR}?next=/workspace/"
        )
        page = client.get(f"{TWO_FACTOR}?next=/workspace/")
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
    with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False), sent:
        done = client.post(TWO_FACTOR, {"token": code_of(device), "next": "/workspace/"})
        assert done["Location"] == "/workspace/"
        assert client.get("/workspace/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    stored.refresh_from_db()
    assert stored.used_at is not None
    (message,) = mail.outbox
    assert message.subject == "Kinerja NTB: a new authenticator on your account"
    assert message.to == ["officer.a@ntbprov.go.id"]
    assert AuditEvent.objects.filter(action="2fa:device-enrolled", actor=officer).exists()
    assert AuditEvent.objects.get(action="2fa:enrolment-code").subject == "officer_a"
    # Used: another session with the same code gets nowhere.
    TOTPDevice.objects.all().delete()
    other = log_in(officer)
    assert "not valid" in other.post(TWO_FACTOR, {"code": code}).content.decode()


def test_a_code_is_the_users_own_unexpired_and_the_newest_only(officer, cast):
    earlier = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    with time_machine.travel(earlier):
        expired, _ = issue_code(officer, by=system_actor("cli"), hours=1)
    client = log_in(officer)
    assert "not valid" in client.post(TWO_FACTOR, {"code": expired}).content.decode()
    first, _ = issue_code(officer, by=system_actor("cli"))
    second, _ = issue_code(officer, by=system_actor("cli"))
    assert "not valid" in client.post(TWO_FACTOR, {"code": first}).content.decode()  # revoked
    theirs, _ = issue_code(cast.approver_a, by=system_actor("cli"))
    assert "not valid" in client.post(TWO_FACTOR, {"code": theirs}).content.decode()
    assert client.post(TWO_FACTOR, {"code": second}).status_code == 302


def test_a_code_typed_in_one_session_and_used_in_another_is_refused_in_the_first(officer):
    code, _ = issue_code(officer, by=system_actor("cli"))
    first, second = log_in(officer), log_in(officer)
    with time_machine.travel(NOW, tick=False):
        for client in (first, second):
            assert client.post(TWO_FACTOR, {"code": code}).status_code == 302
        second.get(TWO_FACTOR)  # the second session's key
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        assert second.post(TWO_FACTOR, {"token": code_of(device)}).status_code == 302
        # The first session typed the code too, but it is used now: that session can only
        # verify with the device enrolled, not enrol one of its own.
        page = first.get(TWO_FACTOR).content.decode()
        assert "enter the code it shows for Kinerja NTB" in page and "<svg" not in page
        assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_the_command_refuses_to_replace_a_device_without_reset(officer):
    enrolled(officer)
    with pytest.raises(CommandError, match="--reset"):
        call_command("issue_enrolment_code", "officer_a", stdout=io.StringIO())
    out = io.StringIO()
    call_command("issue_enrolment_code", "officer_a", "--reset", stdout=out)
    assert "Removed 1 device(s)" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_the_admin_issues_codes_to_the_users_chosen_and_shows_each_once(officer, settings):
    settings.STAFF_2FA = False  # the administrator's own second factor is tested above
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    code = re.search(r"<code>(([A-Z2-9]{4}-){3}[A-Z2-9]{4})</code>", html).group(1)
    assert "officer_a" in html
    assert EnrolmentCode.objects.get(user=officer).created_by == root
    assert "messages" not in response.cookies  # the code travels in no cookie
    assert log_in(officer).post(TWO_FACTOR, {"code": code}).status_code == 302


def test_an_auditor_cannot_issue_codes(officer, settings):
    settings.STAFF_2FA = False
    call_command("create_user", "inspektur", "--role", "auditor", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="inspektur"))
    page = client.get("/admin/auth/user/")
    assert page.status_code == 200
    assert "issue_enrolment_codes" not in page.content.decode()
    client.post(
        "/admin/auth/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [officer.pk]},
    )
    assert not EnrolmentCode.objects.exists()


# --- another authenticator ------------------------------------------------------------------


def test_a_verified_session_enrols_another_authenticator_and_the_user_is_told(officer, sent):
    client = verified(officer)
    page = client.get("/accounts/two-factor/add/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    wrong = client.post("/accounts/two-factor/add/", {"token": "000000"})
    assert "not valid" in wrong.content.decode()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)
    with time_machine.travel(later), sent:  # past django-otp's delay after a failure
        done = client.post("/accounts/two-factor/add/", {"token": code_of(new)})
    assert done.status_code == 302
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 2
    assert [m.subject for m in mail.outbox] == ["Kinerja NTB: a new authenticator on your account"]
