"""Every response carries a Permissions-Policy header (issue 16, finding 6; ASVS 3.4):
public pages, staff pages, files, error pages and static files alike."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agencies/",
        "/open-data/agencies.csv",
        "/healthz",
        "/accounts/login/",
        "/workspace/",  # a redirect to the login page
        "/no/such/page/",  # the 404 page
        "/static/css/portal.css",  # whitenoise
    ],
)
def test_every_response_names_the_features_no_page_uses(db, path):
    response = Client().get(path)
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "*" not in policy


def test_a_staff_page_carries_it_too(officer_a):
    response = officer_a.get("/workspace/")
    assert response.status_code == 200
    assert "camera=()" in response["Permissions-Policy"]
