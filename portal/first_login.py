"""A civil servant's login (issue 23, self-service). The first: the one-time link an HR
officer hands over (`performance.selfservice`) opens a form to choose a password; once it is
set, the link no longer works (its token holds a hash of the password). Django's
password-reset confirmation, with the links' own tokens, for civil servants' own accounts
only. Every later one: the login page, which takes a civil servant to their own records
rather than to the staff's workspace."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.access import civil_servant_of, roles_of
from performance.selfservice import first_login_tokens


class FirstLoginView(auth_views.PasswordResetConfirmView):
    token_generator = first_login_tokens
    template_name = "registration/first_login.html"

    def get_user(self, uidb64: str):
        """The account of the link, if it is a civil servant's own (a staff account's link
        is refused like a wrong one)."""
        user = super().get_user(uidb64)
        if user is None or civil_servant_of(user) is None:
            return None
        return user

    def get_success_url(self) -> str:
        return f"{reverse('login')}?{urlencode({'next': reverse('me:home')})}"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Log in with your NIP as the user name and this password."),
        )
        return response


class LoginView(auth_views.LoginView):
    """The login page: without a `next`, a civil servant's own account (with no staff role)
    lands on their records, everyone else on the workspace (`LOGIN_REDIRECT_URL`)."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if not roles_of(user) and civil_servant_of(user) is not None:
            return reverse("me:home")
        return super().get_default_redirect_url()
