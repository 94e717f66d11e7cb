"""Request middleware of our own."""

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _


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


class NulCharacterMiddleware:
    """Refuse (400) a request whose parameters contain the NUL character (U+0000).

    No text of this application contains it, and PostgreSQL cannot store or compare it: a NUL in a
    search box or an admin filter (`?q=%00`) reached a query and failed it with a server error. The
    query string of every request and the form fields of a page's POST are checked here, once, before
    any view; the API's JSON bodies are checked by its fields (DRF refuses NUL in text).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sources = [request.GET]
        if request.method == "POST" and not request.path_info.startswith(API_PREFIX):
            sources.append(request.POST)
        for data in sources:
            for name, values in data.lists():
                if "\0" in name or any("\0" in value for value in values):
                    return self._refuse(request, name.replace("\0", "\\0"))
        return self.get_response(request)

    @staticmethod
    def _refuse(request, name: str):
        message = _("Tham số “%(name)s” chứa ký tự NUL (mã 0), không được phép.") % {"name": name}
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
