"""Every console table exports the same way: the page's own URL with `?export=csv` or
`?export=xlsx` (and `&table=<name>` when the page has several tables), keeping its filters.

A view hands `export_response` its tables as builders (called only when asked for), and renders
the page as usual when it returns None. The template shows the links with
`{% include "console/_export_links.html" with table="<name>" %}`.
"""

from collections.abc import Callable, Mapping

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from chorus.analytics.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Table,
    table_csv,
    table_xlsx,
)

FORMATS = ("csv", "xlsx")


def _refused(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def table_response(table: Table, export_format: str) -> HttpResponse:
    if export_format == "xlsx":
        response = HttpResponse(table_xlsx(table), content_type=XLSX_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(table_csv(table), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{export_format}"'
    return response


def export_response(request, tables: Mapping[str, Callable[[], Table]]) -> HttpResponse | None:
    """The asked-for table as a download, None when no export is asked for; the first table is the
    default. An unknown format or table is a 400 with a message."""
    export_format = request.GET.get("export")
    if export_format is None:
        return None
    if export_format not in FORMATS:
        return _refused(_("Choose an export format: CSV or XLSX."))
    name = request.GET.get("table") or next(iter(tables))
    if name not in tables:
        return _refused(_("There is no table “%(name)s” on this page.") % {"name": name})
    return table_response(tables[name](), export_format)
