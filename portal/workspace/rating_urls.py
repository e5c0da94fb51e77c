"""The ratings of civil servants (PermenPAN-RB 6/2022), mounted at /workspace/ratings/
(namespace "ratings")."""

from django.urls import path

from . import rating_views as views

app_name = "ratings"

urlpatterns = [
    path("", views.index, name="index"),
    path("agencies/<int:agency_pk>/<int:year>/", views.agency, name="agency"),
    path("contracts/<int:pk>/", views.person, name="person"),
    path("contracts/<int:pk>/objection/", views.lodge_objection, name="object"),
    path("upload/", views.upload, name="upload"),
]
