"""Leaders' review of recommended decisions, mounted at /dashboard/decisions/
(namespace "rewards")."""

from django.urls import path  # noqa: F401

app_name = "rewards"

urlpatterns: list = []
