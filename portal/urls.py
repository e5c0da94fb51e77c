"""The site's URLs: each audience's pages come from its app (portal/public, portal/workspace,
portal/dashboard); the accounts, the admin and the health check are the project's own."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import first_login, health, twofactor
from .common.ratelimits import limited

urlpatterns = [
    path("", include("portal.public.urls")),
    path("healthz", health.healthz, name="healthz"),
    # The language switcher posts without a CSRF token so that public pages carry no
    # per-visitor token and can be cached whole; changing the language is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("workspace/", include("portal.workspace.urls")),
    path("workspace/services/", include("portal.workspace.service_urls")),
    path("workspace/decisions/", include("portal.workspace.decision_urls")),
    path("workspace/ratings/", include("portal.workspace.rating_urls")),
    path("workspace/me/", include("portal.workspace.me_urls")),
    path("dashboard/", include("portal.dashboard.urls")),
    path("dashboard/decisions/", include("portal.dashboard.decision_urls")),
    path(
        "accounts/login/",
        limited("LOGIN_RATE_LIMIT", methods=("POST",))(first_login.LoginView.as_view()),
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
    # A civil servant's one-time link to choose their first password (self-service).
    path(
        "accounts/first-login/<uidb64>/<token>/",
        limited("LOGIN_RATE_LIMIT", methods=("POST",))(first_login.FirstLoginView.as_view()),
        name="first_login",
    ),
    path("admin/", admin.site.urls),
]
# No MEDIA_URL route, not even with DEBUG: the only media are private (evidence files and
# staged uploads under MEDIA_ROOT/private), served by workspace views that check access.

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
