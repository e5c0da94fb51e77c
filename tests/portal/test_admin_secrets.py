"""Secrets never leave the server (issue 16, finding 1): no role reads a TOTP key after
enrolment. The auditors' group is built from an allow-list of models, every admin page an
auditor (or a superuser) can reach carries no device key, and the device admin has no key,
no QR code and no configuration page. Also the realisation admin page with an evidence file
(finding 5): 200, the file as a link to the access-checked workspace view."""

from __future__ import annotations

import re
from base64 import b32encode
from collections import deque
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.access import AUDITOR_MODELS
from performance.models import PerformanceContract
from tests.portal.workspace.data import contract_of, with_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]
LINK = re.compile(r'href="(/admin/[^"#?]*)"')
SKIP = ("/admin/logout/", "/delete/", "/password/")
MAX_PAGES = 600


@pytest.fixture
def devices(cast) -> list[TOTPDevice]:
    """A confirmed device for officer A and an enrolment left half-way for approver A."""
    return [
        TOTPDevice.objects.create(user=cast.officer_a, name="Kinerja NTB", confirmed=True),
        TOTPDevice.objects.create(user=cast.approver_a, name="Kinerja NTB", confirmed=False),
    ]


@pytest.fixture
def data(cast, devices):
    contract = contract_of(cast.agency_a, status=PerformanceContract.Status.APPROVED)
    return {"realisation": with_evidence(contract)}


def secrets_of(devices: list[TOTPDevice]) -> list[str]:
    """Every form a key could take on a page: hex, base32 (plain and in groups of four), the
    otpauth:// URL of its QR code."""
    out = ["otpauth://"]
    for device in devices:
        b32 = b32encode(device.bin_key).decode()
        out += [device.key, b32, " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))]
    return out


def crawl(client: Client, start: str = "/admin/") -> dict[str, int]:
    """Every admin page reachable by links from `start` (GET, no logout or delete), with its
    status; fails on a page that shows a secret."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = unescape(response.content.decode())
        links = [u for u in LINK.findall(body) if not any(s in u for s in SKIP)]
        queue.extend(u for u in links if u not in seen)
        crawl.bodies[url] = body
    return seen


crawl.bodies = {}


@pytest.fixture
def auditor_client(cast, data) -> Client:
    call_command("create_user", "inspektur", "--role", "auditor")
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="inspektur"))
    return client


def test_the_auditors_group_is_the_allow_list_and_nothing_else(cast):
    call_command("create_user", "inspektur", "--role", "auditor")
    group = Group.objects.get(name="Auditors")
    labels = {f"{p.content_type.app_label}.{p.content_type.model}" for p in group.permissions.all()}
    assert labels == set(AUDITOR_MODELS)
    assert all(p.codename.startswith("view_") for p in group.permissions.all())
    auditor = get_user_model().objects.get(username="inspektur")
    assert not auditor.has_perm("otp_totp.view_totpdevice")
    assert not auditor.has_perm("sessions.view_session")
    assert auditor.has_perm("agencies.view_auditevent")
    # A permission given to the group by hand goes at the next auditor's creation.
    group.permissions.add(*Permission.objects.filter(codename="view_totpdevice"))
    call_command("create_user", "inspektur2", "--role", "auditor")
    assert not group.permissions.filter(codename="view_totpdevice").exists()


def test_no_admin_page_an_auditor_can_open_shows_a_device_key(auditor_client, devices):
    pages = crawl(auditor_client)
    assert len(pages) > 40  # the index, every allowed changelist, objects, their history
    print(f"admin crawl, auditor: {len(pages)} pages, statuses {sorted(set(pages.values()))}")
    assert 500 not in pages.values(), [u for u, s in pages.items() if s == 500]
    secrets = secrets_of(devices)
    leaks = [
        (url, s) for url, body in crawl.bodies.items() if url in pages for s in secrets if s in body
    ]
    assert leaks == []
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{devices[0].pk}/change/",
        f"/admin/otp_totp/totpdevice/{devices[0].pk}/config/",
        f"/admin/otp_totp/totpdevice/{devices[0].pk}/qrcode/",
    ):
        assert auditor_client.get(url, follow=True).status_code in (403, 404), url


def test_no_admin_page_of_a_superuser_shows_a_device_key(data, devices):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "not-used-9x")
    client = Client(raise_request_exception=False)
    client.force_login(root)
    pages = crawl(client)
    print(f"admin crawl, superuser: {len(pages)} pages, statuses {sorted(set(pages.values()))}")
    device_page = f"/admin/otp_totp/totpdevice/{devices[0].pk}/change/"
    assert pages.get(device_page) == 200  # who has a device is visible, its key is not
    secrets = secrets_of(devices)
    leaks = [
        (url, s) for url, body in crawl.bodies.items() if url in pages for s in secrets if s in body
    ]
    assert leaks == []
    assert 500 not in pages.values(), [u for u, s in pages.items() if s == 500]
    # No page to add a device with a key of the administrator's choosing, none to read one.
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    for view in ("config", "qrcode"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:otp_totp_totpdevice_{view}", args=[devices[0].pk])
        # The admin takes the path for an object id that does not exist: to its index.
        response = client.get(f"/admin/otp_totp/totpdevice/{devices[0].pk}/{view}/", follow=True)
        assert response.redirect_chain[-1][0] == "/admin/"
        assert not any(s in response.content.decode() for s in secrets)
    # A device is deleted (a lost phone), never edited.
    assert client.post(device_page, {"name": "x", "key": "00" * 20}).status_code == 403


def test_the_realisation_admin_page_links_to_the_access_checked_evidence_view(auditor_client, data):
    realisation = data["realisation"]
    response = auditor_client.get(f"/admin/performance/realisation/{realisation.pk}/change/")
    assert response.status_code == 200
    link = reverse("workspace:evidence", args=[realisation.pk])
    assert f'href="{link}"' in response.content.decode()
    assert "bukti.pdf" in response.content.decode()
    # That view checks access: the auditor's role reads it, a user without one does not.
    assert auditor_client.get(link).status_code == 200
    stranger = Client()
    stranger.force_login(get_user_model().objects.create_user("nobody"))
    assert stranger.get(link).status_code == 403


def test_the_migration_cuts_an_existing_group_down_to_the_allow_list(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("agencies.migrations.0008_auditors_allow_list")
    group = Group.objects.create(name="Auditors")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    assert group.permissions.filter(codename="view_totpdevice").exists()

    migration.allow_list_only(apps, None)

    labels = {f"{p.content_type.app_label}.{p.content_type.model}" for p in group.permissions.all()}
    assert labels == set(migration.AUDITOR_MODELS) == set(AUDITOR_MODELS)
