from django.urls import path

from . import views
from .ratelimits import limited

app_name = "agencies"

urlpatterns = [
    # The directory is also the search: rate-limited per client like the other expensive
    # public endpoints (agencies/ratelimits.py).
    path("", limited("PUBLIC_RATE_LIMIT")(views.agency_list), name="list"),
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
