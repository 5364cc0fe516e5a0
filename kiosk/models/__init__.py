"""The data model: every table, importable from one place."""

from kiosk.models.base import Base, utcnow
from kiosk.models.campaign import (
    Campaign,
    CatalogRevision,
    Option,
    Question,
    QuestionKind,
    campaign_location,
)
from kiosk.models.device import Device, RejectedResponse
from kiosk.models.place import Area, Location
from kiosk.models.response import (
    CHANNELS,
    AnswerCount,
    Channel,
    OptionCount,
    Outbox,
    Response,
    ResponseOption,
    WishState,
)
from kiosk.models.staff import AuditEntry, StaffUser

__all__ = [
    "CHANNELS",
    "AnswerCount",
    "Area",
    "AuditEntry",
    "Base",
    "Campaign",
    "CatalogRevision",
    "Channel",
    "Device",
    "Location",
    "Option",
    "OptionCount",
    "Outbox",
    "Question",
    "QuestionKind",
    "RejectedResponse",
    "Response",
    "ResponseOption",
    "StaffUser",
    "WishState",
    "campaign_location",
    "utcnow",
]
