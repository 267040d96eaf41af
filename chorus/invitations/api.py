"""Invitations API: invite customers by email, list invitations, list channels with targets."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.advocates.models import Customer
from chorus.core.api_errors import ErrorOut
from chorus.core.emails import normalize_email
from chorus.core.errors import InvalidInput
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from . import channels as channel_services
from . import queries
from .models import Channel, Invitation
from .schemas import ChannelOut, JoinInvitationPageOut, JoinInvitationsIn, JoinInvitationsOut
from .services import invite_customers

router = Router(tags=["invitations"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
STAGE = Query("", pattern=r"^(|sent|clicked|joined|not_sent)$", description="sent | clicked | joined | not_sent")


def _customers(program, refs) -> list[Customer]:
    """Every referenced customer, or a 422 naming the ones not found (nothing is invited)."""
    found, errors = [], {}
    for index, ref in enumerate(refs):
        customer = None
        if ref.external_id:
            customer = Customer.objects.filter(program=program, external_id=ref.external_id).first()
        elif ref.email:
            customer = (Customer.objects.filter(program=program, email_normalized=normalize_email(ref.email))
                        .order_by("pk").first())
        if customer is None:
            errors[f"customers[{index}]"] = [_("No customer with this external_id or email in this program.")
                                             if ref.external_id or ref.email else _("Give an external_id or an email.")]
        else:
            found.append(customer)
    if errors:
        raise InvalidInput(_("Some customers were not found; nobody was invited."), field_errors=errors)
    return found


def _channel(program, slug: str) -> Channel | None:
    if not slug:
        return None
    channel = Channel.objects.filter(program=program, slug=slug, is_active=True).first()
    if channel is None:
        raise InvalidInput(_("No active channel with this slug."), field_errors={"channel": [_("Unknown channel.")]})
    return channel


def _skipped(customers, reason: str) -> list[dict]:
    return [{"customer_id": c.pk, "external_id": c.external_id, "email": c.email, "reason": reason} for c in customers]


@router.post("/invitations", response={200: JoinInvitationsOut, 201: JoinInvitationsOut, **ERRORS},
             summary="Invite customers to join")
@idempotent
def create_invitations(request, payload: JoinInvitationsIn):
    """Email each customer an invitation to join the program (one click to their hub). Customers
    who are advocates already, were invited before or have no address are skipped with a reason;
    a suppressed address is recorded as not sent. 201 when at least one email went out."""
    program = request.auth.program
    channel = _channel(program, payload.channel)
    result = invite_customers(program, _customers(program, payload.customers), channel=channel)
    body = JoinInvitationsOut(
        invited=result.invited, not_sent=result.suppressed,
        skipped=[*_skipped(result.already_advocates, "already_advocate"),
                 *_skipped(result.already_invited, "already_invited"), *_skipped(result.without_email, "no_email")],
    )
    return Status(201 if result.invited else 200, body)


@router.get("/invitations", response={200: JoinInvitationPageOut, **ERRORS}, summary="Invitations")
def list_invitations(request, stage: str = STAGE, channel: str = Query("", max_length=60),
                     cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Invitations, newest first, with their stage (sent → clicked → joined)."""
    queryset = queries.by_stage(Invitation.objects.filter(program=request.auth.program).select_related("channel"), stage)
    if channel:
        queryset = queryset.filter(channel__slug=channel)
    return paginate(queryset, cursor, limit, updated_since).as_dict()


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, summary="Channels")
def list_channels(request):
    """Every channel with its invite link, its target and this period's progress, and its funnel."""
    program = request.auth.program
    funnels = {row.channel.pk: row for row in channel_services.channel_funnels(program) if row.channel}
    out = []
    for channel in Channel.objects.filter(program=program):
        channel.program = program
        [progress] = channel_services.channel_progress(channel)
        funnel = funnels[channel.pk]
        out.append({
            "id": channel.pk, "name": channel.name, "slug": channel.slug, "url": channel_services.channel_url(channel),
            "is_active": channel.is_active, "target_joined": channel.target_joined,
            "target_period": channel.target_period, "created_at": channel.created_at,
            "progress": {"period": progress.period.kind, "label": str(progress.period.label),
                         "start": progress.period.start, "end": progress.period.end, "target": progress.target,
                         "joined": progress.joined, "percent": progress.percent},
            "funnel": {"invited": funnel.invited, "clicked": funnel.clicked,
                       "joined_from_invitations": funnel.joined_from_invitations, "link_visits": funnel.link_visits,
                       "link_signups": funnel.link_signups, "joined_from_link": funnel.joined_from_link},
        })
    return out
