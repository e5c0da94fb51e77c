"""The leaders' and auditors' dashboard, mounted at /dashboard/ (namespace "dashboard")."""

from django.urls import path  # noqa: F401

app_name = "dashboard"

urlpatterns: list = []
