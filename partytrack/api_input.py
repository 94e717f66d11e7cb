"""How the REST API reads what a client sends, for every endpoint: the JSON body, the primary keys
naming other objects, and the list parameters `limit` and `offset`. Anything out of range answers
400 with a message naming it, before it reaches a query (a 20-digit limit once overflowed the
database's LIMIT; `1e999` became an infinite float that no primary-key lookup can convert: both were
server errors; `true` and `2.5` were read as the organizations 1 and 2)."""

from __future__ import annotations

import codecs
import json
import math

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, serializers

# The most rows one page of a list returns (`?limit=`); the default page is settings.PAGE_SIZE.
MAX_LIMIT = 1000
# No list here comes near a billion rows; a longer number is a mistake (or an attack on the LIMIT).
MAX_OFFSET = 1_000_000_000


class _NotFinite(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _refuse_constant(name: str):
    raise _NotFinite(name)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing numbers that are not finite (1e999, NaN, Infinity) by name."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            decoded = codecs.getreader(encoding)(stream)
            return json.load(decoded, parse_float=_finite_float, parse_constant=_refuse_constant)
        except _NotFinite as exc:
            raise exceptions.ParseError(
                _("Số “%(number)s” trong dữ liệu gửi lên không dùng được: chỉ nhận số hữu hạn.")
                % {"number": exc.args[0]}
            ) from exc
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc  # worded by partytrack.api_errors


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
