"""API keys: the raw key is shown once; a revoked key no longer authenticates."""

from django.urls import reverse

from chorus.core.models import AuditEvent
from chorus.programs.models import ApiKey
from chorus.programs.services import authenticate_api_key
from chorus.testing import factories


def create(client, program, name="Shop backend", scopes=("read", "write")):
    return client.post(reverse("console:api_keys", args=[program.slug]), {"name": name, "scopes": list(scopes)})


def test_create_shows_the_key_once(owner_client, owner, program):
    response = create(owner_client, program)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_key"]
    assert raw.startswith("chorus_") and raw in response.content.decode()
    key = ApiKey.objects.get(program=program)
    assert (key.name, key.scopes, key.created_by) == ("Shop backend", ["read", "write"], owner)
    assert raw not in (key.secret_hash, key.prefix)
    assert authenticate_api_key(raw) == key
    listing = owner_client.get(reverse("console:api_keys", args=[program.slug])).content.decode()
    assert raw not in listing and raw[len("chorus_"):] not in listing
    assert f"chorus_{key.prefix}_" in listing and "Shop backend" in listing
    assert AuditEvent.objects.filter(action="api_key.created").count() == 1


def test_create_validation(owner_client, program):
    response = create(owner_client, program, name="", scopes=())
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "scopes"}
    response = create(owner_client, program, scopes=("root",))
    assert response.status_code == 422 and response.context["form"].errors["scopes"]
    assert not ApiKey.objects.exists()


def test_revoke_with_confirmation(owner_client, owner, program):
    key, raw = factories.make_api_key(program)
    url = reverse("console:api_key_revoke", args=[program.slug, key.pk])
    confirm = owner_client.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None and authenticate_api_key(raw) == key
    response = owner_client.post(url)
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert authenticate_api_key(raw) is None
    assert AuditEvent.objects.get(action="api_key.revoked").actor == owner
    listing = owner_client.get(reverse("console:api_keys", args=[program.slug])).content.decode()
    assert "Revoked" in listing


def test_revoke_with_htmx_swaps_the_row(owner_client, program):
    key, raw = factories.make_api_key(program)
    response = owner_client.post(reverse("console:api_key_revoke", args=[program.slug, key.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="api-key-{key.pk}" class="revoked">') and "hx-post" not in body
    assert authenticate_api_key(raw) is None


def test_get_does_not_revoke_and_other_programs_keys_are_404(owner_client, program, outsider):
    other_program = outsider.memberships.get().workspace.programs.get()
    other_key, other_raw = factories.make_api_key(other_program)
    url = reverse("console:api_key_revoke", args=[program.slug, other_key.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url).status_code == 404
    assert authenticate_api_key(other_raw) == other_key
