"""Domain errors. The web layer maps each class to one HTTP status in one place (web/errors.py)."""


class DomainError(Exception):
    """Base class: a rule of the domain was not met. `field` names the offending input when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or is outside the caller's data scope: we do not say which)."""


class Forbidden(DomainError):
    """The caller's role does not allow this action."""


class NotAuthenticated(DomainError):
    """The caller must log in or present a token."""


class InvalidInput(DomainError):
    """Input that breaks a rule: names the field and the value."""


class Conflict(DomainError):
    """The state changed under the caller, or a unique value is already taken."""


class TooManyAttempts(DomainError):
    """Too many attempts or requests in a window: wait `retry_after` seconds (or for an administrator)."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, retry_after)
