"""How the REST API reads what a client sends, for every endpoint: the JSON body, the primary keys
naming other objects, and the list parameters `limit` and `offset`. Anything out of range answers
400 with a message naming it, before it reaches a query (a 20-digit limit once overflowed the
database's LIMIT; `1e999` became an infinite float that no primary-key lookup can convert: both were
server errors; `true` and `2.5` were read as the organizations 1 and 2). The JSON body is also bounded
in depth (5,000 nested "[" made the parser recurse into a server error) and refused when a string
holds a lone surrogate ("\\ud800", which no response, message or database can encode)."""

from __future__ import annotations

import codecs
import json
import math
import re

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, serializers

# The most rows one page of a list returns (`?limit=`); the default page is settings.PAGE_SIZE.
MAX_LIMIT = 1000
# No list here comes near a billion rows; a longer number is a mistake (or an attack on the LIMIT).
MAX_OFFSET = 1_000_000_000
# The API's documents nest two or three levels (an object, its list of quarters); json and every
# serializer after it recurse once per level.
MAX_DEPTH = 32
# A whole string (skipped), a bracket, or the quote of a string that never ends (the end of the scan).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]|"', re.DOTALL)


class _NotFinite(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _refuse_constant(name: str):
    raise _NotFinite(name)


def _too_deep(text: str) -> bool:
    """More than MAX_DEPTH arrays and objects open at once, counted outside strings, before json reads
    the text (json recurses once per level: a deep enough document is a RecursionError)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TOKEN.finditer(text):  # each character is read once: the scan is linear
        token = match.group()
        if token == '"':
            return False  # a string that never ends: json refuses the text
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in "]}":
            depth -= 1
    return False


class _Surrogate(Exception):
    pass


def _check_strings(value) -> None:
    """Refuse (_Surrogate) a lone surrogate in a string or in the strings of a list, lists in lists
    included: json reads "\\ud800" as a str that no response, message or database can encode. Objects
    are checked by `_checked_object` as json builds them, each once."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise _Surrogate(value[exc.start]) from None


def _checked_object(pairs: list) -> dict:
    """json's object_pairs_hook: every key and value, a value a later duplicate key replaces included."""
    for key, value in pairs:
        _check_strings(key)
        _check_strings(value)
    return dict(pairs)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing numbers that are not finite (1e999, NaN, Infinity) by name, documents
    nested deeper than MAX_DEPTH and strings holding a lone surrogate."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            if _too_deep(text):
                raise exceptions.ParseError(_("Dữ liệu gửi lên lồng nhau quá %(max)s tầng.") % {"max": MAX_DEPTH})
            document = json.loads(
                text, parse_float=_finite_float, parse_constant=_refuse_constant, object_pairs_hook=_checked_object
            )
            _check_strings(document)
        except _Surrogate as exc:
            # DRF's own message for a surrogate in a text field (fields.ProhibitSurrogateCharactersValidator).
            raise exceptions.ParseError(
                _("Surrogate characters are not allowed: U+{code_point:X}.").format(code_point=ord(exc.args[0]))
            ) from None
        except _NotFinite as exc:
            raise exceptions.ParseError(
                _("Số “%(number)s” trong dữ liệu gửi lên không dùng được: chỉ nhận số hữu hạn.")
                % {"number": exc.args[0]}
            ) from exc
        except RecursionError:  # the depth scan bounds it; kept for what it may miss
            raise exceptions.ParseError(_("Dữ liệu gửi lên lồng nhau quá %(max)s tầng.") % {"max": MAX_DEPTH}) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc  # worded by partytrack.api_errors
        return document


class PrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to another object by its id, a whole number (5 or "5"); `true` or 2.5 are refused
    (Python would read them as 1 and 2)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def _whole_number(request, name: str, *, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name, "").strip()
    if text == "":
        return default
    if text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    message = _("Tham số “%(name)s” phải là số nguyên từ %(low)s đến %(high)s.") % {
        "name": name,
        "low": low,
        "high": high,
    }
    raise exceptions.ValidationError({name: [message]})


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset pages, with `limit` from 1 to MAX_LIMIT and `offset` from 0 to MAX_OFFSET:
    anything else (negative, not a number, 20 digits) is refused rather than read as the default."""

    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return _whole_number(request, self.limit_query_param, default=self.default_limit, low=1, high=self.max_limit)

    def get_offset(self, request):
        return _whole_number(request, self.offset_query_param, default=0, low=0, high=MAX_OFFSET)


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter's backend for filter sets whose choices are the caller's scope: a view setting
    `scoped_filters` gets its filter set built with the user (the list itself and the browsable API's
    filter form, which built it without them)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if getattr(view, "scoped_filters", False):
            kwargs.update(user=request.user)
        return kwargs
