"""Demo data for the content vault and exclusive access: a few items whose shares have
clicks (and the signups and purchases that followed them), an upcoming customer dinner with
invitations and answers, a past meetup with check-ins credited, and a club with members.

Everything goes through the services (items validated, codes generated, RSVPs under the
capacity lock, check-ins credited through the ledger); only the click history is re-used:
a share of the seeded clicks is attributed to the items, as if they had come through them."""

import io
import random
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.advocates.models import Advocate
from chorus.campaigns import content, events
from chorus.campaigns.models import ContentItem, Event
from chorus.referrals.models import Click

ITEMS = [
    {"kind": "article", "title": "How Acme Analytics reads its own numbers", "path": "shop/?utm_content=numbers-guide",
     "titles": {"ar": "كيف تقرأ Acme Analytics أرقامها", "de": "Wie Acme Analytics die eigenen Zahlen liest",
                "ja": "Acme Analytics は自社の数字をどう読むか", "pl": "Jak Acme Analytics czyta własne liczby"},
     "description": "Our data team's guide to dashboards people actually read.",
     "share_text": "The best guide to useful dashboards I have read this year"},
    {"kind": "video", "title": "Acme in 90 seconds", "path": "shop/?utm_content=video-90s",
     "titles": {"ar": "Acme في 90 ثانية", "de": "Acme in 90 Sekunden", "ja": "90秒でわかる Acme", "pl": "Acme w 90 sekund"},
     "description": "A short tour of the product.", "share_text": "90 seconds that explain what Acme does"},
    {"kind": "link", "title": "State of product analytics 2026", "path": "shop/?utm_content=report-2026",
     "titles": {"de": "Produktanalyse 2026: der Bericht", "ja": "プロダクト分析レポート 2026"},
     "description": "The yearly report, free to download.", "share_text": "Free report: the state of product analytics"},
]
SHARE_OF_CLICKS = {0: 0.06, 1: 0.04, 2: 0.02}  # of the program's clicks, per item


def _banner() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 630), "#1d4ed8")
    draw = ImageDraw.Draw(image)
    for step in range(0, 1200, 60):
        draw.rectangle([step, 630 - step // 3, step + 40, 630], fill="#60a5fa")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("banner.png", buffer.getvalue(), content_type="image/png")


def seed_content(program, owner, base_url: str, rng: random.Random) -> list[ContentItem]:
    items = [content.create_content(program, user=owner, order=index, destination_url=f"{base_url}/demo/{spec['path']}",
                                    **{key: value for key, value in spec.items() if key != "path"})
             for index, spec in enumerate(ITEMS)]
    items.append(content.create_content(
        program, user=owner, kind="image", title="Our 2026 customer banner", order=len(items), image=_banner(),
        titles={"de": "Unser Kundenbanner 2026", "ja": "2026年カスタマーバナー"},
        share_text="Proud to be an Acme Analytics customer"))
    click_ids = list(Click.objects.filter(program=program).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(click_ids)
    start = 0
    for index, share in SHARE_OF_CLICKS.items():
        count = int(len(click_ids) * share)
        Click.objects.filter(pk__in=click_ids[start : start + count]).update(content=items[index])
        start += count
    return items


def seed_events(program, owner, star: Advocate, rng: random.Random, now: datetime) -> list[Event]:
    cast = list(Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE).exclude(pk=star.pk).order_by("pk"))
    dinner = events.create_event(
        program, user=owner, title="Customer dinner in Berlin", starts_at=now + timedelta(days=12, hours=3),
        ends_at=now + timedelta(days=12, hours=6), location="Acme office, Torstraße 1, Berlin", capacity=12, points=300,
        titles={"de": "Kundenabend in Berlin", "ar": "عشاء العملاء في برلين", "ja": "ベルリンでのカスタマーディナー",
                "pl": "Kolacja dla klientów w Berlinie"},
        description="Dinner with the product team and a preview of next year's roadmap.")
    meetup = events.create_event(
        program, user=owner, title="Dashboards meetup", starts_at=now + timedelta(days=1), points=200,
        online_url="https://meet.example.com/acme-dashboards",
        titles={"de": "Dashboard-Meetup", "ja": "ダッシュボード・ミートアップ"},
        description="An evening of short talks by customers.")
    club = events.create_event(
        program, user=owner, kind="club", title="Power users club", points=100,
        titles={"de": "Power-User-Club", "ja": "パワーユーザークラブ", "ar": "نادي المستخدمين المتقدمين", "pl": "Klub power userów"},
        description="Early betas, office hours with engineers, and a private channel.")
    guests = [star, *rng.sample(cast, 29)]
    events.invite(dinner, guests, user=owner, notify=False)
    for advocate in guests[:10]:
        events.rsvp(advocate, True, event=dinner)
    for advocate in guests[10:16]:
        events.rsvp(advocate, False, event=dinner)
    attendees = [star, *rng.sample(cast, 24)]
    events.invite(meetup, attendees, user=owner, notify=False)
    for advocate in attendees[:18]:
        events.rsvp(advocate, True, event=meetup)
    Event.objects.filter(pk=meetup.pk).update(starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=20, hours=-3))
    meetup.refresh_from_db()
    checked_in = list(meetup.invitations.select_related("advocate").order_by("pk")[:15])
    for invitation in checked_in:
        events.check_in(meetup, invitation.code, user=owner)
    # at the door, when the meetup took place (the ledger entries keep the seeding time)
    meetup.invitations.filter(pk__in=[i.pk for i in checked_in]).update(checked_in_at=meetup.starts_at + timedelta(minutes=20))
    members = [star, *rng.sample(cast, 15)]
    events.invite(club, members, user=owner, notify=False)
    for advocate in members[:9]:
        events.rsvp(advocate, True, event=club)
    return [dinner, meetup, club]


def seed_community(program, owner, star: Advocate, *, base_url: str, rng: random.Random, now: datetime) -> None:
    """The content vault and events of the demo's customer program (called once by seed_demo)."""
    seed_content(program, owner, base_url, rng)
    seed_events(program, owner, star, rng, now)


def point_content_at(program, base_url: str) -> None:
    """Keep the items' destinations on this run's demo site (the port may change between runs)."""
    for item in ContentItem.objects.filter(program=program).exclude(destination_url=""):
        path = item.destination_url.split("/demo/", 1)[-1]
        ContentItem.objects.filter(pk=item.pk).update(destination_url=f"{base_url}/demo/{path}")
