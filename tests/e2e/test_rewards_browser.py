"""A leader decides in real Chromium, checked by axe-core: log in, open the queue of
recommendations, approve two at once, reject one with a reason, read a decision's page."""

import pytest

from rewards.models import Decision
from tests.e2e.conftest import assert_accessible
from tests.rewards.data import build_world

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-9"
QUEUE = "/dashboard/decisions/"


@pytest.fixture
def people(cast):
    world = build_world(cast)  # the recommendations of tests/rewards
    world.leader.set_password(PASSWORD)
    world.leader.save()
    return world


def log_in(page, base: str) -> None:
    page.goto(base + QUEUE)
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(base + QUEUE)


def test_leader_approves_two_and_rejects_one_with_a_reason(people, live_server, page):
    base = live_server.url
    log_in(page, base)
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    ani, budi, citra = (people.decisions[n] for n in ("ani", "budi", "citra"))
    page.check(f"#pick-{ani.pk}")
    page.check(f"#pick-{budi.pk}")
    page.click("button[name=action][value=approve]")
    page.wait_for_load_state()
    assert page.locator(".message--success").count() == 1
    assert_accessible(page)

    # Rejecting without a reason is refused, with the tick kept; then with one.
    page.check(f"#pick-{citra.pk}")
    page.click("button[name=action][value=reject]")
    page.wait_for_load_state()
    assert page.locator("#id_reason_error").count() == 1
    assert page.is_checked(f"#pick-{citra.pk}")
    assert_accessible(page)
    page.fill("#id_reason", "Nilai belum diverifikasi Inspektorat")
    page.click("button[name=action][value=reject]")
    page.wait_for_load_state()
    assert page.locator(".message--success").count() == 1

    status = dict(Decision.objects.values_list("pk", "status"))
    assert (status[ani.pk], status[budi.pk], status[citra.pk]) == (
        "approved",
        "approved",
        "rejected",
    )
    assert Decision.objects.get(pk=citra.pk).reason == "Nilai belum diverifikasi Inspektorat"

    # The rejected decision's own page: evidence, history with the reason, the reversal form.
    page.goto(f"{base}{QUEUE}{citra.pk}/")
    assert page.locator("text=Nilai belum diverifikasi Inspektorat").count() >= 1
    assert page.locator("#id_reason").count() == 1  # the reversal's reason
    assert_accessible(page)
    page.goto(f"{base}{QUEUE}{people.decisions['dewi'].pk}/")
    assert_accessible(page)


def test_the_queue_fits_a_360px_phone(people, live_server, phone_page):
    log_in(phone_page, live_server.url)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(phone_page)
    phone_page.goto(f"{live_server.url}{QUEUE}{people.decisions['citra'].pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone_page)
