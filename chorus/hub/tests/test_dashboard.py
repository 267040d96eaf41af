import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from chorus.advocates.services import issue_login_token
from chorus.referrals.models import Click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import services as rewards
from chorus.rewards.models import Reward
from chorus.testing import factories


@pytest.fixture
def hub(visitor, program, advocate):
    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return visitor


def _click(client, advocate, ip: str) -> str:
    response = client.get(f"/r/{advocate.link.code}", REMOTE_ADDR=ip)
    return parse_qs(urlsplit(response["Location"]).query)["chorus_click"][0]


def _stat(html: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]*)<', html).group(1)


def test_hub_shows_the_link_promo_code_and_share_buttons(hub, program, advocate):
    html = hub.get(f"/hub/{program.slug}/").content.decode()
    link_url = f"http://127.0.0.1:8000/r/{advocate.link.code}"

    assert "Hi Jane!" in html
    assert f'value="{link_url}"' in html
    assert f'value="{advocate.link.promo_code}"' in html
    assert f'src="/hub/{program.slug}/qr.svg?v={advocate.link.code}"' in html
    hrefs = dict(re.findall(r'class="button secondary share-(\w+)" href="([^"]+)"', html))
    assert set(hrefs) == {"email", "sms", "whatsapp", "x", "linkedin", "facebook"}
    assert hrefs["email"].startswith("mailto:?subject=")
    assert hrefs["sms"].startswith("sms:?&amp;body=")
    assert hrefs["whatsapp"].startswith("https://wa.me/?text=")
    assert hrefs["x"].startswith("https://x.com/intent/tweet?")
    assert hrefs["linkedin"].startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert hrefs["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
    for href in hrefs.values():
        assert link_url in unquote(href.replace("&amp;", "&"))
    assert "Join me on Acme Customers: 20% off your first order" in unquote(hrefs["whatsapp"])
    assert 'data-copy="#share-link"' in html


def test_stats_are_counted_from_real_clicks_and_conversions(hub, client, program, advocate):
    factories.make_standard_rules(program)
    first = _click(client, advocate, "198.51.100.1")
    _click(client, advocate, "198.51.100.1")  # same visitor again: not unique
    _click(client, advocate, "198.51.100.2")
    client.get(f"/r/{advocate.link.code}", HTTP_USER_AGENT="Googlebot/2.1")  # bots don't count
    record_conversion(program, ConversionInput(type="signup", email="friend@example.org", customer_external_id="f1", click_id=first))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=12_345, order_id="o-1"))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=5_000, order_id="o-2"))
    record_conversion(program, ConversionInput(type="refund", order_id="o-2"))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="stranger", amount=99_900, order_id="o-3"))
    assert Click.objects.count() == 4

    html = hub.get(f"/hub/{program.slug}/").content.decode()

    assert _stat(html, "clicks") == "3"
    assert _stat(html, "unique_clicks") == "2"
    assert _stat(html, "signups") == "1"
    assert _stat(html, "purchases") == "2"
    assert _stat(html, "referred_revenue") == "123.45 USD"


def test_rewards_and_ledger_with_running_balances(hub, program, advocate):
    factories.make_standard_rules(program)
    record_conversion(program, ConversionInput(type="signup", email="friend@example.org", customer_external_id="f1",
                                               promo_code=advocate.link.promo_code))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=20_000, order_id="o-1"))
    html = hub.get(f"/hub/{program.slug}/").content.decode()
    hold_until = Reward.objects.filter(advocate=advocate).values_list("hold_until", flat=True)[0]
    assert html.count('class="reward status-pending"') == 2
    assert html.count(f"Available on {date_filter(hold_until, 'DATE_FORMAT')}") == 2
    assert "500 points" in html and "20.00 USD" in html

    rewards.release_due_rewards(timezone.now() + timedelta(days=31))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=10_000, order_id="o-2"))
    rewards.release_due_rewards(timezone.now() + timedelta(days=31))
    record_conversion(program, ConversionInput(type="refund", order_id="o-2"))

    html = hub.get(f"/hub/{program.slug}/").content.decode()

    assert html.count('class="reward status-issued"') == 2
    assert html.count('class="reward status-clawed_back"') == 1
    assert "Order o-2 was refunded" in html
    assert re.search(r'data-balance="points">500 points<', html)
    assert re.search(r'data-balance="credit">20\.00 USD<', html)
    ledger = re.findall(r'<tr class="entry reason-(\w+)">.*?data-points-balance="(-?\d+)".*?data-credit-balance="(-?\d+)"', html, re.S)
    # Newest first: the clawback of o-2's 10%, o-2's reward, then o-1's two rewards (issued
    # in the same sweep, in either order), each row with both balances right after it.
    assert ledger[:3] == [("clawback", "500", "2000"), ("reward", "500", "3000"), ("reward", "500", "2000")]
    assert ledger[3] in {("reward", "0", "2000"), ("reward", "500", "0")}
    assert len(ledger) == 4


def test_denied_reward_shows_its_reason(hub, program, advocate):
    factories.make_standard_rules(program)
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=20_000, order_id="o-1",
                                               promo_code=advocate.link.promo_code))
    record_conversion(program, ConversionInput(type="refund", order_id="o-1"))

    html = hub.get(f"/hub/{program.slug}/").content.decode()

    assert html.count('class="reward status-denied"') == 2
    assert html.count("Order o-1 was refunded") == 2


def test_qr_codes_are_valid_svg_and_png(hub, program, advocate):
    svg = hub.get(f"/hub/{program.slug}/qr.svg")
    png = hub.get(f"/hub/{program.slug}/qr.png?download=1")

    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg") and svg.content.rstrip().endswith(b"</svg>")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png["Content-Disposition"] == f'attachment; filename="{program.slug}-qr.png"'


def test_qr_code_encodes_the_vanity_link_once_set(hub, program, advocate):
    before = hub.get(f"/hub/{program.slug}/qr.svg").content
    hub.post(f"/hub/{program.slug}/vanity/", {"vanity_code": "jane"})

    assert hub.get(f"/hub/{program.slug}/qr.svg").content != before


def test_vanity_code_over_htmx(hub, program, advocate):
    response = hub.post(f"/hub/{program.slug}/vanity/", {"vanity_code": "Jane-Doe"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.templates[0].name == "hub/_link_card.html"
    html = response.content.decode()
    assert f'value="http://127.0.0.1:8000/r/{program.slug}/jane-doe"' in html
    assert "Saved." in html
    advocate.link.refresh_from_db()
    assert advocate.link.vanity_code == "jane-doe"


@pytest.mark.parametrize(("value", "message"), [
    ("admin", "“admin” is reserved; choose another."),
    ("a", "Use 3–32 letters, digits or dashes, starting and ending with a letter or digit."),
    ("taken", "That code is already taken in this program."),
])
def test_vanity_code_errors_are_shown(hub, program, advocate, value, message):
    other = factories.make_advocate(program, email="other@example.com", name="Other Person")
    other.link.vanity_code = "taken"
    other.link.save(update_fields=["vanity_code"])

    response = hub.post(f"/hub/{program.slug}/vanity/", {"vanity_code": value}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert message in response.content.decode()
    advocate.link.refresh_from_db()
    assert advocate.link.vanity_code == ""


def test_vanity_code_without_htmx(hub, program, advocate):
    ok = hub.post(f"/hub/{program.slug}/vanity/", {"vanity_code": "jane"})
    bad = hub.post(f"/hub/{program.slug}/vanity/", {"vanity_code": "api"})

    assert ok.status_code == 302 and ok["Location"] == f"/hub/{program.slug}/"
    assert bad.status_code == 422 and "is reserved" in bad.content.decode()
    advocate.link.refresh_from_db()
    assert advocate.link.vanity_code == "jane"
