"""A civil servant's own records, mounted at /workspace/me/ (namespace "me")."""

from django.urls import path

from . import me_views as views

app_name = "me"

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("contracts/<int:pk>/objection/", views.rating_objection, name="rating_object"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("decisions/<int:pk>/objection/", views.decision_objection, name="decision_object"),
]
