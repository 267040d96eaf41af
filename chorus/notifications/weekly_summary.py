"""The weekly summary email to marketers: last week's program numbers against the week
before, the top advocates and asks, goal progress, and what waits for a decision.

`send_weekly_summaries` runs from the `maintenance` sweep (any day: it summarises the last
full Monday–Sunday week). Each (program, member, week) is claimed with a unique row before
the email goes out, so two sweeps never send it twice; if sending fails the claim is
released and the next sweep tries again. Members turn it off, or pick its language, on the
console's weekly summary page.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chorus.analytics.dashboard import program_dashboard
from chorus.core.errors import InvalidInput
from chorus.programs.models import Program

from .models import WeeklySummary, WeeklySummaryPreference
from .services import _sender, send_email

logger = logging.getLogger("chorus.notifications")

FUNNEL_KEYS = ("clicks", "unique_clicks", "signups", "purchases", "revenue")
TOP = 5


def last_full_week(today: date) -> tuple[date, date]:
    """The Monday and Sunday of the last week that ended before `today`."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7), this_monday - timedelta(days=1)


@dataclass
class Change:
    key: str
    value: int
    previous: int

    @property
    def percent(self) -> float | None:
        """Change against the week before in percent, None when the week before had none."""
        return (self.value - self.previous) * 100 / self.previous if self.previous else None


def _waiting(program) -> dict[str, int]:
    from chorus.campaigns.models import Completion
    from chorus.referrals.models import Lead, Referral
    from chorus.rewards.models import Redemption

    return {
        "completions": Completion.objects.filter(ask__program=program, status=Completion.Status.PENDING).count(),
        "referrals": Referral.objects.filter(program=program, review=Referral.Review.FLAGGED).count(),
        "redemptions": Redemption.objects.filter(
            advocate__program=program,
            status__in=[Redemption.Status.REQUESTED, Redemption.Status.APPROVED]).count(),
        "leads": Lead.objects.filter(program=program, stage=Lead.Stage.SUBMITTED).count(),
    }


def _goals(program, today: date) -> list:
    try:
        from chorus.programs.goals import plan
    except ImportError:  # the plan arrives with issue 5 §1
        return []
    return list(plan(program, today=today))


def summary(program, week_start: date, week_end: date) -> dict:
    """The numbers the email shows (also the console's preview)."""
    this_week = program_dashboard(program, week_start, week_end)
    before = program_dashboard(program, week_start - timedelta(days=7), week_start - timedelta(days=1))
    return {
        "week_start": week_start, "week_end": week_end, "currency": program.currency,
        "changes": [Change(key, this_week["funnel"][key], before["funnel"][key]) for key in FUNNEL_KEYS],
        "top_advocates": this_week["top_advocates"][:TOP],
        "asks": this_week["asks"][:TOP],
        "channels": this_week["channels"][:TOP],
        "waiting": _waiting(program),
        "goals": _goals(program, week_end + timedelta(days=1)),
    }


def recipients(program) -> list:
    """Workspace members with an email address who have not turned the summary off."""
    User = get_user_model()
    opted_out = WeeklySummaryPreference.objects.filter(program=program, is_subscribed=False).values("user_id")
    return list(User.objects.filter(memberships__workspace_id=program.workspace_id, is_active=True)
                .exclude(email="").exclude(pk__in=opted_out).order_by("pk"))


def preference(program, user) -> WeeklySummaryPreference:
    return (WeeklySummaryPreference.objects.filter(program=program, user=user).first()
            or WeeklySummaryPreference(program=program, user=user, is_subscribed=True, language=""))


def set_preference(program, user, *, is_subscribed: bool, language: str = "") -> WeeklySummaryPreference:
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose one of the languages Chorus speaks."),
                           field_errors={"language": [_("Unknown language.")]})
    row, _created = WeeklySummaryPreference.objects.update_or_create(
        program=program, user=user, defaults={"is_subscribed": is_subscribed, "language": language})
    return row


def _language(program, user) -> str:
    chosen = WeeklySummaryPreference.objects.filter(program=program, user=user).values_list("language", flat=True).first()
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _claim(program, user, week_start: date) -> WeeklySummary | None:
    try:
        with transaction.atomic():
            return WeeklySummary.objects.create(program=program, user=user, week_start=week_start)
    except IntegrityError:
        return None


def send_summary(program, user, week_start: date, week_end: date, numbers: dict) -> bool:
    """Send one member's summary unless it was already sent; True when this call sent it."""
    claim = _claim(program, user, week_start)
    if claim is None:
        return False
    language = _language(program, user)
    base = settings.CHORUS_BASE_URL
    context = {**numbers, "program": program, "user": user,
               "dashboard_url": f"{base}{reverse('console:program', kwargs={'slug': program.slug})}",
               "settings_url": f"{base}{reverse('console:weekly_summary', kwargs={'slug': program.slug})}"}
    with translation.override(language):
        subject = _("%(program)s: your week in numbers (%(start)s – %(end)s)") % {
            "program": program.name, "start": week_start.isoformat(), "end": week_end.isoformat()}
    try:
        send_email(to=user.email, subject=subject, template="weekly_summary", context=context,
                   sender=_sender(program), language=language)
    except Exception:  # release the claim: the next sweep tries again
        logger.exception("could not send the weekly summary of program %s to user %s", program.pk, user.pk)
        WeeklySummary.objects.filter(pk=claim.pk).delete()
        return False
    return True


def send_weekly_summaries(today: date | None = None) -> int:
    """Send last week's summary of every active program to its members; the number sent."""
    today = today or timezone.localdate()
    week_start, week_end = last_full_week(today)
    sent = 0
    for program in Program.objects.filter(is_active=True).order_by("pk"):
        people = [user for user in recipients(program)
                  if not WeeklySummary.objects.filter(program=program, user=user, week_start=week_start).exists()]
        if not people:
            continue
        numbers = summary(program, week_start, week_end)
        sent += sum(send_summary(program, user, week_start, week_end, numbers) for user in people)
    return sent
