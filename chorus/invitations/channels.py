"""Channels: the shareable invite link per channel, its visits, and the join targets per month
or quarter with the progress against them."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate
from chorus.core.errors import InvalidInput, NotFound

from .models import Channel, ChannelVisit, Enrolment, Invitation

MAX_TARGET = 1_000_000
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


# --- periods ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter
    start: date  # first day
    end: date  # first day of the next period

    @property
    def label(self) -> str:
        if self.kind == Channel.Period.QUARTER:
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return formats.date_format(self.start, "YEAR_MONTH_FORMAT")

    def bounds(self) -> tuple[datetime, datetime]:
        """As aware datetimes in UTC: [start, end)."""
        return (datetime(self.start.year, self.start.month, 1, tzinfo=UTC),
                datetime(self.end.year, self.end.month, 1, tzinfo=UTC))

    def previous(self) -> "Period":
        months = 3 if self.kind == Channel.Period.QUARTER else 1
        year, month = self.start.year, self.start.month - months
        if month < 1:
            year, month = year - 1, month + 12
        return period_containing(self.kind, date(year, month, 1))


def period_containing(kind: str, day: date) -> Period:
    """The calendar month or quarter (in UTC) that holds `day`."""
    months = 3 if kind == Channel.Period.QUARTER else 1
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return Period(kind=kind, start=start, end=end)


@dataclass(frozen=True)
class Progress:
    period: Period
    joined: int
    target: int

    @property
    def percent(self) -> int:
        """Whole percent of the target reached (may pass 100); 0 without a target."""
        return self.joined * 100 // self.target if self.target else 0

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.joined)

    @property
    def reached(self) -> bool:
        return bool(self.target) and self.joined >= self.target


def joined_through(channel: Channel, period: Period) -> int:
    """Advocates who came in through this channel (link or invitation) and joined in the period."""
    start, end = period.bounds()
    return Enrolment.objects.filter(
        channel=channel, advocate__status=Advocate.Status.ACTIVE,
        advocate__joined_at__gte=start, advocate__joined_at__lt=end,
    ).count()


def channel_progress(channel: Channel, *, now: datetime | None = None, periods: int = 1) -> list[Progress]:
    """Progress against the channel's target: the current period first, then earlier ones."""
    period = period_containing(channel.target_period, (now or timezone.now()).astimezone(UTC).date())
    history = []
    for _index in range(periods):
        history.append(Progress(period=period, joined=joined_through(channel, period), target=channel.target_joined))
        period = period.previous()
    return history


# --- the funnel per channel ----------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelFunnel:
    channel: Channel | None  # None: invitations sent without a channel
    invited: int
    not_sent: int
    clicked: int
    joined_from_invitations: int
    link_visits: int
    link_signups: int
    joined_from_link: int

    @property
    def joined(self) -> int:
        return self.joined_from_invitations + self.joined_from_link


def channel_funnels(program) -> list[ChannelFunnel]:
    """Per channel: invitations sent → clicked → joined, and link visits → sign-ups → joined."""
    invitations = {
        row["channel"]: row for row in Invitation.objects.filter(program=program).values("channel").annotate(
            invited=Count("pk", filter=Q(status=Invitation.Status.SENT)),
            not_sent=Count("pk", filter=~Q(status=Invitation.Status.SENT)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False) | Q(joined_at__isnull=False)),
            joined=Count("pk", filter=Q(joined_at__isnull=False)),
        )
    }
    visits = dict(ChannelVisit.objects.filter(channel__program=program).values("channel")
                  .annotate(count=Count("pk")).values_list("channel", "count"))
    links = {
        row["channel"]: row for row in Enrolment.objects.filter(channel__program=program, invitation__isnull=True)
        .values("channel").annotate(
            signups=Count("pk"),
            joined=Count("pk", filter=Q(advocate__status=Advocate.Status.ACTIVE, advocate__joined_at__isnull=False)),
        )
    }
    rows = []
    channels = [*Channel.objects.filter(program=program), None]
    for channel in channels:
        key = channel.pk if channel else None
        sent = invitations.get(key, {})
        link = links.get(key, {})
        if channel is None and not sent:
            continue
        rows.append(ChannelFunnel(
            channel=channel, invited=sent.get("invited", 0), not_sent=sent.get("not_sent", 0),
            clicked=sent.get("clicked", 0), joined_from_invitations=sent.get("joined", 0),
            link_visits=visits.get(key, 0), link_signups=link.get("signups", 0),
            joined_from_link=link.get("joined", 0),
        ))
    return rows


# --- writing channels ----------------------------------------------------------------------------

def _validated(program, *, name: str, slug: str, target_joined: int, target_period: str,
               channel: Channel | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    slug = (slug or "").strip().lower() or slugify(name)[:60].strip("-")
    if not name:
        errors["name"] = [_("Give the channel a name.")]
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = [_("Use 1–60 lowercase letters, digits or dashes.")]
    elif Channel.objects.filter(program=program, slug=slug).exclude(pk=channel.pk if channel else None).exists():
        errors["slug"] = [_("Another channel of this program already uses this slug.")]
    if not isinstance(target_joined, int) or not 0 <= target_joined <= MAX_TARGET:
        errors["target_joined"] = [_("Enter a whole number from 0 to %(max)s.") % {"max": MAX_TARGET}]
    if target_period not in Channel.Period.values:
        errors["target_period"] = [_("Choose per month or per quarter.")]
    if errors:
        raise InvalidInput(_("Please correct the channel."), field_errors=errors)
    return {"name": name[:120], "slug": slug, "target_joined": target_joined, "target_period": target_period}


@transaction.atomic
def create_channel(program, *, name: str, slug: str = "", target_joined: int = 0,
                   target_period: str = Channel.Period.MONTH) -> Channel:
    values = _validated(program, name=name, slug=slug, target_joined=target_joined, target_period=target_period)
    try:
        with transaction.atomic():
            return Channel.objects.create(program=program, **values)
    except IntegrityError:  # a concurrent create took the slug
        raise InvalidInput(_("Please correct the channel."), field_errors={
            "slug": [_("Another channel of this program already uses this slug.")]}) from None


@transaction.atomic
def update_channel(channel: Channel, *, name: str, slug: str, target_joined: int, target_period: str,
                   is_active: bool) -> Channel:
    values = _validated(channel.program, name=name, slug=slug, target_joined=target_joined,
                        target_period=target_period, channel=channel)
    for field, value in values.items():
        setattr(channel, field, value)
    channel.is_active = is_active
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise InvalidInput(_("Please correct the channel."), field_errors={
            "slug": [_("Another channel of this program already uses this slug.")]}) from None
    return channel


def channel_url(channel: Channel) -> str:
    path = reverse("hub:channel_join", kwargs={"slug": channel.program.slug, "channel_slug": channel.slug})
    return f"{settings.CHORUS_BASE_URL}{path}"


def get_channel_for_program(program, channel_id: int) -> Channel:
    channel = Channel.objects.filter(program=program, pk=channel_id).select_related("program").first()
    if channel is None:
        raise NotFound(_("No channel with this id in this program."))
    return channel


def get_public_channel(program, channel_slug: str) -> Channel:
    channel = Channel.objects.filter(program=program, slug=channel_slug, is_active=True).first()
    if channel is None:
        raise NotFound(_("This invite link is not active."))
    channel.program = program
    return channel


def record_visit(channel: Channel, visitor: str, *, now: datetime | None = None) -> None:
    """Count a visitor's first visit of the day to the channel's link (repeat visits are ignored)."""
    day = (now or timezone.now()).astimezone(UTC).date()
    try:
        with transaction.atomic():
            ChannelVisit.objects.get_or_create(channel=channel, visitor=visitor[:64] or "unknown", day=day)
    except IntegrityError:
        pass  # a concurrent request counted it
