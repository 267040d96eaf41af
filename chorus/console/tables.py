"""Console tables as exportable `Table`s: the same columns and labels the pages show."""

from django.utils.translation import gettext as _

from chorus.analytics.exports import DATE, INTEGER, MONEY, PERCENT, Column, Table
from chorus.analytics.services import rate


def _range_name(program, what: str, start, end) -> str:
    return f"{program.slug}-{what}-{start.isoformat()}-{end.isoformat()}"


def funnel_steps(dashboard: dict) -> list[dict]:
    """Clicks → unique clicks → signups → purchases, each with its rate of the step before."""
    totals = dashboard["funnel"]
    steps = [("clicks", _("Clicks")), ("unique_clicks", _("Unique clicks")), ("signups", _("Signups")),
             ("purchases", _("Purchases"))]
    rows, previous = [], None
    for key, label in steps:
        value = totals[key]
        rows.append({"key": key, "label": label, "value": value,
                     "rate": None if previous is None else rate(value, previous),
                     "share": rate(value, totals["clicks"]) or 0})
        previous = value
    return rows


def dashboard_funnel(program, dashboard: dict) -> Table:
    rows = [[step["label"], step["value"], step["rate"]] for step in funnel_steps(dashboard)]
    columns = [Column(_("Step")), Column(_("Count"), INTEGER), Column(_("Rate of the step before (%)"), PERCENT, 1)]
    return Table(_range_name(program, "funnel", dashboard["start"], dashboard["end"]), _("Funnel"), columns, rows)


def _trend_columns() -> list[Column]:
    return [Column(_("Period"), DATE), Column(_("Clicks"), INTEGER), Column(_("Unique clicks"), INTEGER),
            Column(_("Signups"), INTEGER), Column(_("Purchases"), INTEGER), Column(_("Revenue"), MONEY)]


def dashboard_trend(program, dashboard: dict) -> Table:
    rows = [[row["period"], row["clicks"], row["unique_clicks"], row["signups"], row["purchases"], row["revenue"]]
            for row in dashboard["trend"]]
    return Table(_range_name(program, "trend", dashboard["start"], dashboard["end"]), _("Trend"), _trend_columns(),
                 rows, dashboard["currency"])


def dashboard_advocates(program, dashboard: dict) -> Table:
    columns = [Column(_("Rank"), INTEGER), Column(_("Advocate")), Column(_("Signups"), INTEGER),
               Column(_("Purchases"), INTEGER), Column(_("Revenue"), MONEY)]
    rows = [[rank, row["name"], row["signups"], row["purchases"], row["revenue"]]
            for rank, row in enumerate(dashboard["top_advocates"], start=1)]
    return Table(_range_name(program, "top-advocates", dashboard["start"], dashboard["end"]), _("Top advocates"),
                 columns, rows, dashboard["currency"])


def dashboard_asks(program, dashboard: dict) -> Table:
    columns = [Column(_("Ask")), Column(_("Completions"), INTEGER), Column(_("Approved"), INTEGER),
               Column(_("Points awarded"), INTEGER)]
    rows = [[row["title"], row["completions"], row["approved"], row["points"]] for row in dashboard["asks"]]
    return Table(_range_name(program, "asks", dashboard["start"], dashboard["end"]), _("Asks"), columns, rows)


def dashboard_channels(program, dashboard: dict) -> Table:
    columns = [Column(_("Channel")), Column(_("Clicks"), INTEGER), Column(_("Unique clicks"), INTEGER),
               Column(_("Signups"), INTEGER), Column(_("Purchases"), INTEGER), Column(_("Revenue"), MONEY)]
    rows = [[row.get("label") or row["channel"], row["clicks"], row["unique_clicks"], row["signups"], row["purchases"],
             row["revenue"]] for row in dashboard["channels"]]
    return Table(_range_name(program, "channels", dashboard["start"], dashboard["end"]), _("Channels"), columns,
                 rows, dashboard["currency"])


def funnel_days(program, result) -> Table:
    """The funnel page's per-day table, oldest first."""
    rows = [[row.day, row.clicks, row.unique_clicks, row.signups, row.purchases, row.revenue] for row in result.days]
    return Table(_range_name(program, "funnel", result.start_date, result.end_date), _("Funnel"),
                 _trend_columns(), rows, result.currency)

