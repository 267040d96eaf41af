"""Refer-a-friend asks complete themselves: a real, attributed, server-reported conversion of
a friend the advocate referred completes each live refer-a-friend ask once per friend.

Called from conversion ingest (`ConversionBatch.flush`), so the common case must be
cheap: no query for conversions without a referral, one when the program has no live
refer-a-friend ask."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from chorus.core.errors import ChorusError

from ..models import Ask
from .completions import submit_completion


def live_referral_asks(program, now) -> list[Ask]:
    return list(Ask.objects.filter(program=program, type=Ask.Type.REFER_FRIEND, status=Ask.Status.PUBLISHED)
                .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now), Q(ends_at__isnull=True) | Q(ends_at__gt=now))
                .order_by("pk"))


def complete_referral_asks(program, conversions) -> int:
    """Complete the live refer-a-friend asks for these just-written conversions; returns how many.

    Only server-trust signups and purchases with a referral count; a flagged referral's
    completion waits for review. An ask the advocate cannot complete (not in its audience,
    at its limit) is skipped; the conversion itself is never affected."""
    conversions = [c for c in conversions if c.referral_id and c.trust == "server" and c.type in ("signup", "purchase")]
    if not conversions:
        return 0
    now = timezone.now()
    asks = live_referral_asks(program, now)
    if not asks:
        return 0
    done = 0
    for conversion in conversions:
        referral = conversion.referral
        for ask in asks:
            if ask.config.get("conversion", "any") not in ("any", conversion.type):
                continue
            data = {"conversion_id": conversion.pk, "conversion_type": conversion.type, "referral_id": referral.pk}
            try:
                with transaction.atomic():
                    submit_completion(ask, referral.advocate, data=data, source_key=f"referral:{referral.pk}",
                                      force_review=not referral.rewardable, now=now)
                done += 1
            except (ChorusError, IntegrityError):
                continue
    return done
