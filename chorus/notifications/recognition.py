"""Recognition emails: "You reached Champion", "You earned a badge", in the advocate's language.

Scheduled with `transaction.on_commit`, so a rolled-back award mails nobody; the advocate's
`email_on_level_up` preference turns them off."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .services import _language_for, _sender, send_email

logger = logging.getLogger("chorus.notifications")
_quiet = ContextVar("chorus_quiet_recognition", default=False)


@contextmanager
def quiet_recognition():
    """No recognition emails for awards made inside (bulk imports, the demo seed's history)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def send_recognition_email(advocate, *, awards=(), levels_reached=()) -> None:
    """Tell the advocate about new badges and levels once the current transaction commits."""
    if _quiet.get() or not getattr(advocate, "email_on_level_up", True):
        return
    award_ids = [award.pk for award in awards]
    level_ids = [row.pk for row in levels_reached]
    fallback_language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _deliver(advocate.pk, award_ids, level_ids, fallback_language))


def _deliver(advocate_id: int, award_ids: list[int], level_ids: list[int], fallback_language: str) -> None:
    from chorus.advocates.models import Advocate
    from chorus.rewards.models import BadgeAward, LevelReached

    advocate = Advocate.objects.select_related("program").filter(pk=advocate_id).first()
    if advocate is None or not advocate.email_on_level_up or advocate.status != Advocate.Status.ACTIVE:
        return
    program = advocate.program
    awards = list(BadgeAward.objects.select_related("badge").filter(pk__in=award_ids).order_by("pk"))
    levels = list(LevelReached.objects.select_related("level").filter(pk__in=level_ids)
                  .order_by("level__min_points_earned"))
    if not awards and not levels:
        return
    language = _language_for(advocate, fallback_language)
    url = f"{settings.CHORUS_BASE_URL}{reverse('hub:progress', kwargs={'slug': program.slug})}"
    with translation.override(language):
        top_level = levels[-1].level.localized_name(language) if levels else ""
        badges = [award.badge.localized_name(language) for award in awards]
        if top_level:
            subject = _("You reached %(level)s in %(program)s") % {"level": top_level, "program": program.name}
        else:
            subject = _("You earned a badge in %(program)s") % {"program": program.name}
    context = {"advocate": advocate, "program": program, "url": url, "level": top_level, "badges": badges,
               "awards": awards, "language": language}
    try:
        send_email(to=advocate.email, subject=subject, template="recognition", context=context,
                   sender=_sender(program), language=language)
    except Exception:  # a mail outage must not undo the award; the hub shows it anyway
        logger.exception("could not send the recognition email to advocate %s", advocate_id)


def send_completion_decision_email(completion) -> None:
    """Tell the advocate their completion was approved (with its points) or rejected (with the
    reason), after commit, if they want these emails (`Advocate.email_on_approval`).

    For the asks' moderation to call after approving or rejecting a completion."""
    _after_commit_if_wanted(completion.advocate, lambda language: _deliver_decision(completion.pk, language))


def _after_commit_if_wanted(advocate, deliver) -> None:
    """Run `deliver(fallback_language)` after commit unless quiet or the advocate turned these off."""
    if _quiet.get() or not getattr(advocate, "email_on_approval", True):
        return
    fallback_language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: deliver(fallback_language))


def _still_wanted(advocate) -> bool:
    from chorus.advocates.models import Advocate

    return advocate.email_on_approval and advocate.status == Advocate.Status.ACTIVE


def _send_decision(advocate, program, *, subject: str, template: str, context: dict, language: str, what: str) -> None:
    try:
        send_email(to=advocate.email, subject=subject, template=template, context=context,
                   sender=_sender(program), language=language)
    except Exception:  # a mail outage must not undo the decision; the hub shows it anyway
        logger.exception("could not send the email for %s", what)


def _deliver_decision(completion_id: int, fallback_language: str) -> None:
    from chorus.campaigns.models import Completion

    completion = (Completion.objects.select_related("ask", "advocate", "advocate__program")
                  .filter(pk=completion_id).exclude(status=Completion.Status.PENDING).first())
    if completion is None:
        return
    advocate, program = completion.advocate, completion.advocate.program
    if not _still_wanted(advocate):
        return
    language = _language_for(advocate, fallback_language)
    approved = completion.status == Completion.Status.APPROVED
    url = f"{settings.CHORUS_BASE_URL}{reverse('hub:progress', kwargs={'slug': program.slug})}"
    with translation.override(language):
        title = completion.ask.localized_title(language)
        if approved:
            subject = _("Approved: %(ask)s") % {"ask": title}
        else:
            subject = _("Not approved: %(ask)s") % {"ask": title}
    context = {"advocate": advocate, "program": program, "url": url, "ask_title": title, "approved": approved,
               "points": completion.points, "reason": completion.rejection_reason}
    _send_decision(advocate, program, subject=subject, template="completion_decision", context=context,
                   language=language, what=f"completion {completion_id}")


def send_redemption_update_email(redemption) -> None:
    """Tell the advocate a redemption was fulfilled (with the marketer's note and any code) or
    rejected (with the reason; the points are back), after commit, if they want these emails."""
    _after_commit_if_wanted(redemption.advocate,
                            lambda language: _deliver_redemption_update(redemption.pk, language))


def _deliver_redemption_update(redemption_id: int, fallback_language: str) -> None:
    from chorus.rewards.models import Redemption

    redemption = (Redemption.objects.select_related("item", "advocate", "advocate__program")
                  .filter(pk=redemption_id, status__in=[Redemption.Status.FULFILLED, Redemption.Status.REJECTED])
                  .first())
    if redemption is None:
        return
    advocate, program = redemption.advocate, redemption.advocate.program
    if not _still_wanted(advocate):
        return
    language = _language_for(advocate, fallback_language)
    fulfilled = redemption.status == Redemption.Status.FULFILLED
    url = f"{settings.CHORUS_BASE_URL}{reverse('hub:redemptions', kwargs={'slug': program.slug})}"
    with translation.override(language):
        title = redemption.item.localized_title(language)
        if fulfilled:
            subject = _("Your reward is ready: %(item)s") % {"item": title}
        else:
            subject = _("Your redemption was not approved: %(item)s") % {"item": title}
    context = {"advocate": advocate, "program": program, "url": url, "item_title": title, "fulfilled": fulfilled,
               "note": redemption.status_note, "code": redemption.code, "points": redemption.cost_points}
    _send_decision(advocate, program, subject=subject, template="redemption_update", context=context,
                   language=language, what=f"redemption {redemption_id}")
