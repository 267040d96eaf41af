"""The funnel page: default range, a chosen range, bad dates as form errors."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from chorus.referrals.services.clicks import forget_cached_links, handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion


def test_default_range_is_the_last_30_days(owner_client, program, advocate):
    forget_cached_links()
    outcome = handle_click(advocate.link.code, ip="198.51.100.7", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120", referrer="")
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f1", click_id=outcome.token))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=123456, order_id="o1"))
    response = owner_client.get(reverse("console:funnel", args=[program.slug]))
    assert response.status_code == 200
    funnel = response.context["funnel"]
    today = timezone.localdate()
    assert (funnel.start_date, funnel.end_date, len(funnel.days)) == (today - timedelta(days=29), today, 30)
    assert (funnel.totals.clicks, funnel.totals.signups, funnel.totals.purchases, funnel.totals.revenue) == (1, 1, 1, 123456)
    page = response.content.decode()
    assert "1,234.56 USD" in page and "100.0 %" in page


def test_chosen_range(owner_client, program):
    response = owner_client.get(reverse("console:funnel", args=[program.slug]), {"start": "2026-01-01", "end": "2026-01-07"})
    assert response.status_code == 200
    assert [row.day.isoformat() for row in response.context["funnel"].days][::6] == ["2026-01-01", "2026-01-07"]


def test_program_root_is_the_dashboard(owner_client, program):
    response = owner_client.get(reverse("console:program", args=[program.slug]))
    assert response.status_code == 200 and response.context["tab"] == "dashboard"


def test_bad_dates_are_form_errors(owner_client, program):
    url = reverse("console:funnel", args=[program.slug])
    cases = [
        ({"start": "yesterday"}, "start", "Enter a valid date."),
        ({"start": "2026-02-30"}, "start", "Enter a valid date."),
        ({"end": "2026-13-01"}, "end", "Enter a valid date."),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "__all__", "The start date must be on or before the end date."),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "__all__", "Choose at most 366 days."),
    ]
    for params, field, message in cases:
        response = owner_client.get(url, params)
        assert response.status_code == 400, params
        assert response.context["form"].errors[field] == [message], params
        assert response.context["funnel"] is None
        assert message in response.content.decode()
