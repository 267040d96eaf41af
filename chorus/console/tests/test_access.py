"""Scoped access: outsiders see nothing, teammates only look, anonymous users log in first."""

import pytest
from django.urls import reverse

from chorus.core.models import AuditEvent
from chorus.programs.models import ApiKey, Program
from chorus.rewards.models import RewardRule
from chorus.testing import factories


@pytest.fixture
def key(program):
    key, _raw = factories.make_api_key(program)
    return key


def page_urls(program, rule, key):
    slug = program.slug
    return [
        reverse("console:program", args=[slug]),
        reverse("console:settings", args=[slug]),
        reverse("console:rules", args=[slug]),
        reverse("console:rule_edit", args=[slug, rule.pk]),
        reverse("console:advocates", args=[slug]),
        reverse("console:funnel", args=[slug]),
        reverse("console:reviews", args=[slug]),
        reverse("console:api_keys", args=[slug]),
        reverse("console:api_key_revoke", args=[slug, key.pk]),
    ]


def write_requests(program, rule, key):
    slug = program.slug
    return [
        (reverse("console:settings", args=[slug]), {"name": "Hijacked"}),
        (reverse("console:rules", args=[slug]), {"name": "Free money", "side": "advocate", "event": "signup",
                                                  "kind": "points", "amount": "99"}),
        (reverse("console:rule_edit", args=[slug, rule.pk]), {"name": "Changed"}),
        (reverse("console:rule_delete", args=[slug, rule.pk]), {}),
        (reverse("console:advocate_add", args=[slug]), {"email": "intruder@example.com"}),
        (reverse("console:review_decide", args=[slug, 1]), {"decision": "approve"}),
        (reverse("console:api_keys", args=[slug]), {"name": "stolen", "scopes": ["read"]}),
        (reverse("console:api_key_revoke", args=[slug, key.pk]), {}),
    ]


def test_anonymous_is_sent_to_login(client, program, rule, key):
    for url in [reverse("console:home"), *page_urls(program, rule, key)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("console:login") + "?next="), url


def test_outsider_gets_404_everywhere_and_sees_no_acme_program(client, outsider, program, rule, key):
    client.force_login(outsider)
    home = client.get(reverse("console:home"))
    assert home.status_code == 200
    assert [p.slug for p in home.context["programs"]] == ["other-program"]
    assert "Acme Customers" not in home.content.decode()
    for url in page_urls(program, rule, key):
        assert client.get(url).status_code == 404, url
    for url, data in write_requests(program, rule, key):
        assert client.post(url, data).status_code == 404, url
    assert_nothing_changed(program, rule, key)


def test_teammate_can_look_but_not_change(client, teammate, program, rule, key):
    client.force_login(teammate)
    for url in page_urls(program, rule, key)[1:-1]:  # the revoke confirmation is a write step
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["can_edit"] is False
    assert client.get(page_urls(program, rule, key)[-1]).status_code == 404
    for url, data in write_requests(program, rule, key):
        assert client.post(url, data).status_code == 404, url
    assert_nothing_changed(program, rule, key)
    home = client.get(reverse("console:home"))
    assert [p.slug for p in home.context["programs"]] == ["acme"]
    assert home.context["form"] is None  # teammates cannot create programs


def test_teammate_sees_no_write_forms(client, teammate, program, rule, key):
    client.force_login(teammate)
    rules_page = client.get(reverse("console:rules", args=[program.slug])).content.decode()
    assert "Add a rule" not in rules_page
    keys_page = client.get(reverse("console:api_keys", args=[program.slug])).content.decode()
    assert "Create a key" not in keys_page and "Revoke" not in keys_page


def assert_nothing_changed(program, rule, key):
    program.refresh_from_db()
    assert program.name == "Acme Customers"
    assert list(RewardRule.objects.values_list("name", flat=True)) == ["500 points per customer"]
    assert not program.advocates.filter(email="intruder@example.com").exists()
    assert list(ApiKey.objects.filter(program=program).values_list("name", "revoked_at")) == [(key.name, None)]
    assert AuditEvent.objects.count() == 0
    assert Program.objects.filter(workspace=program.workspace).count() == 1


def test_login_and_logout(client, owner, program):
    login = client.get(reverse("console:login"))
    assert login.status_code == 200 and b'name="password"' in login.content
    bad = client.post(reverse("console:login"), {"username": "owner", "password": "wrong"})
    assert bad.status_code == 200 and bad.context["form"].errors
    good = client.post(reverse("console:login"), {"username": "owner", "password": "correct-horse-battery"})
    assert good.status_code == 302 and good["Location"] == reverse("console:home")
    assert client.get(reverse("console:home")).status_code == 200
    out = client.post(reverse("console:logout"))
    assert out.status_code == 302 and out["Location"] == reverse("console:login")
    assert client.get(reverse("console:home")).status_code == 302


def test_login_attempts_are_rate_limited(client, owner):
    from django.core.cache import cache

    cache.clear()
    for _attempt in range(10):
        client.post(reverse("console:login"), {"username": "owner", "password": "wrong"})
    response = client.post(reverse("console:login"), {"username": "owner", "password": "correct-horse-battery"})
    assert response.status_code == 429 and response["Retry-After"]
    assert "_auth_user_id" not in client.session
    cache.clear()
