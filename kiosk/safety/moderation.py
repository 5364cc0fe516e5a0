"""Moderating wishes: a pre-filter that flags (never drops); approve, reject, mark, redact.

Rejection hides; only redaction deletes: a wish's text, for good (the answer still counts).
Only approved wishes without a mark ever reach a public screen (kiosk attract loop, wall).
A wish's state is the moderator's decision; a "personal data" mark overrides it (hidden
whatever the state) and puts the wish in a list of its own, out of the open queue: removing
the mark brings back the decision it had.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, InvalidSettingError
from kiosk.models import Actor, Location, RejectedResponse, Response, WishState, audit


class WishMark(enum.StrEnum):
    """A moderator's note on a wish; a marked wish is never shown publicly."""

    PERSONAL_DATA = "personal_data"
    REDACTED = "redacted"  # its text was removed for good (personal data); the answer counts


class WishList(enum.StrEnum):
    """The lists of the moderation queue; each wish is in exactly one.

    The open, approved and rejected lists hold the wishes of that state without a personal-data
    mark (a redacted wish is rejected, so among the rejected); the marked list holds the
    wishes marked as personal data, whatever their state.
    """

    OPEN = "pending"  # the address of the open list has always been ?state=pending
    APPROVED = "approved"
    REJECTED = "rejected"
    MARKED = "marked"


class WishAction(enum.StrEnum):
    """What a moderator can do to a selection of wishes."""

    APPROVE = "approve"
    REJECT = "reject"
    REOPEN = "reopen"  # back to the open queue, undecided and unmarked
    MARK_PERSONAL_DATA = "mark_personal_data"
    UNMARK = "unmark"
    REDACT = "redact"  # remove the text for good; cannot be undone


class Flag(enum.StrEnum):
    """Why the pre-filter thinks a moderator should look twice."""

    ABUSE = "abuse"
    PERSONAL_DATA = "personal_data"
    LINK = "link"


MAX_SELECTION = 200

# Whole words only, after folding case and common disguises: "Schwanzflosse", "Klassiker",
# "Scunthorpe" or "Es war schön" contain such letters but no such word, and are not flagged.
_ABUSIVE_WORDS = frozenset(
    [
        "arsch",
        "arschloch",
        "arschgeige",
        "drecksau",
        "dreckschwein",
        "fotze",
        "hurensohn",
        "hure",
        "huso",
        "wichser",
        "schlampe",
        "fick",
        "ficken",
        "ficker",
        "fickt",
        "missgeburt",
        "spast",
        "spasti",
        "behindi",
        "schwuchtel",
        "kanake",
        "neger",
        "schwanz",
        "pisser",
        "vollidiot",
        "nutte",
        "fuck",
        "fucking",
        "fucker",
        "motherfucker",
        "fucked",
        "cunt",
        "asshole",
        "bitch",
        "bastard",
        "prick",
        "slut",
        "whore",
        "retard",
        "retarded",
        "faggot",
        "fag",
        "nigger",
        "nigga",
        "twat",
        "wanker",
        "shit",
        "bullshit",
    ]
)
_DISGUISES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "$": "s", "@": "a"})
_REPEATS = re.compile(r"(.)\1{2,}")  # "fuuuck": three or more of a letter
_WORD = re.compile(r"[^\W\d_]+")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}")
_PHONE = re.compile(r"(?:\+|\b0)\d[\d /-]{5,}\d\b")
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def flags(text: str) -> tuple[Flag, ...]:
    """What a moderator should look at twice in a wish; an empty tuple when nothing."""
    found: list[Flag] = []
    folded = text.casefold()
    words = set(_WORD.findall(folded.translate(_DISGUISES)))
    words |= {_REPEATS.sub(r"\1", word) for word in words}
    if words & _ABUSIVE_WORDS:
        found.append(Flag.ABUSE)
    if _EMAIL.search(text) or _PHONE.search(text):
        found.append(Flag.PERSONAL_DATA)
    if _LINK.search(text):
        found.append(Flag.LINK)
    return tuple(found)


@dataclass(frozen=True)
class QueuedWish:
    """A wish as moderators see it."""

    id: int
    text: str
    state: str
    mark: str | None
    location: str
    channel: str
    received_at: object
    flags: tuple[Flag, ...]

    @property
    def listed(self) -> WishList:
        """The list of the queue this wish is in."""
        return list_of(self.state, self.mark)


def parse_state(raw: str) -> WishList | None:
    """The list filter of the queue: a list, or None for all; anything else is refused."""
    if raw in ("", "all"):
        return None
    try:
        return WishList(raw)
    except ValueError:
        raise InvalidSettingError() from None


_MARKED = Response.wish_mark == WishMark.PERSONAL_DATA.value
_NOT_MARKED = or_(Response.wish_mark.is_(None), Response.wish_mark != WishMark.PERSONAL_DATA.value)


def in_list(listed: WishList) -> ColumnElement[bool]:
    """SQL true of a wish in this list of the queue."""
    if listed == WishList.MARKED:
        return _MARKED
    return and_(Response.wish_state == listed.value, _NOT_MARKED)


def list_of(state: str | None, mark: str | None) -> WishList:
    """The list a wish of this state and mark is in (the one home of in_list's rule in Python)."""
    if mark == WishMark.PERSONAL_DATA:
        return WishList.MARKED
    return WishList(state or WishState.PENDING.value)


def queue(
    session: Session,
    *,
    state: WishList | WishState | None,
    before: int | None = None,
    limit: int = 50,
    places: Select[int] | None = None,
    ids: Sequence[int] | None = None,
) -> list[QueuedWish]:
    """Wishes in a list of the queue (or all), newest first, older than the id `before` if given.

    state: a list, or a state for the list of that name (the open, approved or rejected
    wishes, each without a personal-data mark); places: the ids of the places whose wishes to
    list (a moderator limited to some areas); ids: only these wishes.
    """
    conditions: list[ColumnElement[bool]] = [Response.text.is_not(None)]
    if ids is not None:
        conditions.append(Response.id.in_(ids))
    if places is not None:
        conditions.append(Response.location_id.in_(places))
    if state is not None:
        conditions.append(in_list(WishList(state.value)))
    if before is not None:
        conditions.append(Response.id < before)
    rows = session.execute(
        select(
            Response.id,
            Response.text,
            Response.wish_state,
            Response.wish_mark,
            Location.name,
            Response.channel,
            Response.received_at,
        )
        .join(Location, Location.id == Response.location_id)
        .where(*conditions)
        .order_by(Response.id.desc())
        .limit(limit)
    ).all()
    return [
        QueuedWish(id_, text or "", wish_state or "", mark, place, channel, at, flags(text or ""))
        for id_, text, wish_state, mark, place, channel, at in rows
    ]


def parse_selection(raw: Iterable[str]) -> list[int]:
    """The wish ids a moderator ticked, or InvalidSettingError (none, too many, not numbers)."""
    values = list(raw)
    if not values or len(values) > MAX_SELECTION:
        raise InvalidSettingError(N_("Tick between 1 and %(max)d wishes."), max=MAX_SELECTION)
    try:
        ids = sorted({int(value) for value in values})
    except ValueError:
        raise InvalidSettingError(N_("The selection could not be read.")) from None
    if ids[0] < 1 or ids[-1] > 2**63 - 1:
        raise InvalidSettingError(N_("The selection could not be read."))
    return ids


def parse_action(raw: str) -> WishAction:
    """A moderation action by its name, or InvalidSettingError."""
    try:
        return WishAction(raw)
    except ValueError:
        raise InvalidSettingError(N_("Unknown action.")) from None


def moderate(
    session: Session,
    ids: Sequence[int],
    action: WishAction,
    *,
    actor: Actor,
    places: Select[int] | None = None,
) -> int:
    """Apply an action to these wishes (other ids are ignored); return how many changed.

    places: only wishes given at these places change (a moderator limited to some areas).
    Audited; the caller commits.
    """
    changed = _apply(session, ids, action, places)
    audit(session, actor, f"wishes-{action.value}", wishes=list(ids), changed=changed)
    return changed


def _apply(
    session: Session, ids: Sequence[int], action: WishAction, places: Select[int] | None
) -> int:
    within = Response.location_id.in_(places) if places is not None else true()
    # A redacted wish stays as it is: nothing brings its text back or shows it again.
    not_redacted = or_(Response.wish_mark.is_(None), Response.wish_mark != WishMark.REDACTED.value)
    selected = Response.id.in_(ids), Response.text.is_not(None), within, not_redacted
    values: dict[str, object]
    if action == WishAction.REDACT:
        return redact(session, select(Response.id).where(*selected))
    if action == WishAction.APPROVE:
        values = {"wish_state": WishState.APPROVED.value}
    elif action == WishAction.REJECT:
        values = {"wish_state": WishState.REJECTED.value}
    elif action == WishAction.REOPEN:
        # Undecided again, so the mark that took it out of the open queue goes too.
        values = {"wish_state": WishState.PENDING.value, "wish_mark": None}
    elif action == WishAction.MARK_PERSONAL_DATA:
        values = {"wish_mark": WishMark.PERSONAL_DATA.value}
    else:
        values = {"wish_mark": None}
    changed = session.execute(
        update(Response)
        .where(*selected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(changed, "rowcount", 0) or 0)


def redact(session: Session, wishes: Select[int]) -> int:
    """Remove the text of these wishes for good; return how many; the caller commits.

    The answer stays (it counts as a wish given, and the counters are kept by triggers on
    insert); its text becomes empty, it is rejected and marked, so it is never shown again.
    A copy central kept aside with the same answer id loses its text too.
    """
    ids = list(session.scalars(wishes))
    for start in range(0, len(ids), 1000):  # PostgreSQL takes at most 65,535 parameters
        chunk = ids[start : start + 1000]
        uuids = [
            str(u) for u in session.scalars(select(Response.uuid).where(Response.id.in_(chunk)))
        ]
        session.execute(
            update(Response)
            .where(Response.id.in_(chunk))
            .values(
                text="",
                wish_state=WishState.REJECTED.value,
                wish_mark=WishMark.REDACTED.value,
            )
            .execution_options(synchronize_session=False)
        )
        forget_kept_aside_text(session, uuids)
    return len(ids)


def forget_kept_aside_text(session: Session, uuids: Sequence[str]) -> None:
    """Blank the wish text in copies central kept aside (conflicts, refusals) of these ids."""
    for kept in session.scalars(select(RejectedResponse).where(RejectedResponse.uuid.in_(uuids))):
        if isinstance(kept.payload, dict) and kept.payload.get("text"):
            kept.payload = {**kept.payload, "text": ""}


def wishes_by_list(session: Session, places: Select[int] | None = None) -> dict[WishList, int]:
    """How many wishes are in each list of the queue (at these places, or everywhere)."""
    counted = select(Response.wish_state, Response.wish_mark, func.count()).where(
        Response.text.is_not(None)
    )
    if places is not None:
        counted = counted.where(Response.location_id.in_(places))
    counts = dict.fromkeys(WishList, 0)
    rows = session.execute(counted.group_by(Response.wish_state, Response.wish_mark))
    for state, mark, count in rows:
        counts[list_of(state, mark)] += int(count)
    return counts
