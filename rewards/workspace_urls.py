"""HR officers' view of the decisions about their agencies' staff, and objections
(keberatan), mounted at /workspace/decisions/ (namespace "staff_decisions")."""

from django.urls import path  # noqa: F401

app_name = "staff_decisions"

urlpatterns: list = []
