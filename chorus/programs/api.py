"""Program API: read the key's program and, with the `admin` scope, change its settings."""

from django.utils.translation import gettext as _
from ninja import Router

from chorus.core.api_auth import require_admin
from chorus.core.api_errors import ErrorOut
from chorus.core.errors import InvalidInput

from .schemas import ProgramOut, ProgramPatch
from .services import update_program

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
