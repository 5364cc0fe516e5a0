"""Domain errors: each carries a message a person can read and the HTTP status it maps to."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; views translate it when they show it."""
    return message


class KioskError(Exception):
    """Base of the errors a visitor or staff member can cause; never a server fault."""

    status = 400
    message = N_("The request could not be understood.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.params = params


class NotFoundError(KioskError):
    """Something named in the request does not exist."""

    status = 404
    message = N_("This page does not exist.")


class InvalidAnswerError(KioskError):
    """An answer that cannot be recorded as given; the person can correct it."""

    status = 422
    message = N_("This answer could not be recorded.")


class CampaignClosedError(KioskError):
    """The campaign is not running (yet, or any more)."""

    status = 409
    message = N_("This survey is not running at the moment.")


class KioskCooldownError(KioskError):
    """A shared kiosk counted an answer to this question a moment ago; the answer waits."""

    status = 429
    message = N_("One moment, please: this kiosk takes the next answer in a few seconds.")


class InvalidSettingError(KioskError):
    """A staff form sent a value the setting does not take."""

    status = 422
    message = N_("This setting does not take that value.")


class ForbiddenError(KioskError):
    """A staff member's role does not allow this."""

    status = 403
    message = N_("Your role does not allow this. Ask an administrator if you need it.")


Errors = dict[str, tuple[str, dict[str, object]]]  # a form field's name -> message and params


class FormError(KioskError):
    """A staff form with fields that cannot be saved as given; nothing was saved.

    fields maps a field's name to its message (marked with N_) and the message's params.
    """

    status = 422
    message = N_("Please correct the marked fields.")

    def __init__(self, fields: Errors) -> None:
        super().__init__()
        self.fields = fields
