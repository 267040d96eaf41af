"""Domain errors that carry their HTTP status, so views and the API map them 1:1."""


class ChorusError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        if code:
            self.code = code

    def as_dict(self) -> dict:
        body: dict = {"error": self.code, "message": self.message}
        if self.field_errors:
            body["field_errors"] = self.field_errors
        return body


class InvalidInput(ChorusError):
    status_code = 422
    code = "invalid"


class NotFound(ChorusError):
    status_code = 404
    code = "not_found"


class Conflict(ChorusError):
    status_code = 409
    code = "conflict"


class Gone(ChorusError):
    status_code = 410
    code = "gone"


class RateLimited(ChorusError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(ChorusError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ChorusError):
    status_code = 403
    code = "forbidden"


class MalformedBody(ChorusError):
    status_code = 400
    code = "malformed_body"


class PayloadTooLarge(ChorusError):
    status_code = 413
    code = "too_large"


class Unavailable(ChorusError):
    status_code = 503
    code = "unavailable"
    retry_after = 1


class ServerError(ChorusError):
    status_code = 500
    code = "server_error"
