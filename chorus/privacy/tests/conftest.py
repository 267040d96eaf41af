"""A program where Jane (jane@example.com) left a trace in every registered model, beside
Omar (another advocate) and Jane's referred friend, whose data must never leak into hers."""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chorus.advocates.models import Advocate, Customer
from chorus.advocates.services import issue_login_token
from chorus.analytics.services import funnel
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import reject_completion, submit_completion
from chorus.campaigns.services.events import record_event
from chorus.referrals.services import clicks
from chorus.referrals.services.attribution import record_friend_claim
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import catalog
from chorus.rewards.models import LedgerEntry
from chorus.rewards.redemptions import redeem
from chorus.rewards.services import post_entry, release_due_rewards
from chorus.rewards.wall import feature_advocate
from chorus.testing import factories
from chorus.testing.api_client import ApiClient


@pytest.fixture(autouse=True)
def _fresh_state(settings, tmp_path, monkeypatch):
    """Uploads go to a scratch folder; clicks are flushed by the test; no cached links."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CHORUS_CLICK_FLUSH_SECONDS = 3600
    monkeypatch.setattr(clicks.recorder, "_start_flusher", lambda: None)
    clicks.forget_cached_links()
    yield
    clicks.recorder.flush()
    clicks.forget_cached_links()


def image_upload(name="review.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class Story:
    program: object
    jane: Advocate
    omar: Advocate
    jane_customer: Customer
    friend: Customer
    review: object  # Jane's completion with an uploaded screenshot
    survey: object  # Jane's rejected survey completion
    idempotency_key: str


def funnel_numbers(program):
    today = timezone.now().date()
    result = funnel(program, today - timedelta(days=400), today + timedelta(days=1))
    return result.totals


def ledger_sums(program):
    return sorted(LedgerEntry.objects.filter(program=program).values_list("advocate_id", "customer_id", "unit", "amount"))


@pytest.fixture
def story(program, advocate, owner, client) -> Story:
    factories.make_standard_rules(program)
    omar = factories.make_advocate(program, email="omar@example.com", name="Omar Haddad")
    outcome = clicks.handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120",
                                  referrer="https://social.example.net/jane-doe/posts/1")
    clicks.handle_click(omar.link.code, ip="203.0.113.10", user_agent="Mozilla/5.0 Firefox/120", referrer="https://omar.example.net/")
    clicks.flush_clicks()
    record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend", email="friend@example.org",
                                               name="Fiona Friend", click_id=outcome.token))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend", amount=12_000,
                                               currency="USD", order_id="o-1", metadata={"buyer": "friend@example.org"}))
    release_due_rewards(timezone.now() + timedelta(days=31))
    record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_jane", email="Jane@Example.com",
                                               name="Jane Doe", metadata={"crm_note": "Jane Doe is a VIP"}))
    post_entry(program=program, advocate=advocate, unit=LedgerEntry.Unit.POINTS, amount=1000,
               reason=LedgerEntry.Reason.ADJUSTMENT, note="welcome bonus")
    post_entry(program=program, advocate=omar, unit=LedgerEntry.Unit.POINTS, amount=700,
               reason=LedgerEntry.Reason.ADJUSTMENT, note="welcome bonus")
    item = catalog.create_item(program, kind="stuff", title="Hoodie", cost_points=300, fulfilment="shipping")
    redeem(advocate, item, shipping={"name": "Jane Doe", "address": "1 Main Street", "city": "Berlin",
                                     "postal_code": "10115", "country": "DE"})
    review_ask = save_ask(program, {"type": "review", "title": "Review us", "points": 400, "moderation": "review",
                                    "config": {"site_name": "G2", "site_url": "https://www.g2.com/products/acme"}})
    review = submit_completion(review_ask, advocate, {"disclosure_acknowledged": "on"}, upload=image_upload()).completion
    feedback_ask = save_ask(program, {"type": "feedback", "title": "How are we doing?", "points": 50, "moderation": "review"})
    survey = submit_completion(feedback_ask, advocate, {"score": "9", "text": "Jane here, love it"}).completion
    reject_completion(survey.pk, reason="Jane Doe answered twice", user=owner)
    submit_completion(feedback_ask, omar, {"score": "7", "text": "Omar's comment"})
    feature_advocate(advocate, quote="Chorus made referring fun", user=owner)
    issue_login_token(advocate)
    record_friend_claim(program, friend_email="jane@example.com", advocate_hint="omar@example.com")
    record_event(advocate, "milestone.reached", {"milestone": "first-100-orders", "city": "Berlin"}, event_id="ev-1")
    key, raw = factories.make_api_key(program)
    ApiClient(client, raw).post("/advocates", {"email": "jane@example.com", "name": "Jane Doe"}, idempotency_key="enrol-jane")
    advocate.refresh_from_db()
    return Story(program=program, jane=advocate, omar=omar,
                 jane_customer=Customer.objects.get(program=program, external_id="cus_jane"),
                 friend=Customer.objects.get(program=program, external_id="cus_friend"),
                 review=review, survey=survey, idempotency_key="enrol-jane")


__all__ = ["Story", "date", "funnel_numbers", "image_upload", "ledger_sums"]
