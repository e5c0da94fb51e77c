"""HR officers' pages for their agencies' public services, mounted at /workspace/services/
(namespace "services"): paper survey batches, service metrics, citizens' suggestions."""

from django.urls import path

from . import service_views as views

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
]
