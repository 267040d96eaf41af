"""Customers API: upsert one or up to 1,000 at once (the CSV import's rules), list and read."""

from datetime import datetime

import pydantic
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut, error_body, invalid_input
from chorus.core.errors import InvalidInput, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from .customer_schemas import (
    BulkItemOut,
    CustomerBulkIn,
    CustomerBulkOut,
    CustomerIn,
    CustomerOut,
    CustomerPageOut,
    CustomerUpsertOut,
)
from .customers import CREATED, UPDATED, RowInvalid, check_values, upsert_customers
from .models import Customer

router = Router(tags=["customers"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
          422: ErrorOut, 429: ErrorOut}
STATUS = {CREATED: 201, UPDATED: 200}


def _customers(program):
    return Customer.objects.filter(program=program).select_related("program", "account")


def _checked(item) -> object:
    """The item's checked values, or the InvalidInput that says what is wrong with it."""
    try:
        return check_values(CustomerIn.model_validate(item).values())
    except pydantic.ValidationError as error:
        return invalid_input(error.errors(include_url=False))
    except RowInvalid as error:
        return InvalidInput(_("The customer has invalid fields."), field_errors=error.errors)


@router.post("/customers", response={201: CustomerUpsertOut, 200: CustomerUpsertOut, **ERRORS},
             summary="Create or update a customer")
@idempotent
def upsert_customer_endpoint(request, payload: CustomerIn):
    """Create a customer, or update the one with the same `external_id` (else `email`): 201 when
    created, 200 when found (`outcome` says whether anything changed)."""
    try:
        checked = check_values(payload.values())
    except RowInvalid as error:
        raise InvalidInput(_("The customer has invalid fields."), field_errors=error.errors) from None
    outcome = upsert_customers(request.auth.program, [checked])[0]
    customer = _customers(request.auth.program).get(pk=outcome.customer.pk)
    customer.outcome = outcome.status
    return Status(STATUS.get(outcome.status, 200), CustomerUpsertOut.from_orm(customer))


@router.post("/customers/bulk", response={200: CustomerBulkOut, **ERRORS}, summary="Upsert up to 1,000 customers")
@idempotent
def bulk_upsert_customers(request, payload: CustomerBulkIn):
    """Upsert many customers as the CSV import does. Each item is validated on its own: bad items
    are refused (status 422 with field errors) and the good ones are written, in order, in one
    transaction. The answer is 200 with one result per item — check each item's `ok`."""
    checked = {index: _checked(item) for index, item in enumerate(payload.customers)}
    good = {index: values for index, values in checked.items() if not isinstance(values, InvalidInput)}
    outcomes = dict(zip(good, upsert_customers(request.auth.program, list(good.values())), strict=True))
    results = []
    for index, values in checked.items():
        if index in outcomes:
            outcome = outcomes[index]
            results.append(BulkItemOut(index=index, ok=True, status=STATUS.get(outcome.status, 200),
                                       outcome=outcome.status, id=outcome.customer.pk))
        else:
            results.append(BulkItemOut(index=index, ok=False, status=values.status_code, error=error_body(values)))
    counts = {status: sum(1 for item in results if item.outcome == status) for status in ("created", "updated", "unchanged")}
    return Status(200, CustomerBulkOut(**counts, failed=sum(1 for item in results if not item.ok), results=results))


@router.get("/customers", response={200: CustomerPageOut, **ERRORS}, summary="List customers")
def list_customers(request, email: str = Query("", max_length=254), external_id: str = Query("", max_length=100),
                   cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Customers, newest first; filter by `email` (any spelling of the address) or `external_id`."""
    from chorus.core.emails import normalize_email

    customers = _customers(request.auth.program)
    if email:
        customers = customers.filter(email_normalized=normalize_email(email))
    if external_id:
        customers = customers.filter(external_id=external_id)
    return paginate(customers, cursor, limit, updated_since).as_dict()


@router.get("/customers/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="A customer")
def get_customer(request, customer_id: int):
    """The customer with their attributes, account and health score with its factors."""
    customer = _customers(request.auth.program).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No customer with this id in this program."))
    return customer
