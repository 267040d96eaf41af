"""Redeeming catalog items for points, and the redemption's life: requested → approved →
fulfilled, or rejected / cancelled with the points returned.

Capped resources are locked in one order, item row then advocate row, so two redemptions
of the last item (or one advocate racing past the limit) serialise on the item and the
loser gets a 409 with a plain reason. Points are debited in the same transaction and never
go below zero (`points.debit`); a return is one REDEMPTION_RETURN entry per redemption,
held to once by the ledger's unique (source, reason) key. Pool codes are drawn with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite's IMMEDIATE transactions serialise
writers) and each is given out once (one-to-one with the redemption)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.core.codes import coupon_code
from chorus.core.countries import COUNTRY_CODES
from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit
from chorus.integrations.webhooks_out import EventType, emit, payloads
from chorus.notifications.recognition import send_redemption_update_email

from . import points
from .levels import standing
from .models import CatalogItem, LedgerEntry, PoolCode, Redemption

Status = Redemption.Status
SHIPPING_FIELDS = {"name": 200, "address": 500, "city": 100, "postal_code": 20, "country": 2}
REQUIRED_SHIPPING = ("name", "address", "city", "country")
COUNTING = ~Q(status__in=Redemption.CLOSED_WITH_RETURN)  # redemptions that use up a limit


# --- why an item can or cannot be redeemed ---------------------------------------------

@dataclass(frozen=True)
class Refusal:
    code: str
    message: str  # for the redeem attempt (409 body)
    short: str    # for the store card ("Reach Champion")


def _limit_filter(item: CatalogItem, advocate) -> Q:
    if item.recipient == CatalogItem.Recipient.ACCOUNT:
        return Q(item=item, account_id=advocate.account_id)
    return Q(item=item, advocate=advocate)


def refusal(item: CatalogItem, advocate, *, level_rank: int, balance: int, used: int, free_codes: int | None) -> Refusal | None:
    """Why `advocate` cannot redeem `item` now, or None. Pure: the caller supplies the numbers."""
    title = item.localized_title()
    if not item.is_active:
        return Refusal("inactive", _("“%(title)s” is no longer available.") % {"title": title}, _("Not available"))
    if item.recipient == CatalogItem.Recipient.ACCOUNT and not advocate.account_id:
        return Refusal("no_account", _("“%(title)s” is a reward for an organisation account, and you are not part of one.")
                       % {"title": title}, _("For organisation accounts"))
    if item.min_level is not None and level_rank < item.min_level.rank:
        level = item.min_level.localized_name()
        return Refusal("level_too_low", _("“%(title)s” is for the %(level)s level and above.") % {"title": title, "level": level},
                       _("Reach %(level)s") % {"level": level})
    if (item.stock is not None and item.stock <= 0) or (free_codes is not None and free_codes <= 0):
        return Refusal("out_of_stock", _("Sorry, “%(title)s” is out of stock.") % {"title": title}, _("Out of stock"))
    if item.per_advocate_limit is not None and used >= item.per_advocate_limit:
        return Refusal("limit_reached", _("You have reached the limit for “%(title)s” (%(limit)s).")
                       % {"title": title, "limit": item.per_advocate_limit}, _("Limit reached"))
    if balance < item.cost_points:
        missing = item.cost_points - balance
        return Refusal("insufficient_points",
                       _("Not enough points: this costs %(cost)s and you have %(balance)s.") % {"cost": item.cost_points, "balance": balance},
                       ngettext("You need %(count)s more point", "You need %(count)s more points", missing)
                       % {"count": missing})
    return None


@dataclass(frozen=True)
class StoreEntry:
    item: CatalogItem
    refusal: Refusal | None
    free_codes: int | None

    @property
    def can_redeem(self) -> bool:
        return self.refusal is None


def _free_codes(items) -> dict[int, int]:
    pooled = [item.pk for item in items if item.fulfilment == CatalogItem.Fulfilment.CODE_POOL]
    counts = (PoolCode.objects.filter(item_id__in=pooled, redemption__isnull=True)
              .values("item_id").annotate(free=Count("pk")).values_list("item_id", "free"))
    return {pk: 0 for pk in pooled} | dict(counts)


def _used_counts(advocate, items) -> dict[int, int]:
    """Per item, the redemptions that count against its limit for this advocate (or their account)."""
    counted = Q(advocate=advocate, item__recipient=CatalogItem.Recipient.ADVOCATE)
    if advocate.account_id:
        counted |= Q(account_id=advocate.account_id, item__recipient=CatalogItem.Recipient.ACCOUNT)
    rows = (Redemption.objects.filter(COUNTING, counted, item__in=items)
            .values("item_id").annotate(used=Count("pk")).values_list("item_id", "used"))
    return dict(rows)


def store(advocate) -> list[StoreEntry]:
    """The program's active items for the hub store, each with why it cannot be redeemed (if so)."""
    items = list(CatalogItem.objects.filter(program_id=advocate.program_id, is_active=True).select_related("min_level"))
    where = standing(advocate)
    level_rank = where.level.rank if where.level else -1
    balance = points.balance(advocate)
    free = _free_codes(items)
    used = _used_counts(advocate, items)
    return [StoreEntry(item, refusal(item, advocate, level_rank=level_rank, balance=balance, used=used.get(item.pk, 0),
                                     free_codes=free.get(item.pk)), free.get(item.pk))
            for item in items]


# --- redeeming ---------------------------------------------------------------------------

def clean_shipping(item: CatalogItem, shipping: dict | None) -> dict:
    """Shipping details for a shipped item (else none); InvalidInput with field errors."""
    if not item.needs_shipping:
        return {}
    shipping = shipping or {}
    cleaned = {name: str(shipping.get(name) or "").strip() for name in SHIPPING_FIELDS}
    cleaned["country"] = cleaned["country"].upper()
    errors: dict[str, list[str]] = {}
    for name in REQUIRED_SHIPPING:
        if not cleaned[name]:
            errors[name] = [_("Required for shipping.")]
    for name, limit in SHIPPING_FIELDS.items():
        if len(cleaned[name]) > limit and name != "country":
            errors[name] = [_("At most %(max)s characters.") % {"max": limit}]
    if cleaned["country"] and cleaned["country"] not in COUNTRY_CODES:
        errors["country"] = [_("Use a two-letter country code, e.g. DE, JP or PL.")]
    if errors:
        raise InvalidInput(_("Please complete the shipping details."), field_errors=errors)
    return cleaned


def clean_cause(item: CatalogItem, cause: str) -> str:
    if item.fulfilment != CatalogItem.Fulfilment.CHARITY:
        return ""
    keys = [key for key, _name in item.localized_causes()]
    if cause not in keys:
        raise InvalidInput(_("Choose the cause to donate to."), field_errors={"cause": [_("Choose one of the causes.")]})
    return cause


def _lock_item(item_id: int) -> CatalogItem:
    return CatalogItem.objects.select_for_update(of=("self",)).select_related("program", "min_level").get(pk=item_id)


def _check(item: CatalogItem, advocate) -> None:
    where = standing(advocate)
    free = None
    if item.fulfilment == CatalogItem.Fulfilment.CODE_POOL:
        free = 1 if item.pool_codes.filter(redemption__isnull=True).exists() else 0
    problem = refusal(item, advocate, level_rank=where.level.rank if where.level else -1,
                      balance=points.balance(advocate), used=Redemption.objects.filter(COUNTING & _limit_filter(item, advocate)).count(),
                      free_codes=free)
    if problem is not None:
        raise Conflict(problem.message, code=problem.code)


def _draw_pool_code(item: CatalogItem, redemption: Redemption) -> str:
    code = (PoolCode.objects.select_for_update(skip_locked=True)
            .filter(item=item, redemption__isnull=True).order_by("pk").first())
    if code is None:
        raise Conflict(_("Sorry, “%(title)s” is out of stock.") % {"title": item.localized_title()}, code="out_of_stock")
    code.redemption, code.assigned_at = redemption, timezone.now()
    code.save(update_fields=["redemption", "assigned_at"])
    return code.code


def _generate_code(item: CatalogItem) -> str:
    for _attempt in range(5):
        code = coupon_code(item.code_prefix or "REWARD")
        if not Redemption.objects.filter(item=item, code=code).exists():
            return code
    raise Conflict(_("Could not make a unique code; please try again."))


def _fulfil_with_code(item: CatalogItem, redemption: Redemption) -> None:
    now = timezone.now()
    if item.fulfilment == CatalogItem.Fulfilment.CODE_POOL:
        redemption.code = _draw_pool_code(item, redemption)
    else:
        redemption.code = _generate_code(item)
    redemption.status, redemption.approved_at, redemption.fulfilled_at = Status.FULFILLED, now, now
    redemption.save(update_fields=["code", "status", "approved_at", "fulfilled_at", "updated_at"])


def redeem(advocate, item: CatalogItem, *, shipping: dict | None = None, cause: str = "",
           request_token: str = "", user=None) -> tuple[Redemption, bool]:
    """Spend the advocate's points on `item`. Returns (redemption, created).

    A repeated `request_token` (a hub form resubmitted) returns the first redemption and False.
    Code items are fulfilled at once (the advocate sees the code); others wait in the queue."""
    if request_token:
        existing = Redemption.objects.filter(advocate=advocate, request_token=request_token).first()
        if existing is not None:
            return existing, False
    if item.program_id != advocate.program_id:
        raise InvalidInput(_("This item belongs to another program."))
    shipping = clean_shipping(item, shipping)
    cause = clean_cause(item, cause)
    try:
        with transaction.atomic():
            item = _lock_item(item.pk)  # lock order: the item row, then the advocate row
            points.lock_advocate(advocate)
            _check(item, advocate)
            redemption = Redemption.objects.create(
                program_id=item.program_id, item=item, advocate=advocate, cost_points=item.cost_points,
                account_id=advocate.account_id if item.recipient == CatalogItem.Recipient.ACCOUNT else None,
                shipping=shipping, cause=cause, currency=item.program.currency if item.value_amount else "",
                donation_amount=item.value_amount if item.fulfilment == CatalogItem.Fulfilment.CHARITY else 0,
                subscription_months=item.subscription_months if item.kind == CatalogItem.Kind.SUBSCRIPTION else None,
                request_token=request_token)
            points.debit(advocate, item.cost_points, source=redemption, note=item.title, created_by=user)
            if item.stock is not None:
                item.stock -= 1
                item.save(update_fields=["stock", "updated_at"])
            if item.uses_codes:
                _fulfil_with_code(item, redemption)
            audit(action="redemption.requested", target=redemption, actor=user, workspace=item.program.workspace,
                  item=item.pk, advocate=advocate.pk, cost=item.cost_points)
            _emit(redemption, EventType.REDEMPTION_REQUESTED)
            if redemption.status == Status.FULFILLED:
                _emit(redemption, EventType.REDEMPTION_FULFILLED)
    except IntegrityError:
        existing = Redemption.objects.filter(advocate=advocate, request_token=request_token).first() if request_token else None
        if existing is None:
            raise
        return existing, False
    return redemption, True


# --- the fulfilment queue ----------------------------------------------------------------

def _lock_redemption(redemption_id: int) -> Redemption:
    """Lock the item row, then the redemption (the same order as redeem)."""
    item_id = Redemption.objects.filter(pk=redemption_id).values_list("item_id", flat=True).get()
    _lock_item(item_id)
    return Redemption.objects.select_for_update(of=("self",)).select_related("item", "advocate", "program__workspace").get(pk=redemption_id)


def _refuse_move(redemption: Redemption, action: str) -> Conflict:
    status = redemption.get_status_display()
    messages = {
        "approve": _("Only a requested redemption can be approved; this one is “%(status)s”."),
        "fulfil": _("This redemption is “%(status)s”; it can no longer be fulfilled."),
        "reject": _("This redemption is “%(status)s”; it can no longer be rejected."),
        "cancel": _("This redemption is “%(status)s”; it can no longer be cancelled."),
    }
    return Conflict(messages[action] % {"status": status}, code="wrong_status")


@transaction.atomic
def approve(redemption_id: int, *, user=None) -> Redemption:
    redemption = _lock_redemption(redemption_id)
    if redemption.status != Status.REQUESTED:
        raise _refuse_move(redemption, "approve")
    redemption.status, redemption.approved_at, redemption.decided_by = Status.APPROVED, timezone.now(), user
    redemption.save(update_fields=["status", "approved_at", "decided_by", "updated_at"])
    audit(action="redemption.approved", target=redemption, actor=user, workspace=redemption.program.workspace)
    return redemption


@transaction.atomic
def fulfil(redemption_id: int, *, user=None, note: str = "") -> Redemption:
    """Mark as delivered (shipped, donated, granted); approves on the way if needed."""
    redemption = _lock_redemption(redemption_id)
    if redemption.status not in Redemption.OPEN:
        raise _refuse_move(redemption, "fulfil")
    now = timezone.now()
    redemption.approved_at = redemption.approved_at or now
    redemption.status, redemption.fulfilled_at, redemption.decided_by = Status.FULFILLED, now, user
    redemption.status_note = note.strip()[:500]
    redemption.save(update_fields=["status", "approved_at", "fulfilled_at", "decided_by", "status_note", "updated_at"])
    audit(action="redemption.fulfilled", target=redemption, actor=user, workspace=redemption.program.workspace)
    send_redemption_update_email(redemption)
    _emit(redemption, EventType.REDEMPTION_FULFILLED)
    return redemption


def _emit(redemption: Redemption, event_type: str) -> None:
    emit(redemption.program_id, event_type, {"redemption": payloads.redemption(redemption)},
         f"redemption:{redemption.pk}")


def reject(redemption_id: int, *, user=None, reason: str) -> Redemption:
    """Refuse an open redemption with a reason the advocate sees; the points go back."""
    if not reason.strip():
        raise InvalidInput(_("Say why it is rejected; the advocate sees the reason."),
                           field_errors={"reason": [_("Required.")]})
    return _close(redemption_id, Status.REJECTED, user=user, note=reason)


def cancel(redemption_id: int, *, user=None, advocate=None, reason: str = "") -> Redemption:
    """Cancel an open redemption (the advocate only while it is still requested); points go back."""
    return _close(redemption_id, Status.CANCELLED, user=user, advocate=advocate, note=reason)


@transaction.atomic
def _close(redemption_id: int, status: str, *, user=None, advocate=None, note: str = "") -> Redemption:
    redemption = _lock_redemption(redemption_id)
    allowed = (Status.REQUESTED,) if advocate is not None else Redemption.OPEN
    if redemption.status not in allowed:
        raise _refuse_move(redemption, "reject" if status == Status.REJECTED else "cancel")
    redemption.status, redemption.closed_at, redemption.decided_by = status, timezone.now(), user
    redemption.status_note = note.strip()[:500]
    redemption.save(update_fields=["status", "closed_at", "decided_by", "status_note", "updated_at"])
    points.credit(redemption.advocate, redemption.cost_points, source=redemption,
                  reason=LedgerEntry.Reason.REDEMPTION_RETURN, note=redemption.item.title, created_by=user)
    item = redemption.item
    if item.stock is not None:
        CatalogItem.objects.filter(pk=item.pk).update(stock=F("stock") + 1)
    audit(action=f"redemption.{status}", target=redemption, actor=user, workspace=redemption.program.workspace,
          note=redemption.status_note)
    if status == Status.REJECTED:  # the advocate's own cancellation needs no email
        send_redemption_update_email(redemption)
    return redemption


# --- what people see ---------------------------------------------------------------------

def redemptions_for_advocate(advocate):
    """The advocate's own redemptions and their account's rewards (R4: members see them)."""
    visible = Q(advocate=advocate)
    if advocate.account_id:
        visible |= Q(account_id=advocate.account_id)
    return (Redemption.objects.filter(visible, program_id=advocate.program_id)
            .select_related("item", "advocate", "account").order_by("-created_at", "-pk"))
