"""ASVS V6 authentication: lockout with a cool-off (django-axes), a rate limit on the login
form (django-ratelimit), TOTP for every staff role (django-otp) and the password policy."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"  # noqa: S105
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def officer(cast):
    cast.officer_a.set_password(PASSWORD)
    cast.officer_a.save()
    return cast.officer_a


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_account_from_that_address_with_a_cool_off(officer):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            assert _login(client, "officer_a", "wrong").status_code == 200
        assert _login(client, "officer_a", "wrong").status_code == 429  # the fifth locks
        locked = _login(client, "officer_a", PASSWORD)  # even the right password now
        assert locked.status_code == 429
        assert "15" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Another address is not locked out (no denial of service by a stranger).
        assert _login(Client(), "officer_a", PASSWORD, ip="10.0.0.2").status_code == 302
    with time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False):
        assert _login(client, "officer_a", PASSWORD).status_code == 302


def test_the_login_form_is_rate_limited_per_address(db):
    client = Client()
    statuses = [_login(client, f"nobody{i}", "wrong").status_code for i in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert "Retry-After" in _login(client, "nobody", "wrong")
    assert _login(client, "nobody", "wrong", ip="10.9.9.9").status_code == 200


@pytest.fixture
def with_2fa(settings):
    settings.STAFF_2FA = True


def _code(device: TOTPDevice) -> str:
    """The code the user's app shows now (time-machine moves the clock)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.parametrize("path", ["/workspace/", "/dashboard/", "/admin/"])
def test_staff_must_pass_totp_before_any_protected_page(cast, with_2fa, path):
    response = cast.client(cast.officer_a).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?next=")


def test_public_pages_need_no_second_factor(cast, with_2fa):
    assert cast.client(cast.officer_a).get("/agencies/").status_code == 200


def test_enrolment_then_verification_at_the_next_login(cast, with_2fa, english):
    client = cast.client(cast.officer_a)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/accounts/two-factor/?next=/workspace/")
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=cast.officer_a, confirmed=False)
        wrong = client.post("/accounts/two-factor/", {"token": "000000", "next": "/workspace/"})
        assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
        assert client.get("/workspace/").status_code == 302
    with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False):
        ok = client.post(
            "/accounts/two-factor/",
            {"token": _code(device), "next": "/workspace/"},
        )
        assert ok.status_code == 302 and ok["Location"] == "/workspace/"
        assert client.get("/workspace/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # A new login asks for a code again, and no longer shows the enrolment QR code.
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        again = cast.client(cast.officer_a)
        assert again.get("/workspace/").status_code == 302
        verify = again.get("/accounts/two-factor/")
        assert "<svg" not in verify.content.decode()
        assert again.post("/accounts/two-factor/", {"token": _code(device)}).status_code == 302
        assert again.get("/workspace/").status_code == 200


def test_open_redirect_after_verification_is_refused(cast, with_2fa):
    client = cast.client(cast.officer_a)
    with time_machine.travel(NOW, tick=False):
        client.get("/accounts/two-factor/")
        device = TOTPDevice.objects.get(user=cast.officer_a)
        response = client.post(
            "/accounts/two-factor/", {"token": _code(device), "next": "https://evil.example/"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"


def test_a_user_without_any_role_is_not_asked(db, with_2fa):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    response = client.get("/workspace/")
    assert "two-factor" not in response.get("Location", "")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass", False),  # 10 characters
        ("password1234", False),  # common
        ("12345678901234", False),  # numeric
        ("kopi tubruk di ampenan", True),  # no composition rules: a long phrase is fine
    ],
)
def test_password_policy(db, password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


@pytest.mark.parametrize(
    "path",
    ["/agencies/?q=dinas", "/compare/?a=dikes", "/open-data/agencies.csv?year=2025"],
    ids=str,
)
def test_expensive_public_endpoints_are_rate_limited_per_client(db, settings, path):
    settings.PUBLIC_RATE_LIMIT = "20/m"
    client = Client()

    def render(n: int, ip: str = "10.1.1.1"):  # a new query each time: a render, not a hit
        return client.get(f"{path}&n={n}", REMOTE_ADDR=ip)

    with time_machine.travel(NOW, tick=False):
        statuses = [render(n).status_code for n in range(21)]
        assert set(statuses[:20]) == {200}
        assert statuses[20] == 429
        assert render(99)["Retry-After"] == "60"
        # Another client, a page already cached, and ordinary pages are not affected.
        assert render(100, ip="10.1.1.2").status_code == 200
        assert client.get(f"{path}&n=0", REMOTE_ADDR="10.1.1.1").status_code == 200
        assert client.get("/methodology/", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_a_trusted_proxy_header_names_the_client(db, settings):
    settings.PUBLIC_RATE_LIMIT = "2/m"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for n, ip in enumerate(["10.2.0.1", "10.2.0.2", "10.2.0.3"] * 2):  # one proxy address
            assert client.get(f"/compare/?n={n}", HTTP_X_REAL_IP=ip).status_code == 200
        assert client.get("/compare/?n=9", HTTP_X_REAL_IP="10.2.0.1").status_code == 429
