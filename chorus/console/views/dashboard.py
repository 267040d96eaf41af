"""A program's dashboard, its landing page: the funnel with its rates, trend lines, goal progress,
top advocates, and the per-ask and per-channel tables for a date range; each table exports."""

from datetime import timedelta
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chorus.analytics.dashboard import program_dashboard
from chorus.programs.access import get_program_for_user
from chorus.programs.currencies import minor_unit_exponent

from .. import tables
from ..exports import export_response
from ..forms import FunnelRangeForm
from .base import console_view, program_context, render_page_or_partial, wants_partial

try:
    from chorus.programs.goals import plan
except ImportError:  # the goals work arrives with its own branch
    plan = None

PRESET_DAYS = (7, 30, 90, 365)
PAGE, PARTIAL = "console/dashboard.html", "console/_dashboard_body.html"


def _presets(start, end) -> list[dict]:
    today = timezone.localdate()
    presets = []
    for days in PRESET_DAYS:
        first = today - timedelta(days=days - 1)
        presets.append({"days": days, "start": first, "end": today, "current": (first, today) == (start, end)})
    return presets


def _charts(dashboard: dict) -> dict:
    """What Chart.js draws, read by static/js/charts.js (money in major units of the currency)."""
    trend = dashboard["trend"]
    exponent = minor_unit_exponent(dashboard["currency"])
    labels = [row["period"].isoformat() for row in trend]
    steps = tables.funnel_steps(dashboard)
    return {
        "funnel": {"type": "bar-horizontal", "labels": [step["label"] for step in steps],
                   "datasets": [{"label": _("People"), "data": [step["value"] for step in steps]}]},
        "trend": {"type": "line", "dates": True, "labels": labels, "datasets": [
            {"label": _("Clicks"), "data": [row["clicks"] for row in trend]},
            {"label": _("Signups"), "data": [row["signups"] for row in trend]},
            {"label": _("Purchases"), "data": [row["purchases"] for row in trend]},
        ]},
        "revenue": {"type": "line", "dates": True, "labels": labels, "currency": dashboard["currency"], "datasets": [
            {"label": _("Revenue"), "data": [row["revenue"] / 10 ** exponent for row in trend]},
        ]},
    }


@console_view
@require_GET
def dashboard(request, slug):
    program = get_program_for_user(request.user, slug)
    form = FunnelRangeForm(request.GET)
    if not form.is_valid():
        context = program_context(request, program, "dashboard", form=form, presets=_presets(None, None))
        # htmx swaps only 2xx answers: the message replaces the dashboard in place
        return render_page_or_partial(request, PAGE, PARTIAL, context, status=200 if wants_partial(request) else 400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    data = program_dashboard(program, start, end)
    exported = export_response(request, {name: partial(build, program, data) for name, build in (
        ("funnel", tables.dashboard_funnel), ("trend", tables.dashboard_trend),
        ("advocates", tables.dashboard_advocates), ("asks", tables.dashboard_asks),
        ("channels", tables.dashboard_channels))})
    if exported is not None:
        return exported
    context = program_context(
        request, program, "dashboard", form=FunnelRangeForm(initial={"start": start, "end": end}),
        presets=_presets(start, end), dashboard=data, steps=tables.funnel_steps(data), charts=_charts(data),
        goals=plan(program) if plan is not None else None, weekly=(end - start).days + 1 > 92)
    return render_page_or_partial(request, PAGE, PARTIAL, context)
