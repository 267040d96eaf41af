"""Catalog API: catalog items (list, read, create, update) and redemptions (list, read,
redeem, approve, fulfil, reject, cancel). Conventions as in `chorus/advocates/api.py`."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.advocates.api import ERRORS, get_advocate_for_program
from chorus.core.errors import InvalidInput, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from . import catalog, redemptions
from .catalog_schemas import (
    CatalogItemIn,
    CatalogItemOut,
    CatalogItemPageOut,
    CatalogItemPatch,
    CodesIn,
    CodesOut,
    NoteIn,
    RedemptionIn,
    RedemptionOut,
    RedemptionPageOut,
)
from .models import CatalogItem, Level, Redemption

router = Router(tags=["catalog"])
WRITE_ERRORS = {**ERRORS, 409: ERRORS[404]}


def get_item_for_program(program, item_id: int) -> CatalogItem:
    item = CatalogItem.objects.select_related("program").filter(program=program, pk=item_id).first()
    if item is None:
        raise NotFound(_("No catalog item with this id in this program."))
    return item


def get_redemption_for_program(program, redemption_id: int) -> Redemption:
    redemption = Redemption.objects.select_related("item").filter(program=program, pk=redemption_id).first()
    if redemption is None:
        raise NotFound(_("No redemption with this id in this program."))
    return redemption


NULLABLE = {"stock", "per_advocate_limit", "min_level_id", "subscription_months"}


def _item_fields(program, payload) -> dict:
    """The fields sent, with `min_level_id` resolved within the program; null only where it means something."""
    fields = payload.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in fields.items() if value is None and name not in NULLABLE)
    if nulls:
        raise InvalidInput(_("These fields may not be null: %(names)s.") % {"names": ", ".join(nulls)},
                           field_errors={name: [_("May not be null.")] for name in nulls})
    if "min_level_id" in fields:
        level_id = fields.pop("min_level_id")
        fields["min_level"] = None if level_id is None else Level.objects.filter(program=program, pk=level_id).first()
        if level_id is not None and fields["min_level"] is None:
            raise InvalidInput(_("No level with this id in this program."), field_errors={"min_level_id": [_("Unknown level.")]})
    return fields


@router.get("/catalog-items", response={200: CatalogItemPageOut, **ERRORS}, summary="Catalog items")
def list_items(request, active: bool | None = None, cursor: str | None = CURSOR, limit: int = LIMIT,
               updated_since: datetime | None = UPDATED_SINCE):
    """The program's rewards catalog, newest first; `?active=true` for what the store shows."""
    items = CatalogItem.objects.filter(program=request.auth.program)
    if active is not None:
        items = items.filter(is_active=active)
    return paginate(items, cursor, limit, updated_since).as_dict()


@router.get("/catalog-items/{int:item_id}", response={200: CatalogItemOut, **ERRORS}, summary="A catalog item")
def get_item(request, item_id: int):
    """The catalog item with its price in points, stock and limits."""
    return get_item_for_program(request.auth.program, item_id)


@router.post("/catalog-items", response={201: CatalogItemOut, **WRITE_ERRORS}, summary="Add a catalog item")
@idempotent
def create_item(request, payload: CatalogItemIn):
    """Add an item. `warnings` says when a cash-like item is offered in a B2B program."""
    program = request.auth.program
    return Status(201, CatalogItemOut.from_orm(catalog.create_item(program, **_item_fields(program, payload))))


@router.patch("/catalog-items/{int:item_id}", response={200: CatalogItemOut, **WRITE_ERRORS}, summary="Change a catalog item")
def update_item(request, item_id: int, payload: CatalogItemPatch):
    """Change the fields sent; e.g. `{"is_active": false}` takes an item out of the store."""
    item = get_item_for_program(request.auth.program, item_id)
    return catalog.update_item(item, **_item_fields(request.auth.program, payload))


@router.delete("/catalog-items/{int:item_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a catalog item")
def delete_item(request, item_id: int):
    """Only an item nobody redeemed (409 otherwise: set `is_active` to false instead)."""
    catalog.delete_item(get_item_for_program(request.auth.program, item_id))
    return Status(204, None)


@router.post("/catalog-items/{int:item_id}/codes", response={200: CodesOut, **WRITE_ERRORS},
             summary="Add codes to an item's pool")
@idempotent
def add_codes(request, item_id: int, payload: CodesIn):
    """For `code_pool` items: all codes are added or, if one is malformed, none; codes already
    in the pool or repeated are skipped and listed. Each code is given out once."""
    item = get_item_for_program(request.auth.program, item_id)
    result = catalog.add_codes(item, payload.codes)
    unused, _used = catalog.pool_counts(item)
    return Status(200, CodesOut(added=result.added, duplicates_in_request=result.duplicates_in_file,
                                already_in_pool=result.already_in_pool, unused_codes=unused))


@router.get("/redemptions", response={200: RedemptionPageOut, **ERRORS}, summary="Redemptions")
def list_redemptions(request, status: str | None = Query(None, pattern="^(requested|approved|fulfilled|rejected|cancelled)$"),
                     advocate_id: int | None = None, item_id: int | None = None,
                     cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Redemptions newest first, optionally of one status, advocate or item."""
    found = Redemption.objects.filter(program=request.auth.program).select_related("item")
    if status:
        found = found.filter(status=status)
    if advocate_id is not None:
        found = found.filter(advocate_id=advocate_id)
    if item_id is not None:
        found = found.filter(item_id=item_id)
    return paginate(found, cursor, limit, updated_since).as_dict()


@router.get("/redemptions/{int:redemption_id}", response={200: RedemptionOut, **ERRORS}, summary="A redemption")
def get_redemption(request, redemption_id: int):
    """The redemption with its status, item, points spent and fulfilment note."""
    return get_redemption_for_program(request.auth.program, redemption_id)


@router.post("/redemptions", response={201: RedemptionOut, **WRITE_ERRORS}, summary="Redeem an item for an advocate")
@idempotent
def create_redemption(request, payload: RedemptionIn):
    """Spend the advocate's points on an item. Code items come back `fulfilled` with the
    `code`; others are `requested` and wait in the fulfilment queue. 409 with `error`
    insufficient_points | out_of_stock | limit_reached | level_too_low | inactive | no_account.
    Send an `Idempotency-Key` so a retry does not redeem twice."""
    program = request.auth.program
    advocate = get_advocate_for_program(program, payload.advocate_id)
    item = get_item_for_program(program, payload.item_id)
    shipping = payload.shipping.model_dump() if payload.shipping else None
    redemption, _created = redemptions.redeem(advocate, item, shipping=shipping, cause=payload.cause)
    return Status(201, RedemptionOut.from_orm(redemption))


def _act(request, redemption_id: int, action):
    redemption = get_redemption_for_program(request.auth.program, redemption_id)
    return action(redemption.pk)


@router.post("/redemptions/{int:redemption_id}/approve", response={200: RedemptionOut, **WRITE_ERRORS},
             summary="Approve a redemption")
def approve_redemption(request, redemption_id: int):
    """Approve a requested redemption so it waits for fulfilment (409 when it was decided already)."""
    return _act(request, redemption_id, lambda pk: redemptions.approve(pk))


@router.post("/redemptions/{int:redemption_id}/fulfil", response={200: RedemptionOut, **WRITE_ERRORS},
             summary="Mark a redemption fulfilled")
def fulfil_redemption(request, redemption_id: int, payload: NoteIn):
    """Send `{}` or a `note` the advocate sees (e.g. a tracking number)."""
    return _act(request, redemption_id, lambda pk: redemptions.fulfil(pk, note=payload.note))


@router.post("/redemptions/{int:redemption_id}/reject", response={200: RedemptionOut, **WRITE_ERRORS},
             summary="Reject a redemption (points returned)")
def reject_redemption(request, redemption_id: int, payload: NoteIn):
    """Needs a `note`: the reason the advocate sees. The points go back once."""
    return _act(request, redemption_id, lambda pk: redemptions.reject(pk, reason=payload.note))


@router.post("/redemptions/{int:redemption_id}/cancel", response={200: RedemptionOut, **WRITE_ERRORS},
             summary="Cancel a redemption (points returned)")
def cancel_redemption(request, redemption_id: int, payload: NoteIn):
    """Send `{}` or a `note` the advocate sees."""
    return _act(request, redemption_id, lambda pk: redemptions.cancel(pk, reason=payload.note))
