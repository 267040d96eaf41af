"""NPS answers (I2): recording them from the survey page, a hub ask and the API.

* **The survey page records nothing on GET.** The email's eleven buttons open the page with
  the score pre-selected; only the submitted form (POST, with its CSRF token) writes. So a
  mail scanner that follows every link answers nothing.
* **One response per send.** A second submission within 24 hours of the first replaces its
  score and comment (people correct a mis-click); later it is refused with a 409 and the
  first answer stays.
* **API answers are idempotent**: with `external_id` a retry returns the stored response
  (a different answer under the same id is a 409); without it the same person, time and
  score is the same response.
* **Promoter automation once**: when a response makes someone a promoter (their previous
  answer, if any, was not 9–10) the `promoter` automation fires, once per response (a
  conditional UPDATE on `promoter_fired_at` claims it).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.emails import normalize_email
from chorus.core.errors import Conflict, InvalidInput

from .models import NpsResponse, NpsSend, category_for

RESUBMIT_WINDOW = timedelta(hours=24)
COMMENT_LIMIT = 2000


def clean_score(value, field: str = "score") -> int:
    """A whole number from 0 to 10, or InvalidInput (422) naming the field."""
    message = _("Choose a number from 0 to 10.")
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number <= 10:
        raise InvalidInput(message, field_errors={field: [message]})
    return number


def clean_comment(value) -> str:
    comment = (value or "").strip() if isinstance(value, str) else ""
    if len(comment) > COMMENT_LIMIT:
        message = _("At most %(limit)s characters.") % {"limit": COMMENT_LIMIT}
        raise InvalidInput(message, field_errors={"comment": [message]})
    return comment


@dataclass
class Person:
    customer: object = None
    advocate: object = None

    @property
    def email_normalized(self) -> str:
        for who in (self.customer, self.advocate):
            if who is not None and getattr(who, "email", ""):
                return normalize_email(who.email)
        return ""


def _previous_is_promoter(response: NpsResponse) -> bool:
    earlier = NpsResponse.objects.filter(program_id=response.program_id).exclude(pk=response.pk).filter(
        responded_at__lte=response.responded_at)
    who = _same_person(response)
    if who is None:
        return False
    previous = earlier.filter(who).order_by("-responded_at", "-pk").first()
    return previous is not None and previous.category == NpsResponse.Category.PROMOTER


def _same_person(response: NpsResponse):
    from django.db.models import Q

    condition = Q()
    if response.customer_id:
        condition |= Q(customer_id=response.customer_id)
    if response.advocate_id:
        condition |= Q(advocate_id=response.advocate_id)
    if response.email_normalized:
        condition |= Q(email_normalized=response.email_normalized)
    return condition or None


def _fire_promoter_once(response: NpsResponse) -> bool:
    """Fire the `promoter` automation if this response made someone a promoter (once)."""
    if response.category != NpsResponse.Category.PROMOTER or response.promoter_fired_at is not None:
        return False
    if _previous_is_promoter(response):
        return False
    claimed = NpsResponse.objects.filter(pk=response.pk, promoter_fired_at__isnull=True).update(
        promoter_fired_at=timezone.now())
    if not claimed:
        return False
    response.refresh_from_db(fields=["promoter_fired_at"])
    from chorus.notifications import automations

    automations.fire(response.program, "promoter", customer=response.customer, advocate=response.advocate,
                     occurrence=f"nps-response:{response.pk}", context={"score": response.score})
    return True


def _create(program, person: Person, *, score: int, comment: str, source: str, responded_at: datetime,
            send=None, completion=None, external_id: str = "") -> NpsResponse:
    response = NpsResponse.objects.create(
        program=program, send=send, completion=completion, customer=person.customer, advocate=person.advocate,
        email_normalized=person.email_normalized, score=score, category=category_for(score), comment=comment,
        source=source, external_id=external_id, responded_at=responded_at)
    _fire_promoter_once(response)
    return response


# --- the email survey --------------------------------------------------------------------------

def submit_survey(send: NpsSend, *, score, comment="", now: datetime | None = None) -> tuple[NpsResponse, bool]:
    """Record (or, within 24 hours, correct) the answer to one sent survey.

    Returns (response, created). Raises InvalidInput for a bad score or comment and
    Conflict once the 24-hour window for changes has passed; nothing changes then."""
    score, comment = clean_score(score), clean_comment(comment)
    now = now or timezone.now()
    with transaction.atomic():
        send = NpsSend.objects.select_for_update(of=("self",)).select_related("program", "customer", "advocate").get(
            pk=send.pk)
        existing = NpsResponse.objects.filter(send=send).first()
        if existing is None:
            person = Person(customer=send.customer, advocate=send.advocate)
            response = _create(send.program, person, score=score, comment=comment, source=NpsResponse.Source.EMAIL,
                               responded_at=now, send=send)
            if not response.email_normalized:
                NpsResponse.objects.filter(pk=response.pk).update(email_normalized=send.email_normalized)
            return response, True
        if now - existing.created_at > RESUBMIT_WINDOW:
            raise Conflict(_("You already answered this survey; thank you."), code="already_answered")
        existing.score, existing.category, existing.comment = score, category_for(score), comment
        existing.responded_at = now
        existing.save(update_fields=["score", "category", "comment", "responded_at", "updated_at"])
        _fire_promoter_once(existing)
        return existing, False


# --- the hub ask ---------------------------------------------------------------------------------

def nps_question_keys(ask) -> tuple[str | None, str | None]:
    """The keys of a survey ask's NPS scale question and its "why?" text question, if any."""
    score_key = comment_key = None
    for question in (ask.config or {}).get("questions", []):
        if question.get("nps") and question.get("kind") == "scale":
            score_key = question["key"]
        elif question.get("nps_comment") and question.get("kind") == "text":
            comment_key = question["key"]
    return score_key, comment_key


def record_ask_answer(completion) -> NpsResponse | None:
    """A survey ask whose scale question is marked `"nps": true` records its answer as an
    NPS response (once per completion), whatever the moderation decides later."""
    ask = completion.ask
    if ask.type != "survey":
        return None
    score_key, comment_key = nps_question_keys(ask)
    answers = (completion.data or {}).get("answers", {})
    if score_key is None or answers.get(score_key) is None:
        return None
    comment = answers.get(comment_key, "") if comment_key else ""
    person = Person(advocate=completion.advocate)
    return _create(ask.program, person, score=int(answers[score_key]), comment=str(comment)[:COMMENT_LIMIT],
                   source=NpsResponse.Source.HUB, responded_at=completion.created_at or timezone.now(),
                   completion=completion)


# --- the API -------------------------------------------------------------------------------------

def find_person(program, *, customer_external_id: str = "", email: str = "", advocate_id: int | None = None) -> Person:
    """The customer or advocate an API answer is about; InvalidInput when none is named or found."""
    from chorus.advocates.models import Advocate, Customer

    if advocate_id is not None:
        advocate = Advocate.objects.filter(program=program, pk=advocate_id).first()
        if advocate is None:
            raise InvalidInput(_("No advocate with this id in this program."),
                               field_errors={"advocate_id": [_("No advocate with this id in this program.")]})
        return Person(advocate=advocate)
    customer = None
    if customer_external_id:
        customer = Customer.objects.filter(program=program, external_id=customer_external_id).first()
    if customer is None and email:
        customer = Customer.objects.filter(program=program, email_normalized=normalize_email(email)).first()
    advocate = None
    if email:
        advocate = Advocate.objects.filter(program=program, email_normalized=normalize_email(email)).first()
    if customer is None and advocate is None:
        message = _("No customer or advocate with this external id or email in this program.")
        raise InvalidInput(message, field_errors={"customer_external_id": [message]})
    return Person(customer=customer, advocate=advocate)


def record_api_response(program, *, score, comment: str = "", responded_at: datetime | None = None,
                        external_id: str = "", customer_external_id: str = "", email: str = "",
                        advocate_id: int | None = None) -> tuple[NpsResponse, bool]:
    """Store an answer collected elsewhere. Returns (response, created); retries return the first."""
    score, comment = clean_score(score), clean_comment(comment)
    person = find_person(program, customer_external_id=customer_external_id, email=email, advocate_id=advocate_id)
    responded_at = responded_at or timezone.now()
    if responded_at > timezone.now() + timedelta(minutes=5):
        message = _("The time of the answer is in the future.")
        raise InvalidInput(message, field_errors={"responded_at": [message]})
    try:
        with transaction.atomic():
            existing = _existing_api_response(program, person, external_id, responded_at, score)
            if existing is None:
                return _create(program, person, score=score, comment=comment, source=NpsResponse.Source.API,
                               responded_at=responded_at, external_id=external_id), True
    except IntegrityError:  # the same external_id committed by a concurrent request
        with transaction.atomic():
            existing = _existing_api_response(program, person, external_id, responded_at, score)
        if existing is None:
            raise
    if existing.score != score or existing.comment != comment:
        raise Conflict(_("A different answer was already recorded under this external_id."),
                       code="external_id_in_use")
    return existing, False


def _existing_api_response(program, person: Person, external_id: str, responded_at, score):
    responses = NpsResponse.objects.select_for_update().filter(program=program)
    if external_id:
        return responses.filter(external_id=external_id).first()
    same = responses.filter(source=NpsResponse.Source.API, responded_at=responded_at, score=score,
                            email_normalized=person.email_normalized)
    if person.customer is not None:
        same = same.filter(customer=person.customer)
    if person.advocate is not None:
        same = same.filter(advocate=person.advocate)
    return same.first()
