"""Read-side helpers: who can be invited, and invitations by stage."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate, Customer

from .models import Invitation

STAGES = [("sent", _("Sent")), ("clicked", _("Clicked")), ("joined", _("Joined")), ("not_sent", _("Not sent"))]


def customers_with_state(program):
    """The program's customers, each annotated: already an advocate? already invited?"""
    advocates = Advocate.objects.filter(program=program, email_normalized=OuterRef("email_normalized"))
    invited = Invitation.objects.filter(program=program, email_normalized=OuterRef("email_normalized"))
    return Customer.objects.filter(program=program).annotate(is_advocate=Exists(advocates), is_invited=Exists(invited))


def candidates(program, query: str = ""):
    """Customers who can be invited: with an address, not an advocate, not invited yet."""
    queryset = customers_with_state(program).exclude(email_normalized="").filter(is_advocate=False, is_invited=False)
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(email__icontains=query)
                                   | Q(external_id__icontains=query))
    return queryset.order_by("name", "email", "pk")


def selected_customers(program, ids: list[int]):
    return customers_with_state(program).filter(pk__in=ids).order_by("name", "email", "pk")


def parse_ids(raw: str, limit: int = 500) -> list[int]:
    """"3,5, 8" → [3, 5, 8]; anything that is not a positive id is left out."""
    ids = []
    for part in (raw or "").replace(" ", ",").split(","):
        if part.isdigit() and 0 < int(part) < 2**63:
            ids.append(int(part))
    return sorted(set(ids))[:limit]


def by_stage(queryset, stage: str):
    if stage == "joined":
        return queryset.filter(joined_at__isnull=False)
    if stage == "clicked":
        return queryset.filter(clicked_at__isnull=False, joined_at__isnull=True)
    if stage == "sent":
        return queryset.filter(status=Invitation.Status.SENT, clicked_at__isnull=True, joined_at__isnull=True)
    if stage == "not_sent":
        return queryset.exclude(status=Invitation.Status.SENT)
    return queryset


def with_email_status(queryset):
    """Each invitation with its email's delivery status (queued, sending, sent, failed…)."""
    from chorus.notifications.models import OutboundEmail

    status = OutboundEmail.objects.filter(pk=OuterRef("outbound_email_id")).values("status")[:1]
    return queryset.annotate(email_status=Subquery(status))
