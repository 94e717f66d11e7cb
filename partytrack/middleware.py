"""Request middleware of our own."""

from django.conf import settings
from django.http import HttpResponseNotAllowed
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


PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
API_PREFIX = "/api/"


class PageMethodsMiddleware:
    """Pages (everything outside the REST API) take only GET, HEAD, POST and OPTIONS.

    HTML forms cannot send PUT, PATCH or DELETE; a function-based page view would otherwise run its
    GET branch for them. The API declares its own methods per endpoint and answers 405 itself. The
    answer is the same whether or not the path exists, so it tells nothing about what is there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PAGE_METHODS and not request.path_info.startswith(API_PREFIX):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)
