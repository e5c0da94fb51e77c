"""The visitor's language: Bahasa Indonesia unless they chose English with the switcher (a
cookie). The browser's Accept-Language is not asked: many phones in Indonesia are set to
English, and the province's portal opens in the province's language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class CookieLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with the language from the switcher's cookie only."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # No "Vary: Accept-Language": the page does not depend on it (it varies on Cookie).
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
