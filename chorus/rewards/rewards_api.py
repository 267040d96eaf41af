"""Rewards API: the program's rewards (for sync and fulfilment) and the review of flagged referrals."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router

from chorus.advocates.api import ERRORS
from chorus.core.errors import NotFound
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate
from chorus.referrals.models import Referral

from .models import Reward
from .rewards_schemas import ReviewIn, ReviewOut, RewardPageOut
from .services import review_referral

router = Router(tags=["rewards"])
STATUS = Query(None, pattern="^(pending|approved|issued|denied|clawed_back)$",
               description="pending | approved | issued | denied | clawed_back")


@router.get("/rewards", response={200: RewardPageOut, **ERRORS}, summary="The program's rewards")
def list_rewards(request, status: str | None = STATUS, advocate_id: int | None = None,
                 cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Every reward of the program, newest first; filter by `status` or `advocate_id`. Sync
    issued rewards into your billing with `status=issued&updated_since=…`."""
    rewards = Reward.objects.filter(program=request.auth.program).select_related("rule")
    if status:
        rewards = rewards.filter(status=status)
    if advocate_id is not None:
        rewards = rewards.filter(advocate_id=advocate_id)
    return paginate(rewards, cursor, limit, updated_since).as_dict()


@router.post("/referrals/{int:referral_id}/review", response={200: ReviewOut, 409: ERRORS[404], **ERRORS},
             summary="Approve or deny a flagged referral's rewards")
def review(request, referral_id: int, payload: ReviewIn):
    """A referral flagged for review (e.g. a suspected self-referral) holds its rewards as
    `pending` with `status_reason: awaiting_review`. Approving releases them (once their hold
    has passed); denying denies them. Audited; a referral reviewed already is a 409."""
    program = request.auth.program
    if not Referral.objects.filter(program=program, pk=referral_id).exists():
        raise NotFound(_("No referral with this id in this program."))
    referral = review_referral(referral_id, approve=payload.approve, user=None, note=payload.note,
                               workspace=program.workspace)
    return {"referral_id": referral.pk, "review": referral.review, "note": referral.review_note,
            "reviewed_at": referral.reviewed_at}
