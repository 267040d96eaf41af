"""What email links do when followed: unsubscribe tokens and tracked clicks."""

from django.db.models import F
from django.utils import timezone

from chorus.programs.models import Program

from .models import OutboundEmail
from .tokens import parse_click_token, parse_unsubscribe_token


def program_and_address(token: str) -> tuple[Program, str] | None:
    """The program and normalised address an unsubscribe token stands for (None if forged)."""
    parsed = parse_unsubscribe_token(token)
    if parsed is None:
        return None
    program = Program.objects.filter(pk=parsed[0]).first()
    return (program, parsed[1]) if program is not None else None


def follow_click(token: str) -> str | None:
    """Record the click and return the URL recorded for that email's link, or None.

    Only URLs stored on the email when it was sent can come out, so the redirect cannot be
    pointed anywhere else. The first click's time is kept; every click is counted."""
    parsed = parse_click_token(token)
    if parsed is None:
        return None
    email_id, index = parsed
    email = OutboundEmail.objects.filter(pk=email_id).only("pk", "links").first()
    if email is None or index >= len(email.links or []):
        return None
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email_id).update(click_count=F("click_count") + 1)
    OutboundEmail.objects.filter(pk=email_id, first_clicked_at__isnull=True).update(first_clicked_at=now)
    return email.links[index]
