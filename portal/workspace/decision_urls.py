"""HR officers' view of the decisions about their agencies' staff, and objections
(keberatan), mounted at /workspace/decisions/ (namespace "staff_decisions")."""

from django.urls import path

from . import decision_views as views

app_name = "staff_decisions"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/objection/", views.lodge_objection, name="object"),
]
