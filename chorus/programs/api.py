"""Program API: read the key's program and, with the `admin` scope, change its settings and manage its API keys."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from chorus.core.api_auth import require_admin
from chorus.core.api_errors import ErrorOut
from chorus.core.errors import Conflict, InvalidInput, NotFound
from chorus.core.pagination import CURSOR, LIMIT, paginate

from .models import ApiKey
from .schemas import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut, ApiKeyPageOut, ProgramOut, ProgramPatch
from .services import create_api_key, revoke_api_key, update_program

router = Router(tags=["program"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/program", response={200: ProgramOut, **ERRORS}, summary="The key's program")
def get_program(request):
    """The settings of the program this API key belongs to."""
    return request.auth.program


@router.patch("/program", response={200: ProgramOut, **ERRORS}, summary="Change the program's settings")
def patch_program(request, payload: ProgramPatch):
    """Needs an `admin` key. Send only the settings to change; they are validated together
    (422 with field errors, nothing saved) and the change is audited."""
    require_admin(request)
    fields = payload.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in fields.items() if value is None)
    if nulls:
        raise InvalidInput(_("These fields may not be null: %(names)s.") % {"names": ", ".join(nulls)},
                           field_errors={name: [_("May not be null.")] for name in nulls})
    request.auth.program = update_program(request.auth.program, **fields)
    return request.auth.program


@router.get("/api-keys", response={200: ApiKeyPageOut, **ERRORS}, summary="The program's API keys")
def list_api_keys(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Needs an `admin` key. Every key of the program, newest first, revoked ones included (never the secrets)."""
    require_admin(request)
    return paginate(ApiKey.objects.filter(program=request.auth.program), cursor, limit).as_dict()


@router.post("/api-keys", response={201: ApiKeyCreatedOut, **ERRORS}, summary="Create an API key")
def create_api_key_endpoint(request, payload: ApiKeyIn):
    """Needs an `admin` key. The answer holds the new secret `key`, once: only its hash is kept.
    (No `Idempotency-Key` here: a replayed answer would have to store the secret.)"""
    require_admin(request)
    key, raw = create_api_key(request.auth.program, name=payload.name, scopes=list(dict.fromkeys(payload.scopes)))
    return Status(201, ApiKeyCreatedOut(**ApiKeyOut.from_orm(key).model_dump(), key=raw))


@router.post("/api-keys/{int:key_id}/revoke", response={200: ApiKeyOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
             summary="Revoke an API key")
def revoke_api_key_endpoint(request, key_id: int):
    """Needs an `admin` key. The key stops working at once; revoking again changes nothing. The
    key making the request cannot revoke itself (409): revoke it with another key or in the console."""
    require_admin(request)
    key = ApiKey.objects.select_related("program__workspace").filter(program=request.auth.program, pk=key_id).first()
    if key is None:
        raise NotFound(_("No API key with this id in this program."))
    if key.pk == request.auth.pk:
        raise Conflict(_("A key cannot revoke itself; use another admin key or the console."))
    return revoke_api_key(key)
