"""The portal's URLs plus one view that fails, to exercise the 500 page."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from portal.urls import *  # noqa: F403
from portal.urls import urlpatterns as portal_urlpatterns


def forbidden(request):
    raise PermissionDenied("internal reason")


def boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [*portal_urlpatterns, path("boom/", boom), path("forbidden/", forbidden)]
