"""Webhook endpoints over the API (admin-scoped keys only): list, create, delete, and deliveries."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from chorus.core.api_errors import ErrorOut, Forbidden
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate
from chorus.programs.models import ApiKey

from . import services
from .models import Delivery, Endpoint
from .schemas import (
    DeliveryOut,
    DeliveryPageOut,
    EndpointCreatedOut,
    EndpointIn,
    EndpointOut,
    EndpointPageOut,
)

router = Router(tags=["webhooks"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _admin_program(request):
    if ApiKey.Scope.ADMIN not in request.auth.scopes:
        raise Forbidden(_("Managing webhooks needs an API key with the “admin” scope."))
    return request.auth.program


def _endpoint(request, endpoint_id: int) -> Endpoint:
    return get_object_or_404(Endpoint, program=_admin_program(request), pk=endpoint_id)


@router.get("/webhooks/endpoints", response={200: EndpointPageOut, **ERRORS}, summary="List webhook endpoints")
def list_endpoints(request, cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """The program's webhook endpoints (newest first), with their events and whether they are enabled.
    Needs an API key with the admin scope."""
    endpoints = Endpoint.objects.filter(program=_admin_program(request))
    return paginate(endpoints, cursor, limit, updated_since).as_dict()


@router.post("/webhooks/endpoints", response={201: EndpointCreatedOut, **ERRORS}, summary="Register a webhook endpoint")
def create_endpoint(request, payload: EndpointIn):
    """The response carries the signing secret; it is not shown again (rotate it in the console)."""
    endpoint, secret = services.create_endpoint(_admin_program(request), url=payload.url, event_types=payload.event_types,
                                                description=payload.description)
    return Status(201, {**EndpointOut.from_orm(endpoint).dict(), "secret": secret})


@router.delete("/webhooks/endpoints/{int:endpoint_id}", response={204: None, **ERRORS},
               summary="Delete a webhook endpoint")
def delete_endpoint(request, endpoint_id: int):
    """Stop sending to this endpoint and forget it with its delivery log. Needs the admin scope."""
    services.delete_endpoint(_endpoint(request, endpoint_id))
    return Status(204, None)


@router.get("/webhooks/endpoints/{int:endpoint_id}/deliveries", response={200: DeliveryPageOut, **ERRORS},
            summary="List an endpoint's deliveries")
def list_deliveries(request, endpoint_id: int, cursor: str | None = CURSOR, limit: int = LIMIT,
                    updated_since: datetime | None = UPDATED_SINCE):
    """Each message sent (or being retried) to this endpoint, newest first: status, attempts, last
    response code and the next attempt's time. Needs the admin scope."""
    endpoint = _endpoint(request, endpoint_id)
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("message")
    return paginate(deliveries, cursor, limit, updated_since).as_dict(_delivery_out)


def _delivery_out(delivery: Delivery) -> dict:
    return {**{field: getattr(delivery, field) for field in DeliveryOut.model_fields if hasattr(delivery, field)},
            "msg_id": delivery.message.msg_id, "event_type": delivery.message.event_type}
