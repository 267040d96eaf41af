"""Email API: templates (list, get, send a test), the suppression list, bounce and complaint
reports (API key, or the signed webhook for mail providers)."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Status

from chorus.advocates.api import ERRORS
from chorus.core.errors import NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from . import bounces, consent
from .marketing import send_test_email
from .models import EmailTemplate, Suppression
from .schemas import (
    EmailEventIn,
    EmailEventOut,
    OutboundEmailOut,
    SendTestIn,
    SuppressionIn,
    SuppressionOut,
    SuppressionPageOut,
    TemplateOut,
    TemplatePageOut,
)
from .templates import PLACEHOLDERS

router = Router(tags=["email"])


def _template(program, key: str) -> EmailTemplate:
    template = EmailTemplate.objects.filter(program=program, key=key).first()
    if template is None:
        raise NotFound(_("There is no email template “%(key)s” in this program.") % {"key": key})
    return template


def _summary(template: EmailTemplate) -> dict:
    return {"id": template.pk, "key": template.key, "name": template.name, "category": template.category,
            "languages": template.languages(), "updated_at": template.updated_at}


@router.get("/email-templates", response={200: TemplatePageOut, **ERRORS}, summary="Email templates")
def list_templates(request):
    """The program's email templates with their key, category and languages."""
    return {"items": [_summary(t) for t in EmailTemplate.objects.filter(program=request.auth.program).order_by("key")]}


@router.get("/email-templates/{key}", response={200: TemplateOut, **ERRORS}, summary="An email template")
def get_template(request, key: str):
    """Subject, preheader, body and button label per language, and the placeholders allowed."""
    template = _template(request.auth.program, key)
    return {**_summary(template), "subjects": template.subjects, "preheaders": template.preheaders,
            "bodies": template.bodies, "cta_labels": template.cta_labels, "placeholders": sorted(PLACEHOLDERS)}


@router.post("/email-templates/{key}/send-test", response={202: OutboundEmailOut, **ERRORS},
             summary="Send a test email")
@idempotent
def send_test(request, key: str, payload: SendTestIn):
    """Queue the template to one address with sample values (suppression applies, the cap does not)."""
    email = send_test_email(request.auth.program, _template(request.auth.program, key), to_email=payload.to_email,
                            language=payload.language, context=payload.context)
    return Status(202, OutboundEmailOut.from_orm(email))


@router.get("/email-suppressions", response={200: SuppressionPageOut, **ERRORS}, summary="Suppression list")
def list_suppressions(request, cursor: str | None = CURSOR, limit: int = LIMIT,
                      updated_since: datetime | None = UPDATED_SINCE):
    """Addresses that receive no marketing email (bounces, complaints, added by you), newest first."""
    suppressions = Suppression.objects.filter(program=request.auth.program)
    return paginate(suppressions, cursor, limit, updated_since, "created_at").as_dict()


@router.post("/email-suppressions", response={201: SuppressionOut, 200: SuppressionOut, **ERRORS},
             summary="Suppress an address")
@idempotent
def add_suppression(request, payload: SuppressionIn):
    """Never email this address again (200 when it was already on the list)."""
    row, created = consent.suppress(request.auth.program, payload.email, reason=payload.reason,
                                    detail=payload.detail, source="api")
    return Status(201 if created else 200, SuppressionOut.from_orm(row))


@router.delete("/email-suppressions/{email}", response={204: None, **ERRORS}, summary="Remove a suppression")
def remove_suppression(request, email: str):
    """Let an address receive email again (404 when it is not suppressed)."""
    consent.unsuppress(request.auth.program, email)
    return Status(204, None)


@router.post("/email-events", response={200: EmailEventOut, **ERRORS}, summary="Report a bounce or complaint")
@idempotent
def email_event(request, payload: EmailEventIn):
    """A hard bounce or a spam complaint: the address is suppressed for this program."""
    row, created = bounces.record_email_event(request.auth.program, type=payload.type, email=payload.email,
                                              reason=payload.reason, source="api")
    return {"suppressed": True, "created": created, "email_normalized": row.email_normalized, "reason": row.reason}


@router.post("/email-events/webhook/{slug}", auth=None, response={200: dict, **ERRORS},
             summary="Bounce/complaint webhook (signed)")
def email_event_webhook(request, slug: str):
    """For mail providers: `Chorus-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`;
    the body is one event `{"type", "email", "reason"}` or a list. No API key needed."""
    rows = bounces.handle_webhook(slug, request.headers.get("Chorus-Signature", ""), request.body)
    return {"suppressed": len(rows), "created": sum(1 for _row, created in rows if created)}


