"""Pages for staff: one blueprint over every staff area, behind one login guard.

Each area (results, set-up, moderation, kiosks, posters, paper counts, people, translations)
is a module with its own blueprint, registered here under /staff. The login guard and the
private-cache header sit on this parent, so an area cannot forget them; each view states the
permission it needs with `requires`.
"""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kiosk.web.auth import login_manager
from kiosk.web.staff import (
    drawings,
    kiosks,
    moderation,
    paper,
    people,
    posters,
    results,
    route,
    setup,
    translations,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
for area in (
    results.bp,
    setup.bp,
    route.bp,
    translations.bp,
    moderation.bp,
    drawings.bp,
    kiosks.bp,
    posters.bp,
    posters.campaigns,
    paper.bp,
    people.bp,
):
    bp.register_blueprint(area)


@bp.before_request
def _require_login() -> ResponseReturnValue | None:
    """Every staff page needs a logged-in staff member (the login form is not one of them)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
