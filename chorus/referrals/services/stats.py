"""An advocate's referral numbers, as the hub and the API show them."""

from dataclasses import asdict, dataclass

from django.db.models import Count, Q, Sum

from ..models import Click, Conversion, Referral


@dataclass(frozen=True)
class AdvocateStats:
    clicks: int  # human clicks (bots left out)
    unique_clicks: int  # first click of a visitor on the link within an hour
    signups: int
    purchases: int
    referred_revenue: int  # purchases minus refunds, minor units of `currency`
    currency: str

    def as_dict(self) -> dict:
        return asdict(self)


def advocate_stats(advocate) -> AdvocateStats:
    """Counted from the click and conversion rows; referrals denied after review don't count."""
    clicks = Click.objects.filter(link__advocate_id=advocate.pk, is_bot=False).aggregate(
        total=Count("pk"), unique=Count("pk", filter=Q(is_unique=True)))
    conversions = (
        Conversion.objects.filter(referral__advocate_id=advocate.pk)
        .exclude(referral__review=Referral.Review.DENIED)
        .aggregate(
            signups=Count("pk", filter=Q(type=Conversion.Type.SIGNUP)),
            purchases=Count("pk", filter=Q(type=Conversion.Type.PURCHASE)),
            revenue=Sum("amount", filter=Q(type=Conversion.Type.PURCHASE)),
            refunded=Sum("amount", filter=Q(type=Conversion.Type.REFUND)),
        )
    )
    return AdvocateStats(
        clicks=clicks["total"], unique_clicks=clicks["unique"],
        signups=conversions["signups"], purchases=conversions["purchases"],
        referred_revenue=(conversions["revenue"] or 0) - (conversions["refunded"] or 0),
        currency=advocate.program.currency,
    )
