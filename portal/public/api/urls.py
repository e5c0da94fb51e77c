"""/api/v1/: the index, the OpenAPI schema, and one list per dataset of `DATASETS` (a new
dataset gets its address here without code)."""

from django.urls import path

from ..opendata import DATASETS
from .views import LIST_PARAMS, Index, Schema, api_page, dataset_view

app_name = "api"
urlpatterns = [
    path("", api_page(Index), name="index"),
    path("openapi.json", api_page(Schema), name="schema"),
    *[
        path(f"{slug}/", api_page(dataset_view(dataset), params=LIST_PARAMS), name=slug)
        for slug, dataset in DATASETS.items()
    ],
]
