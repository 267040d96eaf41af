"""Programs, workspaces and API keys."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput, NotFound
from chorus.core.models import audit
from chorus.core.signing import hash_secret

from .models import ApiKey, Membership, Program, Workspace

KEY_PREFIX = "chorus_"


@transaction.atomic
def create_workspace(name: str, owner) -> Workspace:
    workspace = Workspace.objects.create(name=name)
    Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    return workspace


def create_program(workspace: Workspace, *, name: str, default_destination: str, slug: str = "", **fields) -> Program:
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput(_("Give the program a name."), field_errors={"name": [_("Required.")]})
    if Program.objects.filter(slug=slug).exists():
        raise InvalidInput(_("That slug is taken."), field_errors={"slug": [_("Choose another slug.")]})
    return Program.objects.create(workspace=workspace, name=name, slug=slug, default_destination=default_destination, **fields)


def create_api_key(program: Program, *, name: str, scopes: list[str] | None = None, user=None) -> tuple[ApiKey, str]:
    """A new key; the secret is returned once and only its hash is kept."""
    scopes = scopes or [ApiKey.Scope.READ, ApiKey.Scope.WRITE]
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown:
        raise InvalidInput(_("Unknown scope."), field_errors={"scopes": [", ".join(sorted(unknown))]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    raw = f"{KEY_PREFIX}{prefix}_{secret}"
    key = ApiKey.objects.create(program=program, name=name or _("API key"), prefix=prefix,
                                secret_hash=hash_secret(raw), scopes=list(scopes), created_by=user)
    if user is not None:
        audit(action="api_key.created", target=key, actor=user, workspace=program.workspace)
    return key, raw


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key a bearer token names, or None (unknown, malformed or revoked)."""
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    prefix = raw[len(KEY_PREFIX):].split("_", 1)[0]
    key = ApiKey.objects.select_related("program").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.secret_hash, hash_secret(raw)):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def revoke_api_key(key: ApiKey, user=None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit(action="api_key.revoked", target=key, actor=user, workspace=key.program.workspace)
    return key
