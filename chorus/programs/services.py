"""Programs, workspaces and API keys."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.core import bulk
from chorus.core.errors import InvalidInput
from chorus.core.models import audit
from chorus.core.signing import hash_secret

from .models import ApiKey, Membership, Program, Workspace
from .starter import install_starter_pack

KEY_PREFIX = "chorus_"


@transaction.atomic
def create_workspace(name: str, owner) -> Workspace:
    workspace = Workspace.objects.create(name=name)
    Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    return workspace


def create_program(workspace: Workspace, *, name: str, default_destination: str, slug: str = "",
                   starter_pack: bool = True, **fields) -> Program:
    """A new program with the starter pack (levels, asks, badges, catalog) unless told otherwise."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput(_("Give the program a name."), field_errors={"name": [_("Required.")]})
    if Program.objects.filter(slug=slug).exists():
        raise InvalidInput(_("That slug is taken."), field_errors={"slug": [_("Choose another slug.")]})
    with transaction.atomic():
        program = Program.objects.create(workspace=workspace, name=name, slug=slug,
                                         default_destination=default_destination, **fields)
        if starter_pack:
            install_starter_pack(program)
    return program


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
    # every API request runs this: SQL written once rather than a queryset compiled per request
    found = bulk.select(ApiKey, "t.prefix = %s AND t.revoked_at IS NULL", [prefix], related=("program",),
                        order_by="t.created_at DESC", suffix="LIMIT 1")  # ApiKey's default ordering, as first()
    key = found[0] if found else None
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


# --- program settings (console) ----------------------------------------------------------

PROGRAM_SETTINGS = (
    "name", "slug", "kind", "is_active", "landing_title", "landing_body", "friend_offer", "advocate_offer",
    "allowed_destinations", "default_destination", "show_friend_page", "attribution_window_days",
    "attribution_model", "hold_days", "currency", "credit_model", "credit_half_life_days",
)
MAX_HALF_LIFE_DAYS = 365
MAX_DESTINATIONS = 50
MAX_WINDOW_DAYS = 365


def _http_url_problem(url: str) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if len(url) > 500:
        return _("“%(url)s” is longer than 500 characters.") % {"url": url[:60] + "…"}
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("“%(url)s” is not a web address starting with http:// or https://.") % {"url": url}
    return None


def _destination_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    allowed = values["allowed_destinations"]
    if not isinstance(allowed, list) or not all(isinstance(url, str) for url in allowed):
        return {"allowed_destinations": [_("Give a list of web addresses.")]}
    if len(allowed) > MAX_DESTINATIONS:
        errors["allowed_destinations"] = [_("At most %(count)d addresses.") % {"count": MAX_DESTINATIONS}]
    default = values["default_destination"]
    # A bad default destination is reported once, on its own field, even when it is listed too.
    problems = [problem for url in allowed if url != default and (problem := _http_url_problem(url))]
    if problems:
        errors.setdefault("allowed_destinations", []).extend(problems)
    default_problem = _http_url_problem(default) if default else _("Required.")
    if default_problem:
        errors["default_destination"] = [default_problem]
    elif not Program(default_destination="", allowed_destinations=allowed).destination_allowed(default):
        errors["default_destination"] = [_("Add this address (or a prefix of it) to the allowed destinations first.")]
    return errors


def _currency_problem(program: Program | None, currency: str) -> str | None:
    from .currencies import is_currency

    if not is_currency(currency):
        return _("Use a three-letter ISO 4217 currency code such as USD, EUR or JPY.")
    if program is not None and program.pk and currency != program.currency:
        if program.conversions.filter(type="purchase").exists() or program.rewards.exclude(currency="").exists():
            return _("The currency cannot change once purchases or credit rewards are recorded.")
    return None


def program_settings_problems(values: dict, program: Program | None = None) -> dict[str, list[str]]:
    """Field errors for a full set of program settings; empty when they are fine."""
    from chorus.core.codes import RESERVED_WORDS

    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [_("Give the program a name.")]
    elif len(values["name"]) > 120:
        errors["name"] = [_("At most 120 characters.")]
    slug = values["slug"]
    taken = Program.objects.filter(slug=slug).exclude(pk=program.pk if program else None).exists()
    if not slug:
        errors["slug"] = [_("Use letters, digits and dashes.")]
    elif slug in RESERVED_WORDS:
        errors["slug"] = [_("“%(slug)s” is reserved; choose another.") % {"slug": slug}]
    elif taken:
        errors["slug"] = [_("That slug is taken; choose another.")]
    if values["kind"] not in Program.Kind.values:
        errors["kind"] = [_("Choose customer, employee or partner.")]
    if values["attribution_model"] not in Program.AttributionModel.values:
        errors["attribution_model"] = [_("Choose last touch or first touch.")]
    for field in ("landing_title", "friend_offer", "advocate_offer"):
        if len(values[field]) > 200:
            errors[field] = [_("At most 200 characters.")]
    if not 1 <= values["attribution_window_days"] <= MAX_WINDOW_DAYS:
        errors["attribution_window_days"] = [_("Between 1 and %(max)d days.") % {"max": MAX_WINDOW_DAYS}]
    if values["credit_model"] not in Program.CreditModel.values:
        errors["credit_model"] = [_("Choose last touch, first touch, linear or time decay.")]
    if not 1 <= values["credit_half_life_days"] <= MAX_HALF_LIFE_DAYS:
        errors["credit_half_life_days"] = [_("Between 1 and %(max)d days.") % {"max": MAX_HALF_LIFE_DAYS}]
    if not 0 <= values["hold_days"] <= MAX_WINDOW_DAYS:
        errors["hold_days"] = [_("Between 0 and %(max)d days.") % {"max": MAX_WINDOW_DAYS}]
    currency_problem = _currency_problem(program, values["currency"])
    if currency_problem:
        errors["currency"] = [currency_problem]
    errors.update(_destination_problems(values))
    return errors


def _normalized_settings(values: dict) -> dict:
    values = dict(values)
    for field in ("name", "landing_title", "friend_offer", "advocate_offer", "default_destination"):
        values[field] = (values[field] or "").strip()
    values["landing_body"] = (values["landing_body"] or "").strip()
    values["slug"] = slugify(values["slug"] or values["name"])[:60]
    values["currency"] = (values["currency"] or "").strip().upper()
    destinations = values["allowed_destinations"]
    if isinstance(destinations, list):
        values["allowed_destinations"] = list(dict.fromkeys(
            url.strip() for url in destinations if isinstance(url, str) and url.strip()))
    return values


def _check_settings(program: Program | None, values: dict) -> dict:
    unknown = set(values) - set(PROGRAM_SETTINGS)
    if unknown:
        raise TypeError(f"Unknown program settings: {sorted(unknown)}")
    base = {field: getattr(program or Program(), field) for field in PROGRAM_SETTINGS}
    values = _normalized_settings({**base, **values})
    errors = program_settings_problems(values, program)
    if errors:
        raise InvalidInput(_("Some settings need attention."), field_errors=errors)
    return values


@transaction.atomic
def create_validated_program(workspace: Workspace, *, user=None, **fields) -> Program:
    """A new program from a marketer: settings validated, the default destination allowed, audited."""
    fields.setdefault("allowed_destinations", [fields.get("default_destination", "")])
    values = _check_settings(None, fields)
    program = create_program(workspace, **values)
    audit(action="program.created", target=program, actor=user, workspace=workspace)
    return program


@transaction.atomic
def update_program(program: Program, *, user=None, **fields) -> Program:
    """Change a program's settings: validated as a whole (InvalidInput with field errors), audited."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    values = _check_settings(program, fields)
    changed = [field for field in PROGRAM_SETTINGS if getattr(program, field) != values[field]]
    if not changed:
        return program
    for field in changed:
        setattr(program, field, values[field])
    program.save(update_fields=[*changed, "updated_at"])
    audit(action="program.updated", target=program, actor=user, workspace=program.workspace, changed=changed)
    return program
