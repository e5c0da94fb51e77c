from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
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
