"""The moderation queue: moderators approve, reject or mark wishes, one or many at a time."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext, ngettext
from sqlalchemy import Select

from kiosk.access.permissions import Permission
from kiosk.core.errors import InvalidSettingError
from kiosk.safety.moderation import (
    Flag,
    WishAction,
    WishList,
    WishMark,
    moderate,
    parse_action,
    parse_selection,
    parse_state,
    queue,
    wishes_by_list,
)
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.shared import CHANNEL_NAMES

bp = Blueprint("moderation", __name__, url_prefix="/wishes")
PAGE = 50
FLAG_NAMES = {
    Flag.ABUSE: lazy_gettext("rude word?"),
    Flag.PERSONAL_DATA: lazy_gettext("personal data?"),
    Flag.LINK: lazy_gettext("link"),
}


def _places() -> Select[int] | None:
    """The places whose wishes this moderator handles: None for all of them."""
    reach = current_reach()
    return None if reach.everywhere else reach.location_ids()


@bp.get("/")
@requires(Permission.MODERATE)
def index() -> ResponseReturnValue:
    """Wishes of a list (the open ones first), newest first, with the pre-filter's flags."""
    session = db.session()
    shown = request.args.get("state", WishList.OPEN.value)
    state = parse_state(shown)
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before <= 2**62:
        before = None  # not an id of ours: the newest
    places = _places()
    wishes = queue(session, state=state, before=before, limit=PAGE + 1, places=places)
    counts = wishes_by_list(session, places)
    return render_template(
        "staff/moderation/index.html",
        wishes=wishes[:PAGE],
        older=wishes[PAGE - 1].id if len(wishes) > PAGE else None,
        state=state.value if state else "all",
        counts=counts,
        total=sum(counts.values()),
        states=[s.value for s in WishList],
        flag_names=FLAG_NAMES,
        channel_names=CHANNEL_NAMES,
        actions=WishAction,
    )


@bp.post("/")
@requires(Permission.MODERATE)
def act() -> ResponseReturnValue:
    """Apply an action to the ticked wishes, or to one wish by its own button."""
    if "row" in request.form:  # "approve:123", a button beside one wish
        action_name, _, wish_id = request.form["row"].partition(":")
        action, ids = parse_action(action_name), parse_selection([wish_id])
    else:
        action = parse_action(request.form.get("action", ""))
        ids = parse_selection(request.form.getlist("ids"))
    session = db.session()
    if action == WishAction.REDACT and request.form.get("confirmed") != "yes":
        # It cannot be undone: show what would go, and ask once more.
        chosen = queue(session, state=None, ids=ids, places=_places(), limit=len(ids))
        return render_template(
            "staff/moderation/redact.html",
            wishes=[w for w in chosen if w.mark != WishMark.REDACTED],
            state=request.form.get("state", ""),
        )
    changed = moderate(session, ids, action, actor=acting(), places=_places())
    session.commit()
    if action == WishAction.REDACT:
        flash(
            ngettext(
                "Text of %(num)d wish removed; it is now among the rejected wishes.",
                "Text of %(num)d wishes removed; they are now among the rejected wishes.",
                changed,
            )
        )
    else:
        flash(ngettext("%(num)d wish changed.", "%(num)d wishes changed.", changed))
    state = request.form.get("state", "")
    try:
        parse_state(state)
    except InvalidSettingError:
        state = ""
    return redirect(url_for(".index", state=state or None), code=303)
