"""Completing asks, and the verdict on each completion (R1).

* Submitting checks the input first (nothing stored on bad input), then, with the ask's
  row locked, checks the time window, the audience and both limits, and stores the
  completion. Locking the one ask row serialises completions of that ask, so two at the
  overall limit admit exactly one.
* Approving is a conditional UPDATE from pending: a second approval (double click, two
  marketers, a retried API call) changes no row and credits nothing. The points go to
  the ledger with the completion as the source, which the ledger credits once.
* Auto-moderated asks are approved in the same transaction; quiz answers are checked
  at once (right: approved, wrong: rejected with the reason)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.analytics import rollups
from chorus.core.errors import Conflict, InvalidInput, NotFound
from chorus.core.models import audit
from chorus.insights.nps import record_ask_answer
from chorus.integrations.webhooks_out import EventType, emit, payloads
from chorus.notifications.recognition import send_completion_decision_email
from chorus.rewards import badges, points

from .. import events
from ..models import Ask, Completion
from .asks import check_limits, check_open, check_visible, opening_for
from .evidence import Evidence, process_upload
from .submissions import clean_submission, quiz_answer_is_right, takes_upload

REASON_LIMIT = 500


@dataclass
class Submitted:
    completion: Completion
    badges: list


def _check_can_complete(ask: Ask, advocate, now) -> None:
    opening = opening_for(ask, advocate) if ask.trigger_event else None
    check_visible(ask, advocate, opening=opening)
    check_open(ask, advocate, now, opening=opening)


def submit_completion(ask: Ask, advocate, fields=None, *, upload=None, source_key: str = "",
                      data: dict | None = None, force_review: bool = False, now=None) -> Submitted:
    """The advocate completes `ask` with `fields` (and an optional image `upload`).

    Raises NotFound/Forbidden (not visible), Conflict (not open yet, already done, full),
    Gone (ended), InvalidInput/PayloadTooLarge (bad fields or upload); nothing is stored then.
    `data` and `source_key` are for completions the system makes (refer-a-friend)."""
    now = now or timezone.now()
    _check_can_complete(ask, advocate, now)
    if data is None:
        if upload is not None and not takes_upload(ask):
            raise InvalidInput(_("This ask takes no upload."), field_errors={"evidence": [_("This ask takes no upload.")]})
        data = clean_submission(ask, fields, has_upload=upload is not None)
    evidence = process_upload(upload) if upload is not None else None
    stored: list = []  # the evidence file, deleted again if the transaction rolls back
    try:
        with transaction.atomic():
            ask = Ask.objects.select_for_update().select_related("program").get(pk=ask.pk)
            _check_can_complete(ask, advocate, now)  # again, under the lock: the ask may have changed
            check_limits(ask, advocate)
            completion = _store(ask, advocate, data, evidence, source_key, stored)
            _answer_the_event(ask, advocate, completion)
            record_ask_answer(completion)  # a survey's NPS question is also an NPS response
            awarded = _settle_at_once(completion, force_review=force_review)
    except Exception:
        for file in stored:
            file.storage.delete(file.name)
        raise
    return Submitted(completion=completion, badges=awarded)


def _store(ask: Ask, advocate, data: dict, evidence: Evidence | None, source_key: str, stored: list) -> Completion:
    completion = Completion(ask=ask, advocate=advocate, data=data, points=ask.points, source_key=source_key)
    if evidence is not None:
        completion.evidence_content_type = evidence.content_type
        completion.evidence.save(evidence.content.name, evidence.content, save=False)
        stored.append(completion.evidence)
    completion.save()
    rollups.completion_submitted(completion)
    return completion


def _answer_the_event(ask: Ask, advocate, completion: Completion) -> None:
    """An RSVP ask tied to an invite-only event answers the advocate's invitation too, under the
    event's seat lock: not invited (404) or full (409) refuses the completion as well."""
    if ask.type == Ask.Type.EVENT_RSVP and ask.config.get("event_id"):
        events.rsvp((advocate, ask.config["event_id"]), completion.data["attending"])


def _settle_at_once(completion: Completion, *, force_review: bool) -> list:
    ask = completion.ask
    if ask.type == Ask.Type.QUIZ:
        if quiz_answer_is_right(ask, completion.data.get("answer", "")):
            return _approve(completion, user=None)
        _reject(completion, reason=_("That is not the right answer."), user=None)
        return []
    if ask.moderation == Ask.Moderation.AUTO and not force_review:
        return _approve(completion, user=None)
    return []


# --- the verdict -------------------------------------------------------------------------------

def _decide(completion: Completion, status: str, *, user, reason: str = "") -> bool:
    """Move the completion from pending to `status`; False if it was not pending (no change)."""
    now = timezone.now()
    changed = Completion.objects.filter(pk=completion.pk, status=Completion.Status.PENDING).update(
        status=status, decided_at=now, updated_at=now, decided_by=user if getattr(user, "is_authenticated", False) else None,
        rejection_reason=reason)
    completion.refresh_from_db()
    return bool(changed)


def _approve(completion: Completion, *, user) -> list:
    if not _decide(completion, Completion.Status.APPROVED, user=user):
        if completion.status == Completion.Status.APPROVED:
            return []
        raise Conflict(_("This completion was already rejected."), code="already_decided")
    rollups.completion_approved(completion)
    advocate = completion.advocate
    emit(advocate.program_id, EventType.ASK_COMPLETED, {"completion": payloads.completion(completion)},
         f"completion:{completion.pk}")
    if completion.points > 0:
        points.credit(advocate, completion.points, source=completion,
                      note=completion.ask.title, created_by=user if getattr(user, "is_authenticated", False) else None)
    return badges.award_earned_badges(advocate)


def _reject(completion: Completion, *, reason: str, user) -> None:
    if not _decide(completion, Completion.Status.REJECTED, user=user, reason=reason):
        if completion.status == Completion.Status.REJECTED:
            return
        raise Conflict(_("This completion was already approved."), code="already_decided")


def approve_completion(completion_id: int, *, user=None, program=None) -> Completion:
    """Approve a pending completion and credit its points (once, however often it is called)."""
    with transaction.atomic():
        completion = _get(completion_id, program)
        was_pending = completion.status == Completion.Status.PENDING
        _approve(completion, user=user)
        if was_pending and user is not None:
            audit(action="completion.approved", target=completion, actor=user, workspace=completion.ask.program.workspace,
                  ask=completion.ask_id, advocate=completion.advocate_id, points=completion.points)
        if was_pending:
            send_completion_decision_email(completion)  # after commit, if the advocate wants it
    return completion


def reject_completion(completion_id: int, *, reason: str, user=None, program=None) -> Completion:
    """Reject a pending completion with a reason the advocate sees."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        message = _("Give the advocate a reason (at most %(limit)s characters).") % {"limit": REASON_LIMIT}
        raise InvalidInput(message, field_errors={"reason": [message]})
    with transaction.atomic():
        completion = _get(completion_id, program)
        was_pending = completion.status == Completion.Status.PENDING
        _reject(completion, reason=reason, user=user)
        if was_pending and user is not None:
            audit(action="completion.rejected", target=completion, actor=user, workspace=completion.ask.program.workspace,
                  note=reason, ask=completion.ask_id, advocate=completion.advocate_id)
        if was_pending:
            send_completion_decision_email(completion)  # after commit, if the advocate wants it
    return completion


def _get(completion_id: int, program) -> Completion:
    completions = Completion.objects.select_related("ask__program__workspace", "advocate")
    if program is not None:
        completions = completions.filter(ask__program=program)
    completion = completions.filter(pk=completion_id).first()
    if completion is None:
        raise NotFound(_("No such completion."), code="completion_not_found")
    return completion
