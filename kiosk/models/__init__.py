"""The data model: every table, importable from one place."""

from kiosk.models.audit import COMMAND_LINE, Actor, audit
from kiosk.models.base import Base, utcnow
from kiosk.models.campaign import (
    OPTION_FIELDS,
    Campaign,
    CatalogRevision,
    Option,
    PosterLogo,
    Question,
    QuestionKind,
    ResultsShown,
    campaign_location,
    option_fields,
)
from kiosk.models.device import Device, KioskPace, RejectedResponse
from kiosk.models.dialect import hour_of, upsert_insert
from kiosk.models.place import Area, Location
from kiosk.models.response import (
    CHANNELS,
    AnswerCount,
    Channel,
    CrossCount,
    HourCount,
    OptionCount,
    Outbox,
    PaperTally,
    PosterCount,
    Response,
    ResponseOption,
    SharedWish,
    WishState,
)
from kiosk.models.safeguard import DeviceRefusal, QrBallot, RateCount, RefusalCount
from kiosk.models.staff import AuditEntry, LoginFailure, Role, StaffUser, staff_area

__all__ = [
    "CHANNELS",
    "COMMAND_LINE",
    "OPTION_FIELDS",
    "Actor",
    "AnswerCount",
    "Area",
    "AuditEntry",
    "Base",
    "Campaign",
    "CatalogRevision",
    "Channel",
    "CrossCount",
    "Device",
    "DeviceRefusal",
    "HourCount",
    "KioskPace",
    "Location",
    "LoginFailure",
    "Option",
    "OptionCount",
    "Outbox",
    "PaperTally",
    "PosterCount",
    "PosterLogo",
    "QrBallot",
    "Question",
    "QuestionKind",
    "RateCount",
    "RefusalCount",
    "RejectedResponse",
    "Response",
    "ResponseOption",
    "ResultsShown",
    "Role",
    "SharedWish",
    "StaffUser",
    "WishState",
    "audit",
    "campaign_location",
    "hour_of",
    "option_fields",
    "staff_area",
    "upsert_insert",
    "utcnow",
]
