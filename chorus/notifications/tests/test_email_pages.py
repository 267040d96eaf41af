"""Console email pages (editor with preview, validation, campaigns, automations, suppression)
and the hub's preference centres."""

import re

import pytest

from chorus.notifications.models import (
    Automation,
    Campaign,
    Consent,
    EmailTemplate,
    Recipient,
    Suppression,
)
from chorus.notifications.tokens import unsubscribe_token
from chorus.testing import factories


@pytest.fixture
def marketer(client, owner):
    client.force_login(owner)
    return client


def _texts(**overrides):
    data = {"name": "Spring news", "key": "spring", "category": "marketing", "subject_en": "Hello {{ name }}",
            "preheader_en": "", "body_en": "Hi {{ first_name }},\n\n**Big** news.", "cta_en": "Read more",
            "subject_ar": "مرحبًا {{ name }}", "body_ar": "أهلًا {{ first_name }}", "cta_ar": "اقرأ المزيد"}
    data.update(overrides)
    return data


def test_editor_preview_is_live_and_localised(marketer, program):
    url = f"/console/programs/{program.slug}/emails/templates/new/"
    assert marketer.get(url).status_code == 200
    response = marketer.post(url, {**_texts(), "preview": "1", "preview_language": "ar"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<div id="email-preview"')
    assert "مرحبًا Jane Doe" in page
    assert 'dir=&quot;rtl&quot;' in page  # the full HTML sits escaped in the iframe's srcdoc
    assert EmailTemplate.objects.filter(key="spring").count() == 0


def test_unknown_placeholders_and_tags_are_refused_with_clear_errors(marketer, program):
    url = f"/console/programs/{program.slug}/emails/templates/new/"
    response = marketer.post(url, _texts(subject_en="Hi {{ nmae }}", body_en="{% load static %}Hi {{ name|upper }}"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Unknown placeholder {{ nmae }}. Use one of:" in page
    assert "Template tags are not allowed; write placeholders like {{ name }}." in page
    assert "is not a placeholder: write a plain name such as {{ name }}, without filters or dots." in page
    assert EmailTemplate.objects.filter(key="spring").count() == 0


def test_saving_a_template(marketer, program):
    response = marketer.post(f"/console/programs/{program.slug}/emails/templates/new/", _texts())
    template = EmailTemplate.objects.get(program=program, key="spring")
    assert response.status_code == 302
    assert template.subjects == {"en": "Hello {{ name }}", "ar": "مرحبًا {{ name }}"}
    assert template.languages() == ["ar", "en"]
    page = marketer.get(response["Location"]).content.decode()
    assert "Hello Jane Doe" in page  # the stored template's preview


def test_teammate_cannot_change_email_settings(client, teammate, program):
    client.force_login(teammate)
    response = client.post(f"/console/programs/{program.slug}/emails/suppressions/",
                           {"email": "x@example.com", "reason": "manual"})
    assert response.status_code in (403, 404)
    assert Suppression.objects.count() == 0


def test_outsider_sees_nothing(client, outsider, program):
    client.force_login(outsider)
    assert client.get(f"/console/programs/{program.slug}/emails/").status_code == 404


def test_console_pages_for_campaigns_automations_suppressions(marketer, program):
    base = f"/console/programs/{program.slug}/emails/"
    assert marketer.get(base).status_code == 200
    template = EmailTemplate.objects.get(program=program, key="news")
    response = marketer.post(base + "campaigns/", {"name": "March", "template": template.pk, "subject_a": "A {{ program }}",
                                                   "subject_b": "B {{ first_name }}", "test_share_percent": 20,
                                                   "wait_hours": 4})
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.subject_variants == [{"en": "A {{ program }}"}, {"en": "B {{ first_name }}"}]
    assert "Send the test" in marketer.get(base + f"campaigns/{campaign.pk}/").content.decode()
    refused = marketer.post(base + f"campaigns/{campaign.pk}/decide/", follow=True)
    assert "This campaign is not waiting for a decision." in refused.content.decode()
    assert Campaign.objects.get().status == "draft"
    response = marketer.post(base + "automations/", {"trigger": "promoter", "template": template.pk,
                                                     "hours_before": 48, "is_active": "on"})
    assert response.status_code == 302
    assert Automation.objects.get().trigger == "promoter"
    bad = marketer.post(base + "suppressions/", {"email": "not-an-address", "reason": "manual"})
    assert bad.status_code == 422
    marketer.post(base + "suppressions/", {"email": "Gone@Example.com", "reason": "manual"})
    row = Suppression.objects.get()
    assert (row.email_normalized, row.source) == ("gone@example.com", "console")
    marketer.post(base + f"suppressions/{row.pk}/remove/")
    assert Suppression.objects.count() == 0
    response = marketer.post(base, {"frequency_cap": 0, "frequency_window_days": 7})
    assert response.status_code == 422


def _login_advocate(client, advocate):
    from chorus.advocates.services import issue_login_token

    raw = issue_login_token(advocate)
    client.get(f"/hub/{advocate.program.slug}/login/{raw}/")
    client.post(f"/hub/{advocate.program.slug}/login/{raw}/")


def test_hub_preference_centre(client, program, advocate):
    _login_advocate(client, advocate)
    url = f"/hub/{program.slug}/emails/"
    page = client.get(url)
    assert page.status_code == 200
    assert len(re.findall(r'type="checkbox"[^>]*checked', page.content.decode())) == 5
    response = client.post(url, {"marketing": "on", "asks": "on", "nps": "on", "invitation": "on"})
    assert response.status_code == 302
    assert Recipient.objects.get().opted_out == ["rewards"]
    assert [(c.category, c.granted, c.source) for c in Consent.objects.all()] == [("rewards", False, "hub")]


def test_public_preference_centre_for_non_advocates(client, program):
    token = unsubscribe_token(program.pk, "friend@example.org")
    url = f"/u/{token}/preferences/"
    assert "friend@example.org" in client.get(url).content.decode()
    client.post(url, {"marketing": "on"})
    assert sorted(Recipient.objects.get().opted_out) == ["asks", "invitation", "nps", "rewards"]
    assert set(Consent.objects.values_list("source", flat=True)) == {"preference_centre"}
    assert client.get("/u/forged:token/preferences/").status_code == 404


def test_click_redirect_only_to_recorded_urls(client, program, smtp_server, django_capture_on_commit_callbacks):
    from chorus.notifications.marketing import send_marketing_email
    from chorus.notifications.models import OutboundEmail
    from chorus.notifications.tokens import click_token

    with django_capture_on_commit_callbacks(execute=True):
        email = send_marketing_email(program, to_email="jane@example.com", template_key="news",
                                     context={"link": "https://shop.example.com/news"})
    response = client.get(f"/e/c/{click_token(email.pk, 0)}")
    assert (response.status_code, response["Location"]) == (302, "https://shop.example.com/news")
    client.get(f"/e/c/{click_token(email.pk, 0)}")
    email.refresh_from_db()
    assert email.click_count == 2 and email.first_clicked_at is not None
    assert client.get(f"/e/c/{click_token(email.pk, 1)}").status_code == 404  # no second link
    token = click_token(email.pk, 0)
    assert client.get(f"/e/c/{token[:-2]}xx").status_code == 404  # forged
    assert client.get(f"/e/c/{click_token(999999, 0)}").status_code == 404
    assert OutboundEmail.objects.get().click_count == 2


def test_advocate_preferences_link_on_profile(client, program, advocate):
    _login_advocate(client, advocate)
    assert f"/hub/{program.slug}/emails/" in client.get(f"/hub/{program.slug}/profile/").content.decode()


def test_html_email_escapes_names(program, smtp_server, django_capture_on_commit_callbacks):
    from chorus.notifications.marketing import send_marketing_email

    factories.make_advocate(program, email="x@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        send_marketing_email(program, to_email="x@example.com", name="<script>alert(1)</script> Eve",
                             template_key="promoter_thanks", context={})
    html = smtp_server.wait_for(1)[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
