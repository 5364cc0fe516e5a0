"""Declarative base: naming convention, UTC timestamps and the shared column shapes."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    event,
    inspect,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

from kiosk.core.bidi import balance_bidi

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes; store UTC without tzinfo."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        stored: dt.datetime = value
        return stored.replace(tzinfo=dt.UTC)


def checked_enum(values: type[enum.StrEnum] | Sequence[str], *, name: str, length: int) -> Enum:
    """A short string holding one of these values, checked by the CHECK named ck_<table>_<name>.

    Given an enum class, the column reads back its members; given values (a subset of an
    enum's), plain strings. Either way a value outside them is refused in Python too.
    """
    options: dict[str, Any] = {
        "name": name,
        "native_enum": False,  # a VARCHAR and a CHECK: the same on SQLite and PostgreSQL
        "create_constraint": True,
        "validate_strings": True,
        "length": length,
    }
    if isinstance(values, type):
        return Enum(values, values_callable=lambda members: [m.value for m in members], **options)
    return Enum(*values, **options)


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


# BIGINT on PostgreSQL, but SQLite only auto-increments an INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(primary_key=True)]
bigintpk = Annotated[int, mapped_column(BigIntPK, primary_key=True)]
name_str = Annotated[str, mapped_column(String(200))]
Texts = dict[str, str]
"""Text per language code, German ("de") always present: {"de": "...", "en": "..."}."""


class Base(DeclarativeBase):
    """Base of every model; one metadata with a stable naming convention for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime,
        Texts: JSON,
    }


def _balanced(value: object) -> object:
    """A text (or a text per language) with no right-to-left control left open."""
    if isinstance(value, str):
        return balance_bidi(value)
    if isinstance(value, dict):
        return {k: balance_bidi(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


# Kept verbatim, as they came: what central kept aside, and the audit log's details.
_VERBATIM_TABLES = frozenset({"rejected_response", "audit_entry"})


@event.listens_for(Session, "before_flush")
def _balance_right_to_left_controls(session: Session, _context: object, _instances: object) -> None:
    """Take out the right-to-left controls each text to be saved leaves open (kiosk.core.bidi)."""
    for instance in (*session.new, *session.dirty):
        state = inspect(instance)
        if state.mapper.local_table.name in _VERBATIM_TABLES:
            continue
        for attribute in state.mapper.column_attrs:
            # Only what is set or changed now: reading anything else could load it mid-flush.
            if not state.attrs[attribute.key].history.has_changes():
                continue
            value = getattr(instance, attribute.key)
            balanced = _balanced(value)
            if balanced != value:
                setattr(instance, attribute.key, balanced)
