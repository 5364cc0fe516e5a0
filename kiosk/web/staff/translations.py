"""Translating a campaign's texts, one language at a time beside the German (editors)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from kiosk.access.permissions import Permission
from kiosk.access.reach import reaches_campaign, require
from kiosk.core.errors import FormError
from kiosk.core.languages import KNOWN
from kiosk.setup.content_translations import (
    load_campaign,
    progress,
    save_translations,
    text_rows,
    translation_language,
)
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.shared import MAX_ID, field_errors

bp = Blueprint("translations", __name__, url_prefix="/setup/campaigns")
MAX_FIELDS = 1000  # a campaign has a few dozen texts; a bigger form is not ours


def _page(campaign_id: int, code: str, errors: dict[str, str], sent: dict[str, str]) -> str:
    campaign = load_campaign(db.session(), campaign_id)
    offered: tuple[str, ...] = current_app.config["LANGUAGES"]
    return render_template(
        "staff/translations/index.html",
        campaign=campaign,
        target=KNOWN[code],
        rows=text_rows(campaign, code),
        progress=progress(campaign, offered),
        known=KNOWN,
        errors=errors,
        sent=sent,
    )


@bp.route(f"/<int(max={MAX_ID}):campaign_id>/translations/<code>", methods=["GET", "POST"])
@requires(Permission.EDIT)
def translate(campaign_id: int, code: str) -> ResponseReturnValue:
    """A campaign's invitation, questions and answers in one language, beside the German."""
    session = db.session()
    code = translation_language(code, current_app.config["LANGUAGES"])
    load_campaign(session, campaign_id)  # 404 before 403, as elsewhere
    require(reaches_campaign(session, current_reach(), campaign_id))
    if request.method == "GET":
        return _page(campaign_id, code, {}, {})
    sent = {key: value[:2000] for key, value in list(request.form.items())[:MAX_FIELDS]}
    try:
        changed = save_translations(session, campaign_id, code, sent, actor=acting())
    except FormError as error:
        return _page(campaign_id, code, field_errors(error), sent), 422
    session.commit()
    flash(
        ngettext(
            "Saved: %(num)d text in %(language)s.",
            "Saved: %(num)d texts in %(language)s.",
            changed,
            language=KNOWN[code].name,
        )
    )
    return redirect(url_for(".translate", campaign_id=campaign_id, code=code), code=303)
