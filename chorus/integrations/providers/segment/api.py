"""POST /api/v1/integrations/segment: Segment-spec identify and track calls, one or a batch."""

import base64
import binascii

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Field

from chorus.core.api_auth import ApiKeyAuth
from chorus.core.api_errors import ErrorOut, Unauthorized
from chorus.core.errors import InvalidInput

from ...webhooks_in.models import InboundEvent
from .events import receive_messages

router = Router(tags=["integrations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}

IDENTIFY_EXAMPLE = {"type": "identify", "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db", "userId": "97980cfea0067",
                    "traits": {"name": "Peter Gibbons", "email": "peter@example.com", "plan": "premium", "logins": 5},
                    "timestamp": "2015-02-23T22:28:55.111Z"}


class SegmentAuth(ApiKeyAuth):
    """The API key as a Bearer token, or as the username of HTTP Basic auth (what Segment's and
    RudderStack's webhook destinations send)."""

    def __call__(self, request):
        scheme, _space, credentials = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "basic":
            return super().__call__(request)
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(_("Send your API key as the Basic auth username (base64 of “chorus_…:”).")) from None
        username, _colon, password = decoded.partition(":")
        return self.authenticate(request, username.strip() or password.strip())  # some tools fill only the password


class SegmentIn(BaseModel):  # a plain pydantic model: ninja's Schema would drop the extra fields
    """A Segment call (`identify`, `track`, …) as the Segment spec describes it, or `{"batch": [calls]}`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [IDENTIFY_EXAMPLE]})

    type: str = Field("", description="identify | track (others are accepted and ignored)")
    messageId: str = Field("", description="Makes a call act once.")  # noqa: N815 — Segment's name


class CallOut(Schema):
    index: int
    messageId: str  # noqa: N815
    ok: bool
    duplicate: bool = Field(description="True when this messageId was received before.")
    status: str = Field(description="processed | ignored | failed")
    reason: str
    detail: str = Field(description="Why it was refused, when it was.")
    conversion_id: int | None


class SegmentOut(Schema):
    processed: int
    ignored: int
    failed: int
    results: list[CallOut]


def _call_out(index: int, outcome) -> CallOut:
    if isinstance(outcome, Exception):
        return CallOut(index=index, messageId="", ok=False, duplicate=False, status=InboundEvent.Status.FAILED,
                       reason=InboundEvent.Reason.INVALID, detail=str(outcome.message), conversion_id=None)
    event, duplicate = outcome
    return CallOut(index=index, messageId=event.external_id, ok=event.status != InboundEvent.Status.FAILED,
                   duplicate=duplicate, status=event.status, reason=event.reason, detail=event.detail,
                   conversion_id=event.conversion_id)


@router.post("/integrations/segment", auth=SegmentAuth(), response={200: SegmentOut, **ERRORS},
             summary="Receive Segment identify and track calls")
def segment_calls(request, payload: SegmentIn):
    """For a Segment or RudderStack webhook destination (API key with the `write` scope, as Bearer
    or as the Basic auth username). 200 with one result per call (a batch: check each `ok`);
    a single call that is refused answers 422 with the reason. Every call is logged on the
    console's Integrations page."""
    body = payload.model_dump()
    results = [_call_out(index, outcome) for index, outcome in enumerate(receive_messages(request.auth.program, body))]
    if "batch" not in body and not results[0].ok:  # a single call answers like POST /conversions would
        raise InvalidInput(results[0].detail or _("This call was refused."))
    return Status(200, SegmentOut(
        processed=sum(1 for item in results if item.status == InboundEvent.Status.PROCESSED),
        ignored=sum(1 for item in results if item.status == InboundEvent.Status.IGNORED),
        failed=sum(1 for item in results if not item.ok), results=results,
    ))
