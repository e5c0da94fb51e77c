"""HR officers' pages for their agencies' public services, mounted at /workspace/services/
(namespace "services"): paper survey batches, service metrics, citizens' suggestions, the
service standard and the follow-up plans."""

from django.urls import path

from . import service_views as views
from . import standard_views

app_name = "services"

urlpatterns = [
    path("", views.service_list, name="list"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("<int:service_pk>/paper/", views.paper_batch, name="paper"),
    path("<int:service_pk>/metrics/", views.metrics_list, name="metrics"),
    path(
        "<int:service_pk>/metrics/<int:year>/<int:quarter>/",
        views.metrics_edit,
        name="metrics_edit",
    ),
    path("<int:service_pk>/standard/", standard_views.standard_edit, name="standard"),
    path("<int:service_pk>/plans/", standard_views.plans, name="plans"),
    path("<int:service_pk>/plans/new/", standard_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/edit/", standard_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/update/", standard_views.plan_update, name="plan_update"),
]
