"""Incoming webhook endpoints (outside /api/v1: the sender signs the request, no API key)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chorus.core.api_errors import error_response
from chorus.core.errors import ChorusError

from ..providers.stripe.services import receive_stripe_event


@csrf_exempt
def stripe_webhook(request, slug):
    """POST from Stripe: 200 once the event is recorded (or was before), 400 for a bad signature."""
    if request.method != "POST":
        response = error_response(ChorusError(_("Use one of these methods: %(methods)s.") % {"methods": "POST"},
                                              code="method_not_allowed"))
        response.status_code, response["Allow"] = 405, "POST"
        return response
    try:
        event, duplicate = receive_stripe_event(slug, request.body, request.headers.get("Stripe-Signature", ""))
    except ChorusError as error:
        return error_response(error)
    return JsonResponse({"received": True, "duplicate": duplicate, "status": event.status, "reason": event.reason})
