"""URLs of the pages benchmark (`bench.settings` only): the portal's, and the baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from .pages import BASELINE_BODY, BASELINE_PATH


def baseline(request: HttpRequest) -> HttpResponse:
    """A fixed 13-byte response: what Django, its middleware and gunicorn cost on their own."""
    return HttpResponse(BASELINE_BODY)


urlpatterns = [
    path(BASELINE_PATH.strip("/") + "/", baseline),
    path("", include("portal.urls")),
]
