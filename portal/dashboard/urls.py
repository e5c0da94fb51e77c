"""The leaders' and auditors' dashboard, mounted at /dashboard/ (namespace "dashboard")."""

from django.urls import path

from . import follow_up
from . import views as dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.overview, name="overview"),
    path("predikat.csv", dashboard.predikat_csv, name="predikat_csv"),
    path("below-target.csv", dashboard.below_target_csv, name="below_target_csv"),
    path("coherence/", dashboard.coherence, name="coherence"),
    path("coherence.csv", dashboard.coherence_csv, name="coherence_csv"),
    path("compliance/", dashboard.compliance, name="compliance"),
    path("compliance.csv", dashboard.compliance_csv, name="compliance_csv"),
    path("follow-up/", follow_up.follow_up, name="follow_up"),
    path("cascade/", dashboard.cascade, name="cascade"),
]
