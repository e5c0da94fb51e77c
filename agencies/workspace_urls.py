"""HR officers' pages for their agencies' public services, mounted at /workspace/services/
(namespace "services"): paper survey batches, service metrics, citizens' suggestions."""

from django.urls import path  # noqa: F401

app_name = "services"

urlpatterns: list = []
