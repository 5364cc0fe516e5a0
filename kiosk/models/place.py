"""Areas (Sozialraum, Quartier, Kiez) and the locations within them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, intpk, name_str


class Area(Base):
    """A neighbourhood that groups locations, e.g. "Jena Nord"."""

    __tablename__ = "area"

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)

    locations: Mapped[list[Location]] = relationship(
        back_populates="area", order_by="Location.name"
    )


class Location(Base):
    """A place where people answer: a square, a playground, a library window."""

    __tablename__ = "location"
    __table_args__ = (
        # The code is the QR link (/q/<code>): short, lower case, URL-safe.
        CheckConstraint("length(code) BETWEEN 2 AND 32", name="code_length"),
        CheckConstraint("code = lower(code)", name="code_lower_case"),
    )

    id: Mapped[intpk]
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[name_str]
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    # When the place can be visited, as people write it ("Mo–Fr 10–18 Uhr"): a library window.
    opening_hours: Mapped[str | None] = mapped_column(String(200))

    area: Mapped[Area] = relationship(back_populates="locations")
