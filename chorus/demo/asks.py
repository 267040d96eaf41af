"""Demo asks: the starter asks plus a limited-time one and a milestone-triggered one, and a
mix of approved, pending and rejected completions for the demo's advocates — made through
the real services (points credited through the ledger), then backdated over the history."""

import io
import random
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Ask, Completion
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import (
    approve_completion,
    reject_completion,
    submit_completion,
)
from chorus.campaigns.services.events import record_event
from chorus.campaigns.starter import t
from chorus.core.errors import ChorusError

RANDOM_SEED = 3
ACTIVE_ADVOCATES = 40
FEEDBACK = ["The hub is easy to use.", "More rewards in Europe, please.", "Emails come a bit too often.",
            "Love the swag!", "Leaderboard keeps me going.", "Would like more webinars."]
REJECTIONS = ["The post is not public, so we could not see it.", "The link does not lead to your post.",
              "This comment was removed by the blog's moderators."]


def _screenshot(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 270), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 60), fill=(255, 182, 0))
    draw.text((30, 80), text, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("review.png", buffer.getvalue(), content_type="image/png")


def _extra_asks(program, now: datetime) -> tuple[Ask, Ask]:
    launch = save_ask(program, {
        "type": "social_share", "points": 150, "moderation": "review", "ends_at": now + timedelta(days=2, hours=3),
        "title": "Share our v5 launch", "titles": t("Share our v5 launch", "شارك إطلاق الإصدار 5",
                                                    "Teilen Sie unseren v5-Launch", "v5ローンチをシェアする",
                                                    "Udostępnij premierę v5"),
        "body": "<p>Double points this week only.</p>",
        "bodies": {"en": "<p>Double points this week only.</p>", "ar": "<p>نقاط مضاعفة هذا الأسبوع فقط.</p>",
                   "de": "<p>Nur diese Woche doppelte Punkte.</p>", "ja": "<p>今週限定でポイント2倍。</p>",
                   "pl": "<p>Podwójne punkty tylko w tym tygodniu.</p>"}})
    milestone = save_ask(program, {
        "type": "ugc", "points": 500, "moderation": "review", "trigger_event": "milestone.reached",
        "trigger_properties": {"milestone": "first-100-orders"}, "trigger_window_days": 14,
        "title": "100 orders! Tell us how you got there",
        "titles": t("100 orders! Tell us how you got there", "100 طلب! أخبرنا كيف وصلت إلى ذلك",
                    "100 Bestellungen! Erzählen Sie uns, wie Sie das geschafft haben",
                    "100件の注文！達成までの道のりを教えてください", "100 zamówień! Opowiedz, jak to osiągnąłeś")})
    return launch, milestone


def _complete(ask: Ask, advocate: Advocate, fields: dict, **extra):
    try:
        return submit_completion(ask, advocate, fields, **extra).completion
    except ChorusError:
        return None


def _fields(ask: Ask, rng: random.Random, advocate: Advocate) -> dict:
    handle = advocate.email.split("@")[0]
    if ask.type == "survey":
        return {"role": rng.choice(["marketing", "sales", "product", "other"]),
                "uses": rng.sample(["reports", "alerts", "sharing"], rng.randint(1, 3)), "nps": str(rng.randint(5, 10))}
    if ask.type == "quiz":
        return {"answer": "hub" if rng.random() < 0.8 else "invoice"}
    if ask.type == "feedback":
        return {"score": str(rng.randint(4, 10)), "text": rng.choice(FEEDBACK)}
    if ask.type == "beta":
        return {"motivation": "I would love to try the new dashboards early.", "platform": rng.choice(["macOS", "Windows"])}
    if ask.type == "ugc":
        return {"text": "We cut our weekly reporting from four hours to thirty minutes."}
    if ask.type == "review":
        return {"url": f"https://www.g2.com/products/acme-analytics/reviews/{handle}", "disclosure_acknowledged": "on"}
    return {"url": f"https://www.linkedin.com/posts/{handle}-{rng.randint(1000, 9999)}"}


def _decide(completion, owner, rng: random.Random) -> None:
    if completion is None or completion.status != Completion.Status.PENDING:
        return
    roll = rng.random()
    if roll < 0.6:
        approve_completion(completion.pk, user=owner)
    elif roll < 0.75:
        reject_completion(completion.pk, reason=rng.choice(REJECTIONS), user=owner)


def _star(program, star: Advocate, owner) -> None:
    asks = {ask.type: ask for ask in program.asks.filter(status=Ask.Status.PUBLISHED, trigger_event="")}
    _complete(asks["survey"], star, {"role": "marketing", "uses": ["reports", "sharing"], "nps": "10"})
    _complete(asks["quiz"], star, {"answer": "hub"})
    _complete(asks["feedback"], star, {"score": "9", "text": "The hub makes sharing effortless."})
    _complete(asks["review"], star, {"disclosure_acknowledged": "on"}, upload=_screenshot("Acme Analytics ***** by Maya"))
    share = _complete(asks["social_share"], star, {"url": "https://www.linkedin.com/posts/mayachen-42"})
    if share is not None:
        reject_completion(share.pk, reason=REJECTIONS[0], user=owner)
    follow = _complete(asks["social_follow"], star, {"url": "https://www.linkedin.com/in/mayachen"})
    if follow is not None and follow.status == Completion.Status.PENDING:
        approve_completion(follow.pk, user=owner)
    record_event(star, "milestone.reached", {"milestone": "first-100-orders"}, event_id="demo-maya-100-orders")


def _backdate(program, rng: random.Random, now: datetime, history_days: int) -> None:
    """Spread the completions over the history (the star's stay recent)."""
    for completion in Completion.objects.filter(ask__program=program).select_related("advocate"):
        days = rng.uniform(0.2, 3) if completion.status == Completion.Status.PENDING else rng.uniform(1, history_days)
        created = now - timedelta(days=days)
        updates = {"created_at": created}
        if completion.decided_at:
            updates["decided_at"] = min(now, created + timedelta(hours=rng.uniform(0, 30)))
        Completion.objects.filter(pk=completion.pk).update(**updates)


def seed_asks(program, owner, star: Advocate, now: datetime, history_days: int = 90) -> None:
    """Asks and completions for the demo program (called once from the demo seed)."""
    rng = random.Random(RANDOM_SEED)
    _extra_asks(program, now)
    _star(program, star, owner)
    asks = list(program.asks.filter(status=Ask.Status.PUBLISHED, trigger_event="")
                .exclude(type__in=["news", "refer_friend"]).order_by("pk"))
    advocates = list(Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE)
                     .exclude(pk=star.pk).order_by("pk")[:ACTIVE_ADVOCATES])
    for advocate in advocates:
        for ask in rng.sample(asks, rng.randint(1, 4)):
            _decide(_complete(ask, advocate, _fields(ask, rng, advocate)), owner, rng)
    _backdate(program, rng, now, history_days)
