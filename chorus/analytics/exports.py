"""Tables as rows for CSV export (the console streams them with the csv module)."""

import csv
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from chorus.programs.currencies import minor_unit_exponent

from .influence import PARTS, Influence


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def _decimal(value, digits: int = 2) -> str:
    return f"{float(value):.{digits}f}"


def influence_rows(result: Influence) -> Iterator[list]:
    """Header, then one row per advocate: rank, advocate, score, and each part's value, scaled and points."""
    labels = {"revenue": _("Attributed revenue"), "referrals": _("Converted referrals"),
              "completions": _("Approved ask completions"), "shares": _("Content shares"),
              "engagement": _("Active weeks")}
    header = [_("Rank"), _("Advocate"), _("Email"), _("Score")]
    for part in PARTS:
        header += [labels[part], _("%(part)s (scaled 0–100)") % {"part": labels[part]},
                   _("%(part)s (points, weight %(weight)d %%)") % {"part": labels[part],
                                                                   "weight": result.weights[part]}]
    yield header
    exponent = minor_unit_exponent(result.currency)
    for rank, row in enumerate(result.rows, start=1):
        line = [rank, row.advocate.name, row.advocate.email, _decimal(row.score)]
        for part in PARTS:
            value = row.parts[part].value
            shown = f"{value / 10 ** exponent:.{exponent}f}" if part == "revenue" else value
            line += [shown, _decimal(row.parts[part].scaled), _decimal(row.parts[part].points)]
        yield line
