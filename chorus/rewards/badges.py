"""Badges awarded by rules, and level-ups, each recorded exactly once.

Callers (completions, referrals, check-ins) call `award_earned_badges(advocate)` after
crediting points. It records every level the advocate's lifetime points earned now reach
and awards every active badge whose rule they now meet. Exactly-once comes from the unique
keys (badge, advocate) and (advocate, level): two calls racing insert the same row, one
wins and the other's IntegrityError is swallowed in a savepoint. Emails go after commit.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput
from chorus.integrations.webhooks_out import EventType, emit_many, payloads

from . import points
from .levels import HEX_COLOR
from .models import Badge, BadgeAward, LedgerEntry, Level, LevelReached

MAX_STREAK_WEEKS = 52

# Every program starts with these (I6); the marketer may edit, deactivate or remove them.
DEFAULT_BADGES = [
    {"slug": "first-referral", "rule": Badge.Rule.REFERRALS, "threshold": 1, "icon": "🤝", "color": "#059669",
     "names": {"en": "First referral", "ar": "الإحالة الأولى", "de": "Erste Empfehlung", "ja": "初めての紹介",
               "pl": "Pierwsze polecenie"},
     "descriptions": {"en": "A friend you referred became a customer.", "ar": "أصبح صديق أحلته عميلاً.",
                      "de": "Ein von Ihnen empfohlener Kontakt wurde Kunde.", "ja": "紹介した友達がお客様になりました。",
                      "pl": "Polecona przez Ciebie osoba została klientem."}},
    {"slug": "five-reviews", "rule": Badge.Rule.COMPLETIONS, "threshold": 5, "ask_type": "review", "icon": "✍️",
     "color": "#2563eb",
     "names": {"en": "Reviewer", "ar": "المراجِع", "de": "Rezensent", "ja": "レビュアー", "pl": "Recenzent"},
     "descriptions": {"en": "Five approved reviews.", "ar": "خمس مراجعات معتمدة.", "de": "Fünf freigegebene Bewertungen.",
                      "ja": "承認されたレビューが5件。", "pl": "Pięć zatwierdzonych recenzji."}},
    {"slug": "four-week-streak", "rule": Badge.Rule.STREAK, "threshold": 4, "icon": "🔥", "color": "#dc2626",
     "names": {"en": "On a roll", "ar": "في أوج النشاط", "de": "Voll in Fahrt", "ja": "絶好調", "pl": "Passa"},
     "descriptions": {"en": "Active four weeks in a row.", "ar": "نشاط لأربعة أسابيع متتالية.",
                      "de": "Vier Wochen in Folge aktiv.", "ja": "4週連続で活動しました。",
                      "pl": "Aktywność przez cztery tygodnie z rzędu."}},
    {"slug": "early-adopter", "rule": Badge.Rule.EARLY_ADOPTER, "threshold": 30, "icon": "🌱", "color": "#65a30d",
     "names": {"en": "Early adopter", "ar": "من الأوائل", "de": "Früh dabei", "ja": "アーリーアダプター",
               "pl": "Pionier"},
     "descriptions": {"en": "Joined in the program's first 30 days.", "ar": "انضم خلال أول 30 يوماً من البرنامج.",
                      "de": "In den ersten 30 Tagen des Programms beigetreten.", "ja": "プログラム開始から30日以内に参加しました。",
                      "pl": "Dołączył(a) w pierwszych 30 dniach programu."}},
    {"slug": "thousand-points", "rule": Badge.Rule.POINTS_EARNED, "threshold": 1000, "icon": "🏆", "color": "#d97706",
     "names": {"en": "1,000 points", "ar": "1000 نقطة", "de": "1.000 Punkte", "ja": "1,000ポイント",
               "pl": "1000 punktów"},
     "descriptions": {"en": "Earned 1,000 points.", "ar": "جمع 1000 نقطة.", "de": "1.000 Punkte gesammelt.",
                      "ja": "1,000ポイントを獲得しました。", "pl": "Zdobyto 1000 punktów."}},
]


@transaction.atomic
def install_default_badges(program) -> list[Badge]:
    """Create the default badges unless the program has badges already (idempotent)."""
    if program.badges.exists():
        return list(program.badges.all())
    return [Badge.objects.create(program=program, name=spec["names"]["en"], description=spec["descriptions"]["en"],
                                 **spec) for spec in DEFAULT_BADGES]


# --- what an advocate has done ---------------------------------------------------------

def week_start(moment: datetime) -> date:
    """Monday of the ISO week `moment` falls in (in the site's time zone)."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _approved_completions(advocate):
    from chorus.campaigns.models import Completion  # campaigns calls rewards: import late

    return Completion.objects.filter(advocate=advocate, status=Completion.Status.APPROVED)


class Progress:
    """An advocate's numbers for the badge rules, each read once and only when needed."""

    def __init__(self, advocate, now: datetime):
        self.advocate, self.now = advocate, now
        self._cache: dict = {}

    def _once(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def points_earned(self) -> int:
        return self._once("points", lambda: points.lifetime_earned(self.advocate))

    def converted_referrals(self) -> int:
        from chorus.referrals.models import Referral

        return self._once("referrals", lambda: Referral.objects.filter(
            advocate=self.advocate, review__in=[Referral.Review.CLEAN, Referral.Review.APPROVED],
            conversions__type="purchase").values("pk").distinct().count())

    def approved_completions(self, ask_type: str = "") -> int:
        def count() -> int:
            done = _approved_completions(self.advocate)
            return (done.filter(ask__type=ask_type) if ask_type else done).count()

        return self._once(("completions", ask_type), count)

    def active_weeks(self) -> set[date]:
        """ISO weeks (their Mondays) with earned points or an approved completion, lately."""
        def compute() -> set[date]:
            since = datetime.combine(week_start(self.now) - timedelta(weeks=MAX_STREAK_WEEKS), time.min)
            since = timezone.make_aware(since) if timezone.is_naive(since) else since
            moments = list(LedgerEntry.objects.filter(
                points.earned_filter(), advocate=self.advocate, amount__gt=0, created_at__gte=since,
            ).values_list("created_at", flat=True))
            moments += _approved_completions(self.advocate).filter(decided_at__gte=since).values_list(
                "decided_at", flat=True)
            return {week_start(moment) for moment in moments if moment is not None}

        return self._once("weeks", compute)

    def streak_weeks(self) -> int:
        """Consecutive active weeks ending this week, or last week if this one is still quiet."""
        weeks = self.active_weeks()
        current = week_start(self.now)
        if current not in weeks:
            current -= timedelta(weeks=1)
        streak = 0
        while current in weeks:
            streak += 1
            current -= timedelta(weeks=1)
        return streak

    def days_after_program_start(self) -> int:
        joined = self.advocate.joined_at or self.advocate.created_at
        return max((joined - self.advocate.program.created_at).days, 0)

    def value(self, badge: Badge) -> int:
        """How far the advocate is on the badge's rule, in the rule's unit."""
        match badge.rule:
            case Badge.Rule.REFERRALS:
                return self.converted_referrals()
            case Badge.Rule.COMPLETIONS:
                return self.approved_completions(badge.ask_type)
            case Badge.Rule.STREAK:
                return self.streak_weeks()
            case Badge.Rule.POINTS_EARNED:
                return self.points_earned()
            case Badge.Rule.EARLY_ADOPTER:
                return self.days_after_program_start()
        return 0

    def qualifies(self, badge: Badge) -> bool:
        if badge.rule == Badge.Rule.EARLY_ADOPTER:
            return self.days_after_program_start() <= badge.threshold
        return self.value(badge) >= badge.threshold


# --- awarding --------------------------------------------------------------------------

def _insert_once(model, **fields):
    """Insert a row guarded by a unique key; None if it exists (or a racing call won)."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def record_level_ups(advocate, *, now: datetime | None = None, progress: Progress | None = None) -> list[LevelReached]:
    """Record every level above the first that the advocate's points earned reach, once each."""
    now = now or timezone.now()
    progress = progress or Progress(advocate, now)
    earned = progress.points_earned()
    reached = (Level.objects.filter(program_id=advocate.program_id, min_points_earned__gt=0,
                                    min_points_earned__lte=earned)
               .exclude(reached_by__advocate=advocate).order_by("min_points_earned"))
    rows = [row for level in reached
            if (row := _insert_once(LevelReached, program_id=advocate.program_id, advocate=advocate, level=level,
                                    points_earned=earned, reached_at=now)) is not None]
    emit_many(advocate.program_id, EventType.LEVEL_REACHED, rows,
              lambda row: (f"level:{row.level_id}:advocate:{row.advocate_id}", {"level_reached": payloads.level_reached(row)}))
    return rows


def award_earned_badges(advocate, *, now: datetime | None = None, notify: bool = True) -> list[BadgeAward]:
    """Award every badge the advocate now qualifies for, each once; returns the new awards.

    Records level-ups too, and emails the advocate about both once the transaction commits
    (unless `notify` is False: imports and the demo seed)."""
    now = now or timezone.now()
    progress = Progress(advocate, now)
    levels_reached = record_level_ups(advocate, now=now, progress=progress)
    candidates = (Badge.objects.filter(program_id=advocate.program_id, is_active=True)
                  .exclude(awards__advocate=advocate).order_by("threshold", "pk"))
    awards = [award for badge in candidates if progress.qualifies(badge)
              if (award := _insert_once(BadgeAward, program_id=advocate.program_id, badge=badge, advocate=advocate,
                                        awarded_at=now)) is not None]
    emit_many(advocate.program_id, EventType.BADGE_AWARDED, awards,
              lambda award: (f"badge:{award.badge_id}:advocate:{award.advocate_id}", {"badge_award": payloads.badge_awarded(award)}))
    if notify and (awards or levels_reached):
        from chorus.notifications.recognition import send_recognition_email

        send_recognition_email(advocate, awards=awards, levels_reached=levels_reached)
    return awards


# --- what the hub shows ----------------------------------------------------------------

@dataclass(frozen=True)
class BadgeProgress:
    badge: Badge
    award: BadgeAward | None
    current: int

    @property
    def earned(self) -> bool:
        return self.award is not None

    @property
    def percent(self) -> int:
        if self.earned:
            return 100
        if self.badge.rule == Badge.Rule.EARLY_ADOPTER:
            return 0
        return min(100, self.current * 100 // max(self.badge.threshold, 1))


def badge_progress(advocate, *, now: datetime | None = None) -> list[BadgeProgress]:
    """Every active badge (and every inactive one already earned), earned ones first."""
    progress = Progress(advocate, now or timezone.now())
    awards = {award.badge_id: award for award in BadgeAward.objects.filter(advocate=advocate)}
    badges = Badge.objects.filter(Q(is_active=True) | Q(pk__in=list(awards)), program_id=advocate.program_id)
    rows = [BadgeProgress(badge=badge, award=awards.get(badge.pk),
                          current=0 if badge.pk in awards else progress.value(badge))
            for badge in badges.order_by("pk")]
    return sorted(rows, key=lambda row: (not row.earned, -row.award.awarded_at.timestamp() if row.award else 0))


# --- the console's badges editor -------------------------------------------------------

BADGE_FIELDS = ["names", "descriptions", "icon", "color", "rule", "threshold", "ask_type", "is_active"]


def _ask_types() -> list[str]:
    from chorus.campaigns.models import Ask

    return list(Ask.Type.values)


def _check_badge(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values["names"].get("en") or "").strip():
        errors["name_en"] = [_("Give the badge an English name.")]
    if values["rule"] not in Badge.Rule.values:
        errors["rule"] = [_("Choose a rule.")]
    threshold = values["threshold"]
    lowest = 0 if values["rule"] == Badge.Rule.EARLY_ADOPTER else 1
    if threshold is None or threshold < lowest:
        errors["threshold"] = [_("The threshold must be at least %(lowest)s.") % {"lowest": lowest}]
    elif values["rule"] == Badge.Rule.STREAK and threshold > MAX_STREAK_WEEKS:
        errors["threshold"] = [_("A streak can be at most %(weeks)s weeks.") % {"weeks": MAX_STREAK_WEEKS}]
    if values["ask_type"] and values["rule"] != Badge.Rule.COMPLETIONS:
        errors["ask_type"] = [_("Only completion badges count one ask type.")]
    elif values["ask_type"] and values["ask_type"] not in _ask_types():
        errors["ask_type"] = [_("Unknown ask type.")]
    if not (values["icon"] or "").strip() or len(values["icon"]) > 8:
        errors["icon"] = [_("Use one emoji or symbol (at most 8 characters).")]
    if not HEX_COLOR.match(values["color"] or ""):
        errors["color"] = [_("Colours are hex codes such as #2563eb.")]
    return errors


def _unique_slug(program, name: str, exclude_pk=None) -> str:
    base = (slugify(name) or "badge")[:50]
    taken = set(Badge.objects.filter(program=program, slug__startswith=base).exclude(pk=exclude_pk)
                .values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def save_badge(program, badge: Badge | None = None, *, user=None, **values) -> Badge:
    """Create a badge (badge=None) or change one; bad input raises InvalidInput and saves nothing.

    Changing a rule never takes a badge back from those who earned it."""
    from chorus.core.models import audit

    values = {field: values.get(field, getattr(badge, field, None)) for field in BADGE_FIELDS}
    values["names"] = {code: text.strip() for code, text in (values["names"] or {}).items() if (text or "").strip()}
    values["descriptions"] = {code: text.strip() for code, text in (values["descriptions"] or {}).items()
                              if (text or "").strip()}
    values["ask_type"] = values["ask_type"] or ""
    errors = _check_badge(values)
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    created = badge is None
    if created:
        badge = Badge(program=program, slug=_unique_slug(program, values["names"]["en"]))
    for field, value in values.items():
        setattr(badge, field, value)
    badge.name = values["names"]["en"][:80]
    badge.description = values["descriptions"].get("en", "")[:300]
    badge.save()
    audit(action="badge.created" if created else "badge.changed", target=badge, actor=user,
          workspace=program.workspace, rule=badge.rule, threshold=badge.threshold)
    return badge


@transaction.atomic
def delete_badge(badge: Badge, *, user=None) -> None:
    """Delete a badge nobody has earned; an earned one can only be deactivated (409)."""
    from chorus.core.models import audit

    if BadgeAward.objects.filter(badge=badge).exists():
        raise Conflict(_("Advocates have earned this badge: deactivate it instead, so they keep it."))
    audit(action="badge.deleted", target=badge, actor=user, workspace=badge.program.workspace, slug=badge.slug)
    badge.delete()
