"""Request middleware of our own."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the language switch.

    Officials' browsers are often set to English; the browser's Accept-Language is therefore ignored
    and only the language cookie (set by /i18n/setlang/) changes the interface language.
    """

    def process_request(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
