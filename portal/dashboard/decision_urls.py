"""Leaders' review of recommended decisions, mounted at /dashboard/decisions/
(namespace "rewards")."""

from django.urls import path

from . import decision_views as views

app_name = "rewards"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("all/", views.queue_all, name="queue_all"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/reverse/", views.reverse_decision, name="reverse"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/answer/", views.answer, name="answer"),
]
