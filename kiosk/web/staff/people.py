"""Admins manage staff members and read the audit log of every change, in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup, escape

from kiosk.access.accounts import (
    AccountError,
    AuditPage,
    audit_page,
    change_user,
    create_user,
    staff_members,
)
from kiosk.access.permissions import Permission, Role
from kiosk.core.errors import N_
from kiosk.core.languages import KNOWN
from kiosk.models import COMMAND_LINE, AuditEntry
from kiosk.safety.moderation import WishAction
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.setup.places import all_areas
from kiosk.web import db
from kiosk.web.auth import acting, requires
from kiosk.web.i18n import localized
from kiosk.web.shared import MAX_ID

bp = Blueprint("people", __name__, url_prefix="/people")
AUDIT_PAGE = 100

ROLE_NAMES = {
    Role.ADMIN.value: N_("Admin (everything)"),
    Role.EDITOR.value: N_("Editor (campaigns, places, kiosks)"),
    Role.MODERATOR.value: N_("Moderator (wishes)"),
    Role.VIEWER.value: N_("Viewer (results and downloads)"),
}
"""What each role may do, in words (translated where shown)."""


def _page(
    status: int = 200, error: str | None = None, form: dict[str, str] | None = None
) -> tuple[str, int]:
    session = db.session()
    return render_template(
        "staff/people/index.html",
        users=staff_members(session),
        areas=all_areas(session),
        roles=list(Role),
        role_names={role: gettext(words) for role, words in ROLE_NAMES.items()},
        error=error,
        form=form or {},
    ), status


@bp.get("/")
@requires(Permission.ADMIN)
def index() -> ResponseReturnValue:
    """Staff members with their roles, and a form for a new one."""
    return _page()


@bp.post("/")
@requires(Permission.ADMIN)
def add() -> ResponseReturnValue:
    """Add a staff member with a first password (they should change it)."""
    form = {name: request.form.get(name, "")[:300] for name in ("email", "name", "role")}
    session = db.session()
    try:
        user = create_user(
            session, password=request.form.get("password", "")[:1024], actor=acting(), **form
        )
    except AccountError as error:
        session.rollback()
        return _page(422, gettext(error.message, **error.params), form)
    session.commit()
    flash(gettext("Saved: %(name)s.", name=user.name))
    return redirect(url_for(".index"), code=303)


@bp.post(f"/<int(max={MAX_ID}):user_id>")
@requires(Permission.ADMIN)
def change(user_id: int) -> ResponseReturnValue:
    """Change a staff member's role, areas, or their access."""
    session = db.session()
    try:
        user = change_user(
            session,
            user_id,
            role=request.form.get("role", ""),
            active=request.form.get("active") == "yes",
            actor=acting(),
            area_ids=_area_ids(request.form.getlist("areas")),
        )
    except AccountError as error:
        session.rollback()
        return _page(422, gettext(error.message, **error.params))
    session.commit()
    flash(gettext("Saved: %(name)s.", name=user.name))
    return redirect(url_for(".index"), code=303)


def _area_ids(raw: list[str]) -> list[int]:
    """The ticked areas' ids; anything but an id of ours is refused as an unknown area."""
    if len(raw) > 1000:
        raise AccountError(N_("Please choose areas from the list."))
    ids = [int(value) for value in raw if value.isdecimal() and len(value) < 10]
    if len(ids) != len(raw):
        raise AccountError(N_("Please choose areas from the list."))
    return ids


@bp.get("/audit")
@requires(Permission.ADMIN)
def audit_log() -> ResponseReturnValue:
    """Who changed what, newest first, each change said in words with links to what it named."""
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before <= 2**62:
        before = None  # not an id of ours: the newest
    page = audit_page(db.session(), before=before, size=AUDIT_PAGE)
    entries = [(entry, name, said(entry, page)) for entry, name in page.rows]
    return render_template(
        "staff/people/audit.html",
        entries=entries,
        older=page.older,
        actor_words={via: gettext(words) for via, words in ACTOR_WORDS.items()},
    )


ACTOR_WORDS = {COMMAND_LINE.via: N_("(command line)")}
"""Who made a change that no staff member made, by the door it came through (Actor.via)."""


class _Entry:
    """An audit entry's detail as the parts of a sentence: names linked, numbers, words."""

    def __init__(self, entry: AuditEntry, page: AuditPage) -> None:
        self.entry = entry
        self.detail: Mapping[str, Any] = entry.detail or {}
        self.names = page.names

    def say(self, sentence: str, /, **parts: object) -> Markup:
        """A translated sentence with its parts put in; both escaped, links kept as links."""
        return escape(sentence) % parts

    def number(self, key: str) -> int:
        """A count in the detail (0 when an older entry lacks it)."""
        value = self.detail.get(key)
        return value if isinstance(value, int) else 0

    def thing(self, kind: str, ident: object) -> Markup:
        """A named thing, linked where it still exists; else what it was, by number."""
        if not isinstance(ident, int) or isinstance(ident, bool):
            return escape(gettext("(none)"))
        name = self.names.get(kind, {}).get(ident)
        if name is None:
            gone = {
                "place": N_("place no. %(id)d (no longer there)"),
                "campaign": N_("campaign no. %(id)d (no longer there)"),
                "question": N_("question no. %(id)d (no longer there)"),
                "area": N_("area no. %(id)d (no longer there)"),
                "kiosk": N_("kiosk no. %(id)d (no longer there)"),
                "member": N_("staff member no. %(id)d (no longer there)"),
            }
            return escape(gettext(gone[kind], id=ident))
        text = localized(name) if isinstance(name, dict) else str(name)
        return Markup('<a href="{}"><bdi>{}</bdi></a>').format(_link(kind, ident), text)

    def ref(self, key: str, kind: str) -> Markup:
        """The thing the detail names under key."""
        return self.thing(kind, self.detail.get(key))

    def refs(self, key: str, kind: str) -> Markup:
        """The things the detail lists under key, or "none"."""
        value = self.detail.get(key)
        idents = value if isinstance(value, list) else []
        if not idents:
            return escape(gettext("none"))
        return Markup(", ").join(self.thing(kind, ident) for ident in idents)


def _link(kind: str, ident: int) -> str:
    """Where a staff member sees or changes a thing the audit log names."""
    if kind == "place":
        return url_for("staff.setup.place", location_id=ident)
    if kind == "campaign":
        return url_for("staff.setup.campaign", campaign_id=ident)
    if kind == "question":
        return url_for("staff.setup.question", question_id=ident)
    if kind == "area":
        return url_for("staff.results.results", kind="area", scope_id=ident)
    if kind == "kiosk":
        return url_for("staff.kiosks.index")
    return url_for("staff.people.index", _anchor=f"member-{ident}")


def _export(e: _Entry) -> Markup:
    kinds = {"location": "place", "area": "area", "campaign": "campaign"}
    scope = e.thing(kinds.get(str(e.detail.get("scope")), "place"), e.detail.get("id"))
    file_format = str(e.detail.get("format", "")).upper()
    if e.detail.get("what") == "raw":
        template = gettext("Downloaded all answers of %(scope)s (%(format)s)")
    else:
        template = gettext("Downloaded the tally of %(scope)s (%(format)s)")
    return e.say(template, scope=scope, format=file_format)


def _logout_everywhere(e: _Entry) -> Markup:
    member = e.detail.get("member")
    if member is None or member == e.entry.user_id:
        return e.say(gettext("Logged out on every device"))
    return e.say(gettext("Ended every session of %(member)s"), member=e.ref("member", "member"))


def _user_change(e: _Entry) -> Markup:
    role = gettext(ROLE_NAMES.get(str(e.detail.get("role")), str(e.detail.get("role"))))
    access = gettext("may log in") if e.detail.get("active") else gettext("no access")
    areas = e.refs("areas", "area") if e.detail.get("areas") else gettext("every area")
    return e.say(
        gettext("Changed %(member)s: %(role)s, %(access)s, works in %(areas)s"),
        member=e.ref("member", "member"),
        role=role,
        access=access,
        areas=areas,
    )


def _place_pin(e: _Entry) -> Markup:
    if e.detail.get("campaign") is None:
        return e.say(
            gettext("Removed the pin at %(place)s: the rule decides which campaign shows"),
            place=e.ref("place", "place"),
        )
    return e.say(
        gettext("Pinned %(campaign)s at %(place)s: it shows there while it runs"),
        campaign=e.ref("campaign", "campaign"),
        place=e.ref("place", "place"),
    )


def _moved(e: _Entry) -> Markup:
    question = e.ref("question", "question")
    if e.number("step") < 0:
        return e.say(gettext("Moved the question %(question)s up"), question=question)
    return e.say(gettext("Moved the question %(question)s down"), question=question)


def _results_shown(e: _Entry) -> Markup:
    question = e.ref("question", "question")
    if e.detail.get("value") == "after_close":
        template = gettext(
            "Results of %(question)s shown to the public only once the campaign has ended"
        )
    else:
        template = gettext("Results of %(question)s shown to the public as the answers come in")
    return e.say(template, question=question)


def _template_name(key: object) -> str:
    template = TEMPLATES.get(str(key))
    return gettext(template.name) if template is not None else str(key or "")


def _language_name(code: object) -> str:
    language = KNOWN.get(str(code))
    return language.name if language is not None else str(code)


def _wishes(template: str) -> Callable[[_Entry], Markup]:
    """A moderation of chosen wishes: how many changed of those chosen."""

    def describe(e: _Entry) -> Markup:
        chosen = e.detail.get("wishes")
        count = len(chosen) if isinstance(chosen, list) else 0
        return e.say(gettext(template), changed=e.number("changed"), chosen=count)

    return describe


_WISH_WORDS = {
    WishAction.APPROVE: N_("Approved wishes: %(changed)d changed of %(chosen)d chosen"),
    WishAction.REJECT: N_("Rejected wishes: %(changed)d changed of %(chosen)d chosen"),
    WishAction.REOPEN: N_(
        "Put wishes back into the queue: %(changed)d changed of %(chosen)d chosen"
    ),
    WishAction.MARK_PERSONAL_DATA: N_(
        "Marked wishes as personal data: %(changed)d changed of %(chosen)d chosen"
    ),
    WishAction.UNMARK: N_("Took the mark off wishes: %(changed)d changed of %(chosen)d chosen"),
    WishAction.REDACT: N_(
        "Removed the text of wishes for good: %(changed)d changed of %(chosen)d chosen"
    ),
}


AUDIT_WORDS: dict[str, Callable[[_Entry], Markup]] = {
    "login": lambda e: e.say(gettext("Logged in")),
    "logout-everywhere": _logout_everywhere,
    "user-add": lambda e: e.say(
        gettext("Added %(member)s as %(role)s"),
        member=e.ref("member", "member"),
        role=gettext(ROLE_NAMES.get(str(e.detail.get("role")), str(e.detail.get("role")))),
    ),
    "user-change": _user_change,
    "export": _export,
    "retention": lambda e: e.say(
        gettext(
            "Deleted what is kept no longer than %(days)d days: %(anonymised)d answers "
            "anonymised, %(blanked)d wish texts removed, %(deleted)d answers kept aside deleted"
        ),
        days=e.number("days"),
        anonymised=e.number("anonymised"),
        blanked=e.number("wishes_blanked"),
        deleted=e.number("kept_aside_deleted"),
    ),
    "paper-enter": lambda e: e.say(
        gettext("Typed in paper tally sheet no. %(sheet)d at %(place)s"),
        sheet=e.number("sheet"),
        place=e.ref("place", "place"),
    ),
    "paper-withdraw": lambda e: e.say(
        gettext("Withdrew paper tally sheet no. %(sheet)d at %(place)s"),
        sheet=e.number("sheet"),
        place=e.ref("place", "place"),
    ),
    "kiosk-register": lambda e: e.say(
        gettext("Registered the kiosk %(kiosk)s"), kiosk=e.ref("device", "kiosk")
    ),
    "kiosk-reenrol": lambda e: e.say(
        gettext("Gave the kiosk %(kiosk)s a new enrolment code"), kiosk=e.ref("device", "kiosk")
    ),
    "kiosk-revoke": lambda e: e.say(
        gettext("Revoked the kiosk %(kiosk)s: its token no longer works"),
        kiosk=e.ref("device", "kiosk"),
    ),
    "kiosk-places": lambda e: e.say(
        gettext("Changed the places of the kiosk %(kiosk)s: added %(added)s; removed %(removed)s"),
        kiosk=e.ref("device", "kiosk"),
        added=e.refs("added", "place"),
        removed=e.refs("removed", "place"),
    ),
    "kiosk-import": lambda e: e.say(
        gettext(
            "Imported a file carried from the kiosk %(kiosk)s: %(stored)d answers stored, "
            "%(duplicate)d already there, %(aside)d kept aside, %(conflict)d in conflict, "
            "%(rejected)d rejected"
        ),
        kiosk=e.ref("device", "kiosk"),
        **{key: e.number(key) for key in ("stored", "duplicate", "aside", "conflict")},
        rejected=e.number("rejected"),
    ),
    "kiosk-release": lambda e: e.say(
        gettext(
            "Released answers the kiosk %(kiosk)s sent for %(place)s: %(stored)d stored, "
            "%(duplicate)d already there, %(conflict)d in conflict, %(rejected)d rejected"
        ),
        kiosk=e.ref("device", "kiosk"),
        place=e.ref("location", "place"),
        **{key: e.number(key) for key in ("stored", "duplicate", "conflict", "rejected")},
    ),
    "kiosk-reject": lambda e: e.say(
        gettext("Rejected answers the kiosk %(kiosk)s sent for %(place)s: %(count)d"),
        kiosk=e.ref("device", "kiosk"),
        place=e.ref("location", "place"),
        count=e.number("count"),
    ),
    "poster-logo": lambda e: e.say(
        gettext("Put a logo on the posters of %(campaign)s"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "poster-logo-remove": lambda e: e.say(
        gettext("Removed the logo from the posters of %(campaign)s"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "question-save": lambda e: e.say(
        gettext("Saved the question %(question)s"), question=e.ref("question", "question")
    ),
    "question-add": lambda e: e.say(
        gettext("Added the question %(question)s to %(campaign)s"),
        question=e.ref("question", "question"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "question-move": _moved,
    "question-results-shown": _results_shown,
    "question-station": lambda e: (
        e.say(
            gettext("Asked the question %(question)s at %(place)s only"),
            question=e.ref("question", "question"),
            place=e.ref("location", "place"),
        )
        if e.detail.get("location") is not None
        else e.say(
            gettext("Asked the question %(question)s at every station"),
            question=e.ref("question", "question"),
        )
    ),
    "station-move": lambda e: e.say(
        gettext("Moved the station %(place)s of %(campaign)s up")
        if e.number("step") < 0
        else gettext("Moved the station %(place)s of %(campaign)s down"),
        place=e.ref("location", "place"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "station-note": lambda e: e.say(
        gettext("Changed what the station %(place)s of %(campaign)s shows"),
        place=e.ref("location", "place"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "campaign-create": lambda e: e.say(
        gettext("Created the campaign %(campaign)s from the template “%(template)s”"),
        campaign=e.ref("campaign", "campaign"),
        template=_template_name(e.detail.get("template")),
    ),
    "campaign-save": lambda e: e.say(
        gettext("Saved the campaign %(campaign)s"), campaign=e.ref("campaign", "campaign")
    ),
    "campaign-copy": lambda e: e.say(
        gettext("Copied the campaign %(original)s as %(campaign)s"),
        original=e.ref("original", "campaign"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "campaign-translate": lambda e: e.say(
        gettext("Translated the campaign %(campaign)s into %(language)s"),
        campaign=e.ref("campaign", "campaign"),
        language=Markup("<bdi>{}</bdi>").format(_language_name(e.detail.get("language"))),
    ),
    "drawing-add": lambda e: e.say(
        gettext("Uploaded a paper drawing (%(number)s) for %(campaign)s at %(place)s"),
        number=e.detail.get("drawing", "?"),
        campaign=e.ref("campaign", "campaign"),
        place=e.ref("place", "place"),
    ),
    "drawing-approve": lambda e: e.say(
        gettext("Approved the drawing %(number)s"), number=e.detail.get("drawing", "?")
    ),
    "drawing-reject": lambda e: e.say(
        gettext("Turned away the drawing %(number)s"), number=e.detail.get("drawing", "?")
    ),
    "demo-load": lambda e: e.say(
        gettext("Loaded the demo: the area %(area)s and the campaign %(campaign)s"),
        area=e.ref("area", "area"),
        campaign=e.ref("campaign", "campaign"),
    ),
    "area-save": lambda e: e.say(gettext("Saved the area %(area)s"), area=e.ref("area", "area")),
    "place-save": lambda e: e.say(
        gettext("Saved the place %(place)s"), place=e.ref("place", "place")
    ),
    "place-pin": _place_pin,
    **{f"wishes-{action.value}": _wishes(words) for action, words in _WISH_WORDS.items()},
}
"""What each action of the audit log says, in words; every code audit() is called with has
one (tests/test_audit_words.py reads them from the sources)."""


def said(entry: AuditEntry, page: AuditPage) -> Markup:
    """An audit entry in words, with links to what it names; an unknown code as it is."""
    describe = AUDIT_WORDS.get(entry.action)
    e = _Entry(entry, page)
    if describe is not None:
        try:
            return describe(e)
        except (KeyError, TypeError, ValueError):
            pass  # an entry written by an older version in another shape: shown as stored
    shown = ", ".join(
        f"{key}={value}" for key, value in (entry.detail or {}).items() if key != "via"
    )
    return Markup("<code>{}</code>{}").format(entry.action, f" ({shown})" if shown else "")
