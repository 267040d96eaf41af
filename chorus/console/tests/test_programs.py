"""Program setup: the programs list, a new program, the settings form and its validation."""

from django.urls import reverse
from django.utils.html import escape

from chorus.core.models import AuditEvent
from chorus.programs.models import Program
from chorus.referrals.services.conversions import ConversionInput, record_conversion


def settings_data(program, **changes):
    data = {
        "name": program.name, "slug": program.slug, "kind": program.kind, "is_active": "on",
        "landing_title": "", "landing_body": "", "friend_offer": program.friend_offer, "advocate_offer": "",
        "allowed_destinations": "\n".join(program.allowed_destinations),
        "default_destination": program.default_destination, "attribution_window_days": "30",
        "attribution_model": "last_touch", "hold_days": "30", "currency": "USD",
        "credit_model": "last_touch", "credit_half_life_days": "7",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_home_lists_programs_and_offers_a_new_one(owner_client, program):
    response = owner_client.get(reverse("console:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Customers" in page and reverse("console:program", args=["acme"]) in page
    assert 'action="/console/programs/new/"' in page


def test_new_program(owner_client, workspace):
    response = owner_client.post(reverse("console:new_program"), {
        "workspace": workspace.pk, "name": "Partner Circle", "slug": "", "kind": "partner",
        "default_destination": "https://partners.example.com/apply", "currency": "eur",
    })
    assert response.status_code == 302 and response["Location"] == reverse("console:settings", args=["partner-circle"])
    program = Program.objects.get(slug="partner-circle")
    assert (program.workspace, program.kind, program.currency) == (workspace, "partner", "EUR")
    assert program.allowed_destinations == ["https://partners.example.com/apply"]
    assert AuditEvent.objects.filter(action="program.created", target_id=str(program.pk)).count() == 1


def test_new_program_refuses_bad_input_and_other_workspaces(owner_client, workspace, outsider):
    other_workspace = outsider.memberships.get().workspace
    response = owner_client.post(reverse("console:new_program"), {
        "workspace": other_workspace.pk, "name": "Sneaky", "kind": "customer",
        "default_destination": "https://x.example.com/", "currency": "USD",
    })
    assert response.status_code == 422 and "workspace" in response.context["form"].errors
    response = owner_client.post(reverse("console:new_program"), {
        "workspace": workspace.pk, "name": "Bad", "kind": "customer",
        "default_destination": "javascript:alert(1)", "currency": "XXX",
    })
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"default_destination", "currency"}
    assert not Program.objects.filter(name__in=["Sneaky", "Bad"]).exists()


def test_settings_page_shows_every_field(owner_client, program):
    response = owner_client.get(reverse("console:settings", args=[program.slug]))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {
        "name", "slug", "kind", "is_active", "landing_title", "landing_body", "friend_offer", "advocate_offer",
        "allowed_destinations", "default_destination", "show_friend_page", "attribution_window_days",
        "attribution_model", "hold_days", "currency", "credit_model", "credit_half_life_days",
    }
    assert "https://shop.example.com/" in response.content.decode()


def test_successful_edit(owner_client, owner, program):
    response = owner_client.post(reverse("console:settings", args=[program.slug]), settings_data(
        program, name="Acme Friends", kind="employee", landing_title="Share Acme", landing_body="Tell a friend.",
        friend_offer="A month free", advocate_offer="500 points",
        allowed_destinations="https://shop.example.com/\n  https://acme.example.com/signup \n\nhttps://shop.example.com/",
        default_destination="https://acme.example.com/signup?plan=pro", show_friend_page="on",
        attribution_window_days="60", attribution_model="first_touch", hold_days="14", currency="eur", is_active=None,
    ))
    assert response.status_code == 302 and response["Location"] == reverse("console:settings", args=[program.slug])
    program.refresh_from_db()
    assert (program.name, program.kind, program.landing_title, program.landing_body) == (
        "Acme Friends", "employee", "Share Acme", "Tell a friend.")
    assert (program.friend_offer, program.advocate_offer) == ("A month free", "500 points")
    assert program.allowed_destinations == ["https://shop.example.com/", "https://acme.example.com/signup"]
    assert program.default_destination == "https://acme.example.com/signup?plan=pro"
    assert program.show_friend_page is True and program.is_active is False
    assert (program.attribution_window_days, program.attribution_model, program.hold_days) == (60, "first_touch", 14)
    assert program.currency == "EUR"
    event = AuditEvent.objects.get(action="program.updated")
    assert event.actor == owner and "currency" in event.data["changed"] and "slug" not in event.data["changed"]


def test_slug_change(owner_client, program):
    response = owner_client.post(reverse("console:settings", args=[program.slug]), settings_data(program, slug="acme-friends"))
    assert response["Location"] == reverse("console:settings", args=["acme-friends"])
    assert Program.objects.filter(slug="acme-friends").exists()


def test_validation_errors(owner_client, program, outsider):
    url = reverse("console:settings", args=[program.slug])
    cases = [
        ({"allowed_destinations": "https://shop.example.com/\nftp://files.example.com/"}, "allowed_destinations",
         "“ftp://files.example.com/” is not a web address starting with http:// or https://."),
        ({"allowed_destinations": "not a url"}, "allowed_destinations",
         "“not a url” is not a web address starting with http:// or https://."),
        ({"default_destination": "https://evil.example.net/"}, "default_destination",
         "Add this address (or a prefix of it) to the allowed destinations first."),
        ({"default_destination": "https://shop.example.com.evil.net/"}, "default_destination",
         "Add this address (or a prefix of it) to the allowed destinations first."),
        ({"currency": "DOLLARS"}, "currency", "Use a three-letter ISO 4217 currency code such as USD, EUR or JPY."),
        ({"currency": "ABC"}, "currency", "Use a three-letter ISO 4217 currency code such as USD, EUR or JPY."),
        ({"slug": "other-program"}, "slug", "That slug is taken; choose another."),
        ({"slug": "admin"}, "slug", "“admin” is reserved; choose another."),
        ({"name": ""}, "name", "This field is required."),
        ({"attribution_window_days": "0"}, "attribution_window_days", "Ensure this value is greater than or equal to 1."),
    ]
    for changes, field, message in cases:
        response = owner_client.post(url, settings_data(program, **changes))
        assert response.status_code == 422, changes
        assert response.context["form"].errors[field] == [message], changes
        assert escape(message) in response.content.decode()
    program.refresh_from_db()
    assert (program.slug, program.currency, program.default_destination) == ("acme", "USD", "https://shop.example.com/")
    assert not AuditEvent.objects.exists()


def test_currency_is_fixed_once_purchases_exist(owner_client, program, advocate):
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="c1", amount=100, order_id="o1",
                                               promo_code=advocate.link.promo_code))
    response = owner_client.post(reverse("console:settings", args=[program.slug]), settings_data(program, currency="EUR"))
    assert response.status_code == 422
    assert response.context["form"].errors["currency"] == ["The currency cannot change once purchases or credit rewards are recorded."]
