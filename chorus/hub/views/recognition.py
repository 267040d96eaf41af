"""The advocate's progress (level, badges, history, activity), the leaderboard, the profile,
and the program's public wall of fame."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from chorus.advocates.preferences import update_profile
from chorus.core.errors import ChorusError
from chorus.rewards import leaderboard as boards
from chorus.rewards.activity import activity_feed, label_entries
from chorus.rewards.badges import badge_progress
from chorus.rewards.levels import standing
from chorus.rewards.models import LedgerEntry, LevelReached
from chorus.rewards.services import balance
from chorus.rewards.wall import wall_of_fame

from ..access import activate_advocate_language, advocate_required, get_public_program, hub_advocate
from ..dashboard import ledger_history
from ..forms import add_service_errors
from ..recognition_forms import ProfileForm
from .common import public_rate_limit


def _levels_with_progress(advocate, current_standing):
    reached = dict(LevelReached.objects.filter(advocate=advocate).values_list("level_id", "reached_at"))
    return [{"level": level, "reached": level.min_points_earned <= current_standing.earned,
             "reached_at": reached.get(level.pk), "current": current_standing.level == level}
            for level in advocate.program.levels.order_by("min_points_earned")]


@never_cache
@require_safe
@advocate_required
def progress(request, program, advocate):
    current = standing(advocate)
    context = {
        "program": program, "advocate": advocate, "standing": current, "nav": "progress",
        "levels": _levels_with_progress(advocate, current),
        "badges": badge_progress(advocate),
        "feed": activity_feed(advocate),
        "ledger": label_entries(ledger_history(advocate)),
        "points_balance": balance(advocate, LedgerEntry.Unit.POINTS),
    }
    return render(request, "hub/progress.html", context)


@never_cache
@require_safe
@advocate_required
def leaderboard(request, program, advocate):
    """This month / all time tabs: plain links without JavaScript, swapped in place with HTMX."""
    period = request.GET.get("period")
    period = period if period in boards.PERIODS else boards.MONTH
    context = {
        "program": program, "advocate": advocate, "period": period, "nav": "leaderboard",
        "rows": boards.leaderboard(program, period), "mine": boards.rank_of(advocate, period),
    }
    template = "hub/_leaderboard.html" if request.htmx and not request.htmx.history_restore_request \
        else "hub/leaderboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@advocate_required
def profile(request, program, advocate):
    form = ProfileForm.for_advocate(advocate, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(advocate, name=data["name"], language=data["language"],
                           **{field: data[field] for field in ProfileForm.PREFERENCES})
        except ChorusError as error:
            add_service_errors(form, error)
            advocate.refresh_from_db()
        else:
            activate_advocate_language(request, advocate)
            messages.success(request, _("Your profile is saved."))
            return redirect("hub:profile", slug=program.slug)
    status = 422 if request.method == "POST" else 200
    context = {"program": program, "advocate": advocate, "form": form, "nav": "profile"}
    return render(request, "hub/profile.html", context, status=status)


@require_safe
@public_rate_limit("wall")
def wall(request, slug):
    """Public: anyone may look; only advocates who opted in and were featured appear."""
    program = get_public_program(slug)
    advocate = hub_advocate(request, program)
    context = {"program": program, "cards": wall_of_fame(program), "advocate": advocate}
    return render(request, "hub/wall.html", context)
