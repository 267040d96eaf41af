"""Tables for export: a `Table` (labelled, typed columns and rows of raw values) written as CSV
(UTF-8 with a byte-order mark, so Excel reads it right) or XLSX (numbers as numbers, money in
major units with the currency in the header). Every console table exports through here.

Cells that a spreadsheet would run as a formula (text starting with = + - @, a tab or a carriage
return) are written with a leading apostrophe, so an advocate named "=HYPERLINK(...)" stays text.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.programs.currencies import minor_unit_exponent

from .influence import PARTS, Influence

TEXT, INTEGER, DECIMAL, MONEY, PERCENT, DATE, DATETIME = "text", "integer", "decimal", "money", "percent", "date", "datetime"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """`kind` says how a value is written: money columns hold minor units of the table's currency,
    percent columns a percentage already × 100 (or None), decimal columns a float or Decimal."""

    label: str
    kind: str = TEXT
    digits: int = 2


@dataclass
class Table:
    name: str  # the file name's stem, e.g. "acme-funnel-2026-11-01-2026-11-30"
    title: str  # the worksheet's title
    columns: list[Column]
    rows: Iterable[list] = field(default_factory=list)
    currency: str = ""

    def header(self) -> list[str]:
        return [f"{column.label} ({self.currency})" if column.kind == MONEY and self.currency else column.label
                for column in self.columns]


def safe_text(value) -> str:
    """Text as a spreadsheet must show it, never run it: a leading apostrophe before a formula start."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _number(column: Column, value, currency: str):
    """A cell's value as a number (money in major units), or None when empty."""
    if value is None or value == "":
        return None
    if column.kind == MONEY:
        return Decimal(int(value)).scaleb(-minor_unit_exponent(currency))
    if column.kind == INTEGER:
        return int(value)
    return round(Decimal(str(float(value))), column.digits)


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if isinstance(value, datetime) and timezone.is_aware(value) else value


def _csv_cell(column: Column, value, currency: str) -> str:
    if column.kind in (MONEY, INTEGER, DECIMAL, PERCENT):
        number = _number(column, value, currency)
        if number is None:
            return ""
        if column.kind == MONEY:
            return f"{number:.{minor_unit_exponent(currency)}f}"
        return str(number) if column.kind == INTEGER else f"{number:.{column.digits}f}"
    if column.kind == DATETIME and isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if column.kind == DATE and isinstance(value, date):
        return value.isoformat()
    return safe_text(value)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def table_csv(table: Table) -> Iterator[str]:
    """The table as CSV lines: a byte-order mark and the header first."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_text(label) for label in table.header()])
    for row in table.rows:
        yield writer.writerow([_csv_cell(column, value, table.currency) for column, value in zip(table.columns, row, strict=True)])


def _xlsx_format(column: Column, currency: str) -> str | None:
    if column.kind == MONEY:
        exponent = minor_unit_exponent(currency)
        return "#,##0" + ("." + "0" * exponent if exponent else "")
    if column.kind in (DECIMAL, PERCENT):
        return "0." + "0" * column.digits if column.digits else "0"
    return {INTEGER: "0", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}.get(column.kind)


def table_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet: a bold header row, typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "".join(c for c in table.title if c not in "[]:*?/\\")[:31] or "Sheet1"
    sheet.append(table.header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    formats = [_xlsx_format(column, table.currency) for column in table.columns]
    for row in table.rows:
        values = []
        for column, value in zip(table.columns, row, strict=True):
            if column.kind in (MONEY, INTEGER, DECIMAL, PERCENT):
                number = _number(column, value, table.currency)
                values.append(None if number is None else (int(number) if column.kind == INTEGER else float(number)))
            elif column.kind in (DATE, DATETIME) and isinstance(value, date):
                values.append(_local(value))
            else:
                values.append(None if value is None else safe_text(value))
        sheet.append(values)
        for cell, column, number_format in zip(sheet[sheet.max_row], table.columns, formats, strict=True):
            if number_format and cell.value is not None:
                cell.number_format = number_format
            if column.kind == TEXT and cell.value is not None:
                cell.data_type = "s"  # never a formula, whatever the text
    for index, label in enumerate(table.header(), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(len(label) + 2, 10), 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TableBuilder = Callable[[], Table]


def influence_table(result: Influence, name: str) -> Table:
    """One row per advocate: rank, advocate, score, and each part's value, scaled and points."""
    labels = {"revenue": _("Attributed revenue"), "referrals": _("Converted referrals"),
              "completions": _("Approved ask completions"), "shares": _("Content shares"),
              "engagement": _("Active weeks")}
    columns = [Column(_("Rank"), INTEGER), Column(_("Advocate")), Column(_("Email")), Column(_("Score"), DECIMAL)]
    for part in PARTS:
        columns += [Column(labels[part], MONEY if part == "revenue" else INTEGER),
                    Column(_("%(part)s (scaled 0–100)") % {"part": labels[part]}, DECIMAL),
                    Column(_("%(part)s (points, weight %(weight)d %%)") % {"part": labels[part],
                                                                           "weight": result.weights[part]}, DECIMAL)]

    def rows():
        for rank, row in enumerate(result.rows, start=1):
            line = [rank, row.advocate.name, row.advocate.email, row.score]
            for part in PARTS:
                line += [row.parts[part].value, row.parts[part].scaled, row.parts[part].points]
            yield line

    return Table(name=name, title=_("Influence"), columns=columns, rows=rows(), currency=result.currency)
