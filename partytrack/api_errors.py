"""API errors in the interface language. DRF passes two messages through without translation: Django's
"No Candidate matches the given query." (a 404, which also names the model: the same answer as for
an object outside the caller's subtree must not differ from a missing one) and the JSON parser's
"JSON parse error - Expecting value: line 1 column 1 (char 0)". A write refused because the object
changed since the caller read it (partytrack.versions.StaleVersion) answers 412."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .api_versions import PreconditionFailed
from .versions import StaleVersion


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, StaleVersion):
        exc = PreconditionFailed()
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        exc = exceptions.ParseError(_("Dữ liệu gửi lên không phải JSON hợp lệ."))
    return drf_exception_handler(exc, context)
