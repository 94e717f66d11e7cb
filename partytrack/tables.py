"""The base of the list tables (django-tables2): the site's table template and bounded pages."""

from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.http import QueryDict

PER_PAGE = 100
MOST_PER_PAGE = 500  # what the lists showed before they had pages: ?per_page= asks for fewer, never more
TABLE_PARAMETERS = ("sort", "page", "per_page")


class Table(tables.Table):
    class Meta:
        template_name = "tables/table.html"

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # tables2 takes ?per_page= as given: 0 divides by zero, a huge one lists a whole country
        per_page = min(per_page if per_page and per_page > 0 else PER_PAGE, MOST_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


def filter_criteria(query: QueryDict) -> QueryDict:
    """The query string without the table's own parameters, so that ?page=2 alone is no filter."""
    criteria = query.copy()
    for name in TABLE_PARAMETERS:
        criteria.pop(name, None)
    return criteria
