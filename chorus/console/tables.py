"""Console tables as exportable `Table`s: the same columns and labels the pages show."""

from decimal import Decimal

from django.utils.translation import gettext as _

from chorus.analytics.exports import DATE, DATETIME, DECIMAL, INTEGER, MONEY, PERCENT, Column, Table
from chorus.analytics.services import rate
from chorus.programs.currencies import minor_unit_exponent


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



def _times_100(value):
    return None if value is None else value * 100


def virality_months(program, months, start, end) -> Table:
    columns = [Column(_("Month"), DATE), Column(_("Advocates"), INTEGER), Column(_("Sharing advocates"), INTEGER),
               Column(_("Invites"), INTEGER), Column(_("Invites per advocate"), DECIMAL),
               Column(_("Signups"), INTEGER), Column(_("Conversion rate (%)"), PERCENT, 1),
               Column(_("K-factor"), DECIMAL), Column(_("Cycle time (days)"), DECIMAL, 1)]
    rows = [[row.month, row.advocates, row.sharing_advocates, row.invites, row.invites_per_advocate, row.signups,
             _times_100(row.conversion_rate), row.k_factor, row.cycle_time_days] for row in months]
    return Table(_range_name(program, "virality", start, end), _("Virality"), columns, rows)


def forecast_months(program, forecast) -> Table:
    columns = [Column(_("Month"), DATE), Column(_("From today's advocates"), DECIMAL, 1),
               Column(_("From compounding"), DECIMAL, 1), Column(_("New customers"), DECIMAL, 1)]
    rows = [list(row) for row in forecast.months]
    return Table(f"{program.slug}-forecast", _("Forecast"), columns, rows)


def advocates(program, queryset, query: str) -> Table:
    columns = [Column(_("Name")), Column(_("Email")), Column(_("Status")), Column(_("Link code")),
               Column(_("Promo code")), Column(_("Clicks"), INTEGER), Column(_("Signups"), INTEGER),
               Column(_("Purchases"), INTEGER), Column(_("Points"), INTEGER)]
    rows = ([advocate.name, advocate.email, advocate.get_status_display(),
             advocate.link.vanity_code or advocate.link.code, advocate.link.promo_code, advocate.click_count,
             advocate.signup_count, advocate.purchase_count, advocate.points_balance]
            for advocate in queryset.iterator(chunk_size=2000))
    return Table(f"{program.slug}-advocates", _("Advocates"), columns, rows)


def leaderboard(program, rows, period: str) -> Table:
    columns = [Column(_("Rank"), INTEGER), Column(_("Advocate")), Column(_("Points earned"), INTEGER),
               Column(_("Shown in the hub"))]
    lines = [[row.rank, row.name, row.points, _("Yes") if row.shown else _("Opted out")] for row in rows]
    return Table(f"{program.slug}-leaderboard-{period}", _("Leaderboard"), columns, lines)


def candidates(program, people) -> Table:
    columns = [Column(_("Rank"), INTEGER), Column(_("Person")), Column(_("Email")), Column(_("Score"), DECIMAL, 1),
               Column(_("Factors (points added)")), Column(_("Nominations"), INTEGER), Column(_("Advocate"))]
    rows = ([rank, person.name, person.email, person.score.total,
             "; ".join(f"{factor.label} +{float(factor.contribution):.1f}" for factor in person.score.factors),
             len(person.nominations), _("Yes") if person.is_advocate else _("No")]
            for rank, person in enumerate(people, start=1))
    return Table(f"{program.slug}-candidates", _("Candidates"), columns, rows)


def nps_periods(program, periods, period: str) -> Table:
    columns = [Column(_("Month") if period == "month" else _("Week of"), DATE), Column(_("Answers"), INTEGER),
               Column(_("Promoters"), INTEGER), Column(_("Passives"), INTEGER), Column(_("Detractors"), INTEGER),
               Column(_("NPS"), DECIMAL, 1)]
    rows = [[row.start, row.total, row.promoters, row.passives, row.detractors, row.nps] for row in periods]
    return Table(f"{program.slug}-nps-per-{period}", _("NPS"), columns, rows)


def nps_responses(program, answers) -> Table:
    columns = [Column(_("Answered at"), DATETIME), Column(_("Score"), INTEGER), Column(_("Category")),
               Column(_("Person")), Column(_("Email")), Column(_("Comment"))]
    rows = ([answer.responded_at, answer.score, answer.get_category_display(),
             str(answer.customer or answer.advocate or ""),
             (answer.customer and answer.customer.email) or (answer.advocate and answer.advocate.email)
             or answer.email_normalized, answer.comment] for answer in answers.iterator(chunk_size=2000))
    return Table(f"{program.slug}-nps-responses", _("NPS responses"), columns, rows)


def _amount_text(minor_units, currency: str) -> str:
    if not minor_units:
        return ""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(int(minor_units)).scaleb(-exponent):.{exponent}f} {currency}"


def redemptions(program, found, status: str) -> Table:
    columns = [Column(_("Requested"), DATETIME), Column(_("Reward")), Column(_("Status")), Column(_("Advocate")),
               Column(_("Email")), Column(_("Account")), Column(_("Points"), INTEGER), Column(_("Donation")),
               Column(_("Code")), Column(_("Decision")), Column(_("Note"))]
    rows = ([redemption.created_at, redemption.item.title, redemption.get_status_display(), redemption.advocate.name,
             redemption.advocate.email, redemption.account.name if redemption.account else "", redemption.cost_points,
             " ".join(filter(None, [redemption.cause_name(), _amount_text(redemption.donation_amount, redemption.currency)]))
             if redemption.cause else "", redemption.code,
             redemption.decided_by.get_username() if redemption.decided_by else "", redemption.status_note]
            for redemption in found.iterator(chunk_size=2000))
    return Table(f"{program.slug}-redemptions" + (f"-{status}" if status else ""), _("Redemptions"), columns, rows)


def invitation_stage(invitation) -> str:
    """The stage as the invitations page words it."""
    stage = invitation.stage
    if stage == "joined":
        return _("Joined")
    if stage == "clicked":
        return _("Clicked")
    if stage == "sent" and invitation.email_status == "failed":
        return _("Not sent: delivery failed")
    if stage == "sent" and invitation.email_status in ("queued", "sending"):
        return _("Sending")
    return invitation.get_status_display()


def invitations(program, sent, stage: str) -> Table:
    columns = [Column(_("Name")), Column(_("Email")), Column(_("Channel")), Column(_("Stage")),
               Column(_("Last sent"), DATETIME), Column(_("Emails"), INTEGER)]
    rows = ([invitation.name, invitation.email, invitation.channel.name if invitation.channel else "",
             invitation_stage(invitation), invitation.last_sent_at, invitation.send_count]
            for invitation in sent.iterator(chunk_size=2000))
    return Table(f"{program.slug}-invitations" + (f"-{stage}" if stage else ""), _("Invitations"), columns, rows)


def invitation_channels(program, funnels) -> Table:
    columns = [Column(_("Channel")), Column(_("Sent"), INTEGER), Column(_("Clicked"), INTEGER),
               Column(_("Joined"), INTEGER), Column(_("Not sent"), INTEGER)]
    rows = [[row.channel.name if row.channel else _("No channel"), row.invited, row.clicked,
             row.joined_from_invitations, row.not_sent] for row in funnels]
    return Table(f"{program.slug}-invitation-channels", _("Invitation channels"), columns, rows)


def customers(program, found, band: str) -> Table:
    columns = [Column(_("Name")), Column(_("Email")), Column(_("Customer id")), Column(_("Account")),
               Column(_("Plan")), Column(_("Revenue"), MONEY), Column(_("Health"), INTEGER)]
    rows = ([customer.name, customer.email, customer.external_id, customer.account.name if customer.account else "",
             customer.plan, customer.revenue, customer.health_score] for customer in found.iterator(chunk_size=2000))
    return Table(f"{program.slug}-customers" + (f"-{band}" if band else ""), _("Customers"), columns, rows,
                 program.currency)


def lead_sources(program, report) -> Table:
    columns = [Column(_("Source")), Column(_("Leads"), INTEGER), Column(_("Open"), INTEGER), Column(_("Won"), INTEGER),
               Column(_("Lost"), INTEGER), Column(_("Win rate (%)"), PERCENT, 1),
               Column(_("Median days to close"), DECIMAL, 1), Column(_("Average days to close"), DECIMAL, 1),
               Column(_("Average deal value"), MONEY), Column(_("Won value"), MONEY)]
    rows = [[row.label, row.leads, row.open, row.won, row.lost, row.win_rate, row.median_days_to_close,
             row.average_days_to_close, row.average_deal_value, row.won_value] for row in report.sources]
    return Table(f"{program.slug}-leads-by-source", _("Leads by source"), columns, rows, report.currency)


def lead_stages(program, report) -> Table:
    columns = [Column(_("Stage")), Column(_("Leads"), INTEGER), Column(_("Value"), MONEY)]
    rows = [[total.label, total.count, total.value] for total in report.stages]
    return Table(f"{program.slug}-leads-by-stage", _("Pipeline by stage"), columns, rows, report.currency)
