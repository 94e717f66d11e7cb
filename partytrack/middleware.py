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


ADMIN_PREFIX = "/admin/"
# The admin's date drill-down (date_hierarchy: ?admitted_on__year=2024&admitted_on__month=5).
DATE_PARTS = {"__year": (1, 9998), "__month": (1, 12), "__day": (1, 31)}


class ParameterGuardMiddleware:
    """Refuse (400, with a message naming the parameter) what no view can use, before any view runs.

    - The NUL character (U+0000) anywhere in the query string or a page's posted form fields: no text
      of this application contains it, and PostgreSQL cannot store or compare it (a NUL in a search
      box or an admin filter, `?q=%00`, failed its query with a server error). The API's JSON bodies
      are checked by its fields (DRF refuses NUL in text).
    - In the admin, a date drill-down part that is not a plausible year, month or day: Django builds
      a datetime from it and only catches ValueError, so `?admitted_on__year=9999999999999`
      (OverflowError) or 9999 (a following year of 10000) were server errors.
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
                    message = _("Tham số “%(name)s” chứa ký tự NUL (mã 0), không được phép.") % {
                        "name": name.replace("\0", "\\0")
                    }
                    return self._refuse(request, message)
        if request.path_info.startswith(ADMIN_PREFIX):
            for name, values in request.GET.lists():
                for suffix, (low, high) in DATE_PARTS.items():
                    if name.endswith(suffix) and not all(_whole(value, low, high) for value in values):
                        message = _("Tham số “%(name)s” phải là số nguyên từ %(low)s đến %(high)s.") % {
                            "name": name,
                            "low": low,
                            "high": high,
                        }
                        return self._refuse(request, message)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, message: str):
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _whole(text: str, low: int, high: int) -> bool:
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= 4 and low <= int(text) <= high
