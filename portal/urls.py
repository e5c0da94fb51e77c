from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from agencies import views as agency_views
from agencies.ratelimits import limited

from . import twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/", include("agencies.urls")),
    path("rankings/", agency_views.rankings, name="rankings"),
    path("compare/", agency_views.compare, name="compare"),
    path("methodology/", views.methodology, name="methodology"),
    path("open-data/", views.open_data, name="open_data"),
    re_path(
        r"^open-data/(?P<dataset>[a-z0-9-]+)\.(?P<fmt>csv|json)$",
        views.open_data_file,
        name="open_data_file",
    ),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher posts without a CSRF token so that public pages carry no
    # per-visitor token and can be cached whole; changing the language is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("workspace/", include("performance.urls")),
    path("workspace/services/", include("agencies.workspace_urls")),
    path("workspace/decisions/", include("rewards.workspace_urls")),
    path("dashboard/", include("portal.dashboard_urls")),
    path("dashboard/decisions/", include("rewards.urls")),
    path(
        "accounts/login/",
        limited("LOGIN_RATE_LIMIT", methods=("POST",))(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    # Its posts (enrolment codes, TOTP codes) count against the login form's limit too.
    path(
        "accounts/two-factor/",
        limited("LOGIN_RATE_LIMIT", methods=("POST",))(twofactor.two_factor),
        name="two_factor",
    ),
    path("accounts/two-factor/add/", twofactor.add_device, name="two_factor_add"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]
# No MEDIA_URL route, not even with DEBUG: the only media are private (evidence files and
# staged uploads under MEDIA_ROOT/private), served by workspace views that check access.

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
