"""The beat's notification tasks (portal/tasks.py): scheduled each morning in WITA; the
digest through a real worker where REDIS_URL is set (CI) sends one mail a day per user. And
the workspace page where each user chooses immediate or digest and the mail's language."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from agencies import notify
from agencies.models import Notification, NotificationPreference
from portal import tasks
from portal.celery import app
from tests.factories import UserFactory
from tests.mail_worker import through_worker

Kind = Notification.Kind


def test_beat_sends_reminders_and_the_digest_each_morning():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    reminders, digest = schedule["deadline-reminders"], schedule["notification-digest"]
    assert reminders["task"] == tasks.reminders_task.name
    assert digest["task"] == tasks.digest_task.name
    assert (reminders["schedule"].hour, reminders["schedule"].minute) == ({6}, {30})
    assert (digest["schedule"].hour, digest["schedule"].minute) == ({7}, {0})
    assert {tasks.reminders_task.name, tasks.digest_task.name} <= set(app.tasks)
    app.autodiscover_tasks(force=True)  # what a worker does when it starts
    assert "agencies.tasks.send_notifications_task" in app.tasks


def digest_users(n: int) -> list:
    users = []
    for i in range(n):
        u = UserFactory(email=f"digest{i}@example.org")
        NotificationPreference.objects.create(user=u, delivery="digest", language="en")
        users.append(u)
    for _ in range(2):  # two events each: still one mail
        Notification.objects.bulk_create(
            Notification(
                user=u, kind=Kind.OBJECTION, params={"agency": "Dinas Kesehatan"}, path="/x/"
            )
            for u in users
        )
    return users


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_digest_task_sends_one_mail_a_day_per_user_through_a_real_worker(settings):
    users = digest_users(3)
    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        threads = through_worker(tasks.digest_task.delay, len(users))
        assert threading.current_thread().name not in threads
        through_worker(tasks.digest_task.delay, len(users))  # again the same day: nothing
    else:
        tasks.digest_task.delay()
        tasks.digest_task.delay()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert all("2 notifications of the day" in m.subject for m in mail.outbox)
    assert not Notification.objects.pending().exists()


# --- the user's page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_chooses_the_digest_and_the_language(cast, officer_a, english):
    url = reverse("workspace:notifications")
    page = officer_a.get(url)
    assert page.status_code == 200
    assert 'name="delivery"' in page.text and 'name="language"' in page.text
    assert 'for="id_language"' in page.text  # every control labelled
    response = officer_a.post(url, {"delivery": "digest", "language": "id"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=cast.officer_a)
    assert (pref.delivery, pref.language) == ("digest", "id")
    assert notify.preference_of(cast.approver_a).delivery == "immediate"  # nobody else's


@pytest.mark.django_db
def test_a_wrong_choice_is_refused_and_nothing_saved(cast, officer_a):
    response = officer_a.post(
        reverse("workspace:notifications"), {"delivery": "hourly", "language": "fr"}
    )
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_the_page_counts_what_waits_in_bounded_queries(
    cast, officer_a, english, django_assert_max_num_queries
):
    NotificationPreference.objects.create(user=cast.officer_a, delivery="digest")
    Notification.objects.bulk_create(
        Notification(user=cast.officer_a, kind=Kind.OBJECTION, params={"agency": "A"})
        for _ in range(30)
    )
    with django_assert_max_num_queries(12):
        page = officer_a.get(reverse("workspace:notifications"))
    assert "30 notifications wait for your next daily mail" in page.text
