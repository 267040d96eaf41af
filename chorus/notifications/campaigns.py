"""Campaigns: one template to an audience (the program's active advocates), with an
optional subject-line A/B test.

With two or more subject variants, a test share of the audience (e.g. 20 %) gets the
variants in equal parts; after the waiting period (or when the marketer asks) the variant
with the best click rate is compared with the default (variant 1) by a two-proportion
z-test. If the difference is significant at 95 % the better variant wins, otherwise the
default is kept and the page says so. The winner then goes to the rest of the audience.

Every step runs as a task and claims its campaign with a conditional UPDATE of its
status, and an address gets one email per campaign (unique key), so re-running a step
sends nothing twice."""

import logging
import math
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core import bulk
from chorus.core.emails import normalize_email
from chorus.core.errors import Conflict, InvalidInput

from .consent import ALL_CATEGORIES, suppression_reasons
from .marketing import COUNTED_STATUSES, email_settings, enqueue_delivery, pick_language
from .models import (
    CAP_EXEMPT_CATEGORIES,
    Campaign,
    EmailTemplate,
    OutboundEmail,
    Recipient,
)
from .stats import two_proportion_z_test
from .templates import MAX_LENGTHS, languages, text_errors

logger = logging.getLogger("chorus.notifications")
SIGNIFICANCE = 0.05
MAX_VARIANTS = 4
CHUNK = 500


# --- queueing many at once --------------------------------------------------------------

def queue_bulk(program, template: EmailTemplate, people: list[dict], *, campaign=None, variant_of=None,
               tracking_key: str = "", now=None) -> list[int]:
    """Queue one email per person with set-based checks (suppression, opt-outs, cap);
    `people` = [{"to_email", "name", "language", "advocate_id", "context"}]. Returns the
    queued ids, which are delivered after commit in tasks of 200."""
    now = now or timezone.now()
    queued: list[int] = []
    for start in range(0, len(people), CHUNK):
        with transaction.atomic():
            queued += _queue_chunk(program, template, people[start:start + CHUNK], campaign, variant_of,
                                   tracking_key, now, start)
    transaction.on_commit(lambda: enqueue_delivery(queued))
    return queued


def _queue_chunk(program, template, people, campaign, variant_of, tracking_key, now, offset) -> list[int]:
    for person in people:
        person["email_normalized"] = normalize_email(person["to_email"])
    addresses = sorted({person["email_normalized"] for person in people})
    Recipient.objects.bulk_create([Recipient(program=program, email_normalized=address) for address in addresses],
                                  ignore_conflicts=True)
    recipients = {r.email_normalized: r for r in Recipient.objects.select_for_update()
                  .filter(program=program, email_normalized__in=addresses).order_by("pk")}  # lock in pk order
    suppressed = suppression_reasons(program, addresses)
    category = template.category
    recent = {}
    if category not in CAP_EXEMPT_CATEGORIES:
        rules = email_settings(program)
        recent = dict(OutboundEmail.objects.filter(
            program=program, email_normalized__in=addresses, status__in=COUNTED_STATUSES,
            created_at__gte=now - timedelta(days=rules.frequency_window_days))
            .exclude(category__in=CAP_EXEMPT_CATEGORIES).values("email_normalized")
            .annotate(count=Count("pk")).values_list("email_normalized", "count"))
    already = set()
    if campaign is not None:
        already = set(OutboundEmail.objects.filter(campaign=campaign, email_normalized__in=addresses)
                      .values_list("email_normalized", flat=True))
    rows = []
    for index, person in enumerate(people):
        address = person["email_normalized"]
        if address in already:
            continue
        already.add(address)
        status, reason = OutboundEmail.Status.QUEUED, ""
        if address in suppressed:
            status, reason = OutboundEmail.Status.SUPPRESSED, f"suppressed: {suppressed[address]}"
        elif not recipients[address].accepts(category):
            opted = recipients[address].opted_out
            status, reason = OutboundEmail.Status.SUPPRESSED, f"unsubscribed: {category if category in opted else ALL_CATEGORIES}"
        elif category not in CAP_EXEMPT_CATEGORIES and recent.get(address, 0) >= rules.frequency_cap:
            status, reason = OutboundEmail.Status.CAPPED, (f"frequency cap: {recent[address]} emails in the last "
                                                           f"{rules.frequency_window_days} days")
        else:
            recent[address] = recent.get(address, 0) + 1
        name = person.get("name", "")
        context = {"name": name, "first_name": (name.split() or [""])[0], "program": program.name,
                   **{key: str(value) for key, value in (person.get("context") or {}).items()}}
        rows.append(OutboundEmail(
            program=program, template=template, template_key=template.key, category=category,
            to_email=person["to_email"], email_normalized=address, name=name,
            language=pick_language(person.get("language", "")), advocate_id=person.get("advocate_id"),
            context=context, tracking_key=tracking_key, campaign=campaign,
            variant=variant_of(offset + index) if variant_of else None, status=status, status_reason=reason))
    bulk.insert(rows)  # the project's fast insert (ids returned), ~3× Django's bulk_create
    return [row.pk for row in rows if row.status == OutboundEmail.Status.QUEUED]


# --- creating and running a campaign -----------------------------------------------------

def _clean_variants(variants: list[dict]) -> tuple[list[dict], dict]:
    cleaned, errors = [], {}
    for index, variant in enumerate(variants):
        texts = {language: (variant.get(language) or "").strip() for language in languages()}
        texts = {language: text for language, text in texts.items() if text}
        if not texts:
            continue
        if "en" not in texts:
            errors[f"subject_{index}"] = [_("Write at least the English subject.")]
        for language, text in texts.items():
            problems = text_errors(text, max_length=MAX_LENGTHS["subject"])
            if problems:
                errors[f"subject_{index}_{language}"] = problems
        cleaned.append(texts)
    return cleaned, errors


@transaction.atomic
def create_campaign(program, *, name: str, template_id, subject_variants: list[dict], test_share_percent: int = 20,
                    wait_hours: int = 4, user=None) -> Campaign:
    """A draft campaign; `subject_variants` = [{"en": "...", "de": "..."}, ...] (empty = the template's)."""
    errors: dict[str, list[str]] = {}
    template = EmailTemplate.objects.filter(program=program, pk=template_id).first() if str(template_id).isdigit() else None
    if template is None:
        errors["template"] = [_("Choose one of this program's templates.")]
    if not (name or "").strip():
        errors["name"] = [_("Enter a name.")]
    variants, variant_errors = _clean_variants(subject_variants)
    errors.update(variant_errors)
    if len(variants) > MAX_VARIANTS:
        errors["subject_variants"] = [_("At most %(count)d subject lines.") % {"count": MAX_VARIANTS}]
    if len(variants) >= 2 and not 2 <= test_share_percent <= 50:
        errors["test_share_percent"] = [_("Between 2 and 50 percent.")]
    if not 0 <= wait_hours <= 168:
        errors["wait_hours"] = [_("Between 0 and 168 hours.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    return Campaign.objects.create(program=program, name=name.strip()[:120], template=template,
                                   subject_variants=variants, test_share_percent=test_share_percent,
                                   wait_hours=wait_hours, created_by=user)


def audience(program) -> list[dict]:
    from chorus.advocates.models import Advocate

    return [{"to_email": email, "name": name, "language": language, "advocate_id": pk,
             "context": {"link": settings.CHORUS_BASE_URL + f"/hub/{program.slug}/"}}
            for pk, email, name, language in Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE)
            .order_by("pk").values_list("pk", "email", "name", "language")]


def _claim(campaign_id: int, from_status: str, to_status: str, **fields) -> Campaign | None:
    if not Campaign.objects.filter(pk=campaign_id, status=from_status).update(status=to_status, **fields):
        return None
    return Campaign.objects.select_related("program", "template").get(pk=campaign_id)


@transaction.atomic  # the claim and the queue commit together
def start_campaign(campaign_id: int, now=None) -> int:
    """Send the test share (A/B) or everyone (one subject); returns the emails queued."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    testing = campaign is not None and len(campaign.subject_variants) >= 2
    campaign = _claim(campaign_id, Campaign.Status.DRAFT, Campaign.Status.TESTING if testing else Campaign.Status.SENDING,
                      test_sent_at=now)
    if campaign is None:
        return 0
    people = audience(campaign.program)
    if not testing:
        queued = queue_bulk(campaign.program, campaign.template, people, campaign=campaign,
                            variant_of=(lambda index: 0) if campaign.subject_variants else None,
                            tracking_key=f"campaign:{campaign.pk}")
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DONE, finished_at=timezone.now())
        return len(queued)
    random.Random(campaign.pk).shuffle(people)
    count = len(campaign.subject_variants)
    size = min(len(people), max(count, math.ceil(len(people) * campaign.test_share_percent / 100)))
    queued = queue_bulk(campaign.program, campaign.template, people[:size], campaign=campaign,
                        variant_of=lambda index: index % count, tracking_key=f"campaign:{campaign.pk}")
    transaction.on_commit(lambda: _schedule_decision(campaign))
    return len(queued)


def _schedule_decision(campaign: Campaign) -> None:
    from django_tasks import default_task_backend

    from .tasks import decide_campaign_task

    if default_task_backend.supports_defer and campaign.wait_hours:
        decide_campaign_task.using(run_after=campaign.test_sent_at + timedelta(hours=campaign.wait_hours)).enqueue(
            campaign.pk)


def results(campaign: Campaign) -> list[dict]:
    """Per variant: emails sent, clicked (first clicks), click rate."""
    rows = (OutboundEmail.objects.filter(campaign=campaign, variant__isnull=False, status=OutboundEmail.Status.SENT)
            .values("variant").annotate(sent=Count("pk"), clicked=Count("pk", filter=Q(first_clicked_at__isnull=False))))
    by_variant = {row["variant"]: row for row in rows}
    out = []
    for index, subjects in enumerate(campaign.subject_variants):
        row = by_variant.get(index, {"sent": 0, "clicked": 0})
        out.append({"variant": index, "subject": subjects.get("en", ""), "sent": row["sent"], "clicked": row["clicked"],
                    "rate": row["clicked"] / row["sent"] if row["sent"] else 0.0})
    return out


def choose_winner(variants: list[dict]) -> dict:
    """The decision for these results: the best challenger against the default (variant 0).

    The challenger wins only if its click rate is higher and the difference is significant
    (two-sided p < 0.05); otherwise the default is kept."""
    default = variants[0]
    challenger = max(variants[1:], key=lambda row: (row["rate"], -row["variant"]))
    test = two_proportion_z_test(default["clicked"], default["sent"], challenger["clicked"], challenger["sent"])
    significant = test.p_value < SIGNIFICANCE
    winner = challenger["variant"] if significant and challenger["rate"] > default["rate"] else 0
    return {"variants": variants, "challenger": challenger["variant"], "winner": winner, "z": round(test.z, 4),
            "p_value": round(test.p_value, 6), "confidence": round(test.confidence, 6), "significant": significant}


def check_decidable(campaign: Campaign) -> None:
    """Conflict when the campaign cannot be decided now (for the console's button)."""
    if campaign.status != Campaign.Status.TESTING:
        raise Conflict(_("This campaign is not waiting for a decision."))
    if OutboundEmail.objects.filter(campaign=campaign, status__in=[OutboundEmail.Status.QUEUED,
                                                                   OutboundEmail.Status.SENDING]).exists():
        raise Conflict(_("The test emails are still being sent; try again in a moment."))


def decide_campaign(campaign_id: int, *, now=None, on_demand: bool = False) -> Campaign | None:
    """Pick the winner (after the waiting period, or now on demand) and send it to the rest."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return None
    if not on_demand and campaign.test_sent_at and campaign.test_sent_at + timedelta(hours=campaign.wait_hours) > now:
        return None  # too early
    try:
        check_decidable(campaign)
    except Conflict:
        if on_demand:
            raise
        return None
    decision = choose_winner(results(campaign))
    with transaction.atomic():  # the claim and the queue commit together: a crash leaves it TESTING
        campaign = _claim(campaign_id, Campaign.Status.TESTING, Campaign.Status.SENDING, decided_at=now,
                          winner=decision["winner"], decision=decision)
        if campaign is None:
            return None
        winner = decision["winner"]
        queue_bulk(campaign.program, campaign.template, audience(campaign.program), campaign=campaign,
                   variant_of=lambda index: winner, tracking_key=f"campaign:{campaign.pk}")
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DONE, finished_at=timezone.now())
    campaign.refresh_from_db()
    return campaign


def decide_due_campaigns(now=None) -> int:
    """The sweep for campaigns whose waiting period is over (a lost deferred task, SQLite)."""
    now = now or timezone.now()
    decided = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.TESTING).order_by("pk"):
        if decide_campaign(campaign.pk, now=now) is not None:
            decided += 1
    return decided
