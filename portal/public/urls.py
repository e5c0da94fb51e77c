"""Every anonymous page (DESIGN.md, URLs). The agency pages keep their namespace "agencies";
the others are named at the top level ("home", "rankings", ...)."""

from django.urls import include, path, re_path

from . import catalogue, corrections, goals, site_views, views

agency_patterns = [
    path("", views.agency_list, name="list"),
    path("<slug:slug>/", views.agency_detail, name="detail"),
    path("<slug:slug>/services/<str:code>/", views.service_detail, name="service"),
    path("<slug:slug>/services/<str:code>/survey/", views.survey, name="survey"),
    path(
        "<slug:slug>/services/<str:code>/survey/thanks/",
        views.survey_thanks,
        name="survey_thanks",
    ),
    path("<slug:slug>/services/<str:code>/survey/qr.svg", views.survey_qr, name="survey_qr"),
]

urlpatterns = [
    path("", site_views.home, name="home"),
    path("agencies/", include((agency_patterns, "agencies"))),
    path("services/", views.service_search, name="service_search"),
    path("rankings/", views.rankings, name="rankings"),
    path("compare/", views.compare, name="compare"),
    path("methodology/", site_views.methodology, name="methodology"),
    path("corrections/", corrections.corrections, name="corrections"),
    path("goals/", goals.goals, name="goals"),
    path("open-data/", site_views.open_data, name="open_data"),
    path("open-data/catalog.jsonld", catalogue.catalogue, name="open_data_catalogue"),
    re_path(
        r"^open-data/(?P<dataset>[a-z0-9-]+)\.(?P<fmt>csv|json)$",
        site_views.open_data_file,
        name="open_data_file",
    ),
    path("api/v1/", include("portal.public.api.urls")),
]
