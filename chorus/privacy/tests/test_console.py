import json
import re

import pytest

from chorus.advocates.models import Advocate
from chorus.core.models import AuditEvent
from chorus.privacy.models import Erasure
from chorus.testing import factories

PAGE = "/console/programs/acme/personal-data/"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_lookup_shows_what_is_held_and_links_download_and_erase(owner_client, story):
    response = owner_client.get(PAGE, {"email": "jane@example.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<th scope=\"row\">Advocate profile</th><td class=\"number\">1</td>" in page
    assert "<th scope=\"row\">Points and credit ledger</th><td class=\"number\">4</td>" in page
    assert f'href="{PAGE}export/?email=jane%40example.com&amp;everywhere="' in page
    assert f'href="{PAGE}erase/?email=jane%40example.com&amp;everywhere="' in page


def test_lookup_of_an_unknown_address_says_so(owner_client, story):
    response = owner_client.get(PAGE, {"email": "nobody@example.com"})
    assert response.status_code == 404
    assert "No advocate or customer has this address." in response.content.decode()


def test_download_is_a_json_attachment_and_audited(owner_client, story, owner):
    response = owner_client.get(f"{PAGE}export/", {"email": "jane@example.com"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-acme-')
    document = json.loads(response.content)
    assert document["sections"]["advocates"][0]["name"] == "Jane Doe"
    event = AuditEvent.objects.get(action="personal_data.exported")
    assert (event.actor, event.data["via"]) == (owner, "console")


def test_advocates_list_links_to_the_personal_data_page(owner_client, story):
    page = owner_client.get("/console/programs/acme/advocates/").content.decode()
    assert f'<a href="{PAGE}?email=jane%40example.com"' in page


def test_erase_needs_the_address_typed_and_then_erases(owner_client, story, owner, django_capture_on_commit_callbacks):
    confirm = owner_client.get(f"{PAGE}erase/", {"email": "jane@example.com"})
    assert confirm.status_code == 200
    assert "Type the email address to confirm" in confirm.content.decode()
    wrong = owner_client.post(f"{PAGE}erase/", {"email": "jane@example.com", "everywhere": "False",
                                                "confirmation": "omar@example.com"})
    assert wrong.status_code == 422
    assert "This is not the address of the person to erase." in wrong.content.decode()
    assert "from Acme Customers." in wrong.content.decode()  # still this program only
    assert Advocate.objects.get(pk=story.jane.pk).status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        done = owner_client.post(f"{PAGE}erase/", {"email": "jane@example.com", "confirmation": " Jane@Example.com "},
                                 follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    assert "The person was erased." in done.content.decode()
    assert Advocate.objects.get(pk=story.jane.pk).status == "disabled"
    assert Erasure.objects.get().erased_by == owner
    again = owner_client.post(f"{PAGE}erase/", {"email": "jane@example.com", "confirmation": "jane@example.com"},
                              follow=True)
    assert "This person had already been erased; nothing was left to remove." in again.content.decode()


def test_erase_across_the_workspace(owner_client, story, workspace, django_capture_on_commit_callbacks):
    second = factories.make_program(workspace, name="Partners", slug="partners")
    partner = factories.make_advocate(second, email="jane@example.com", name="Jane D.")
    lookup = owner_client.get(PAGE, {"email": "jane@example.com", "everywhere": "on"}).content.decode()
    assert 'data-program="acme"' in lookup and 'data-program="partners"' in lookup
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"{PAGE}erase/", {"email": "jane@example.com", "everywhere": "True",
                                            "confirmation": "jane@example.com"})
    assert Advocate.objects.filter(pk__in=[story.jane.pk, partner.pk], status="disabled").count() == 2


def test_teammates_and_outsiders_cannot_see_or_erase(client, story, teammate, outsider):
    for user in (teammate, outsider):
        client.force_login(user)
        assert client.get(PAGE, {"email": "jane@example.com"}).status_code == 404
        assert client.get(f"{PAGE}export/", {"email": "jane@example.com"}).status_code == 404
        response = client.post(f"{PAGE}erase/", {"email": "jane@example.com", "confirmation": "jane@example.com"})
        assert response.status_code == 404
    assert Advocate.objects.get(pk=story.jane.pk).status == "active"
    assert not AuditEvent.objects.filter(action__startswith="personal_data").exists()
    client.force_login(teammate)
    assert "personal-data" not in client.get("/console/programs/acme/advocates/").content.decode()


def test_confirmation_page_is_right_to_left_in_arabic(owner_client, story):
    response = owner_client.get(f"{PAGE}erase/", {"email": "jane@example.com"}, HTTP_ACCEPT_LANGUAGE="ar")
    page = response.content.decode()
    assert (response.status_code, '<html lang="ar" dir="rtl">' in page) == (200, True)
    confirmation = re.search(r'<input [^>]*name="confirmation"[^>]*>', page).group(0)
    assert '<bdi dir="ltr">jane@example.com</bdi>' in page and 'dir="ltr"' in confirmation


def test_lookup_in_place_with_htmx_shows_the_message(owner_client, story):
    response = owner_client.get(PAGE, {"email": "nobody@example.com"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert (response.status_code, "<h1>" in page) == (200, False)
    assert '<div class="form-error" role="alert">No advocate or customer has this address. </div>' in page
    found = owner_client.get(PAGE, {"email": "jane@example.com"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-program="acme"' in found and "<h1>" not in found
