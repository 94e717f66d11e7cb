"""Figures in report templates: in the interface language on pages (1.234 and 46,5% in Vietnamese,
1,234 and 46.5% in English), Vietnamese in the biểu, which are rendered in Vietnamese
(partytrack.documents.in_official_language)."""

from html import escape as html_escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from partytrack.documents import roman_quarter
from partytrack.figures import interface_number, interface_percent

register = template.Library()


@register.filter
def vn_number(value, decimals=0):
    """1.234 or 46,5 (1,234 or 46.5 in English); None (no quota) is "—"."""
    return interface_number(value, int(decimals))


@register.filter
def vn_percent(value):
    """46,5% (46.5% in English); None (no quota) is "—"."""
    return interface_percent(value)


@register.filter
def roman(quarter):
    return roman_quarter(int(quarter))


@register.filter
def svg_number(value):
    """A coordinate for an SVG attribute: always a dot, never localised."""
    return f"{float(value):.2f}"


@register.filter
def descendants_of(row, report):
    """A report row followed by every row below it (detail reports)."""
    return list(report.with_descendants(row))


@register.simple_tag
def progress_row(row, query):
    """One row of the progress table (dashboard), built in
    Python because a report has up to hundreds of rows and the template engine spent about 0.3 ms on
    each, most of the page's time. Every text is escaped; numbers are in the interface language."""
    cells = [
        interface_number(row.quota_total),
        *((interface_number(value) if row.quota else "") for value in row.quota_quarters),
        interface_number(row.quota_to_date) + ("*" if row.quota_to_date_estimated else ""),
    ]
    numbers = "".join(f'<td class="num">{_escape(text)}</td>' for text in cells)
    numbers += "".join(
        f'<td class="num{" later" if value is None else ""}">{_escape(interface_number(value))}</td>'
        for value in row.admitted_quarters
    )
    numbers += "".join(
        f'<td class="num">{_escape(text)}</td>'
        for text in (
            interface_number(row.admitted_to_date),
            interface_percent(row.percent_total),
            interface_percent(row.percent_to_date),
        )
    )
    label = _escape(row.label)
    if row.organization:
        url = reverse("reports:dashboard", args=[row.organization.id])
        label = f'<a href="{_escape(url)}?{_escape(query)}" title="{_escape(row.organization.name)}">{label}</a>'
    status, status_label = _escape(row.status), _escape(row.status_label)
    target = ""
    if row.bar_target is not None:
        x = svg_number(row.bar_target)
        target = f'<line class="bar-target" x1="{x}" x2="{x}" y1="0" y2="10"/>'
    bar = (
        f'<svg class="bar status-{status}" viewBox="0 0 100 10" preserveAspectRatio="none" width="120" '
        f'height="12" role="img" aria-label="{status_label}: {_escape(interface_percent(row.percent_total))}">'
        '<rect class="bar-track" x="0" y="0" width="100" height="10"/>'
        f'<rect class="bar-fill" x="0" y="0" width="{svg_number(row.bar_percent)}" height="10"/>{target}</svg> '
        f'<span class="status status-{status}">{status_label}</span>'
    )
    return mark_safe(  # built from escaped parts only
        f'<tr class="{_escape(row.kind)}">\n  <td>{_escape(row.number)}</td>\n  <td>{label}</td>\n  {numbers}\n'
        f'  <td class="progress-cell">{bar}</td>\n</tr>'
    )


def _escape(value) -> str:
    return html_escape(str(value), quote=True)
