"""Webhook endpoints over the API (admin-scoped keys only): list, create, delete, and deliveries."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut, Forbidden
from chorus.programs.models import ApiKey

from . import services
from .models import Delivery, Endpoint
from .schemas import DeliveryOut, EndpointCreatedOut, EndpointIn, EndpointOut

router = Router(tags=["webhooks"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
LIMIT = Query(50, ge=1, le=200, description="Deliveries to return, newest first (1–200).")


def _admin_program(request):
    if ApiKey.Scope.ADMIN not in request.auth.scopes:
        raise Forbidden(_("Managing webhooks needs an API key with the “admin” scope."))
    return request.auth.program


def _endpoint(request, endpoint_id: int) -> Endpoint:
    return get_object_or_404(Endpoint, program=_admin_program(request), pk=endpoint_id)


@router.get("/webhooks/endpoints", response={200: list[EndpointOut], **ERRORS}, summary="List webhook endpoints")
def list_endpoints(request):
    return list(Endpoint.objects.filter(program=_admin_program(request)))


@router.post("/webhooks/endpoints", response={201: EndpointCreatedOut, **ERRORS}, summary="Register a webhook endpoint")
def create_endpoint(request, payload: EndpointIn):
    """The response carries the signing secret; it is not shown again (rotate it in the console)."""
    endpoint, secret = services.create_endpoint(_admin_program(request), url=payload.url, event_types=payload.event_types,
                                                description=payload.description)
    return Status(201, {**EndpointOut.from_orm(endpoint).dict(), "secret": secret})


@router.delete("/webhooks/endpoints/{int:endpoint_id}", response={204: None, **ERRORS},
               summary="Delete a webhook endpoint")
def delete_endpoint(request, endpoint_id: int):
    services.delete_endpoint(_endpoint(request, endpoint_id))
    return Status(204, None)


@router.get("/webhooks/endpoints/{int:endpoint_id}/deliveries", response={200: list[DeliveryOut], **ERRORS},
            summary="List an endpoint's deliveries")
def list_deliveries(request, endpoint_id: int, limit: int = LIMIT):
    endpoint = _endpoint(request, endpoint_id)
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("message")[:limit]
    return [{**{field: getattr(delivery, field) for field in DeliveryOut.model_fields if hasattr(delivery, field)},
             "msg_id": delivery.message.msg_id, "event_type": delivery.message.event_type} for delivery in deliveries]
