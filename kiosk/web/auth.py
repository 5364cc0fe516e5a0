"""Staff log in and out; the rest of the staff area requires a logged-in user."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user

from kiosk.access.accounts import (
    LOGIN_WINDOW,
    authenticate,
    count_failed_login,
    end_all_sessions,
    end_session,
    forget_refused,
    logged_in,
    login_attempt,
    login_refused,
    note_login_failure,
    session_user,
)
from kiosk.access.permissions import Permission, allowed
from kiosk.access.reach import EVERYWHERE, Reach, reach_of
from kiosk.core.errors import ForbiddenError
from kiosk.models import Actor, StaffUser
from kiosk.safety.ratelimits import RateLimitedError, Scope
from kiosk.web import db
from kiosk.web.hooks import check_client_rate

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()


def init_app(app: Flask) -> None:
    """Attach Flask-Login: staff pages send anonymous visitors to the login form."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    # "basic" protection rewrites every visitor's session cookie (and hashes IP and user agent
    # into it); staff sessions are protected by the signed, HttpOnly, SameSite cookie instead.
    login_manager.session_protection = None
    app.before_request(_expire_idle_staff_sessions)

    @app.context_processor
    def _permissions() -> dict[str, object]:
        def can(permission: str) -> bool:
            user = current_user
            return bool(user.is_authenticated) and allowed(user.role, Permission(permission))

        return {"can": can, "reach": current_reach}


def acting() -> Actor:
    """The logged-in staff member as the actor of a change (for the audit log)."""
    return Actor(current_user.id)


def current_reach() -> Reach:
    """The areas the logged-in staff member works in (once per request)."""
    if not current_user.is_authenticated:
        return EVERYWHERE
    if "reach" not in g:
        g.reach = reach_of(current_user)
    reach: Reach = g.reach
    return reach


P = ParamSpec("P")
R = TypeVar("R")


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a staff view run only for a logged-in user whose role has this permission."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()  # type: ignore[no-any-return]
            if not allowed(current_user.role, permission):
                raise ForbiddenError()
            return view(*args, **kwargs)

        return guarded

    return decorator


@login_manager.user_loader
def _load_user(session_id: str) -> StaffUser | None:
    """The user of a session ("id.epoch.session"), unless it has been ended."""
    return session_user(db.session(), session_id)


def safe_next(target: str | None) -> str:
    """Follow a ?next= (or a form's next) only within this site; else the staff overview."""
    # "//host" and "/\host" are both read by browsers as another host.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("staff.results.index")


@bp.before_request
def _throttle_logins() -> ResponseReturnValue | None:
    """Count a login attempt (per network, and per e-mail and network) before its password is read.

    The counts are committed at once: of many attempts at the same time, only as many as
    allowed get as far as the password. Past a limit the form comes back with 429.
    """
    if request.endpoint != "auth.login" or request.method != "POST":
        return None
    if current_user.is_authenticated:
        return None  # the login view sends them on; a form sent twice is no failed attempt
    email = request.form.get("email", "")[:254]
    try:
        check_client_rate(Scope.LOGIN, "LOGINS_PER_CLIENT")
    except RateLimitedError:
        minutes = current_app.config["RATE_WINDOW_MINUTES"]
        error = gettext(
            "Too many logins from your network. Please wait %(minutes)d minutes.", minutes=minutes
        )
        return render_template("staff/auth/login.html", error=error, email=email), 429
    session = db.session()
    secret = current_app.config["SECRET_KEY"].encode()
    g.login_attempt = login_attempt(email, request.remote_addr or "", secret)
    noted = note_login_failure(session, g.login_attempt)  # forgotten when the password is right
    session.commit()
    if login_refused(session, g.login_attempt):
        forget_refused(session, noted)  # no password was read: no guess to count
        count_failed_login(session, g.login_attempt, email)
        session.commit()
        error = gettext(
            "Too many failed logins with this address. Please wait %(minutes)d minutes.",
            minutes=LOGIN_WINDOW.seconds // 60,
        )
        return render_template("staff/auth/login.html", error=error, email=email), 429
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form and log a staff member in (attempts are throttled beforehand)."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.results.index"))
    email = request.form.get("email", "")[:254]
    if request.method == "GET":
        return render_template("staff/auth/login.html", error=None, email=email)
    session = db.session()
    user = authenticate(session, email, request.form.get("password", "")[:1024])
    if user is None:
        count_failed_login(session, g.login_attempt, email)
        session.commit()
        error = gettext("E-mail or password is wrong.")
        return render_template("staff/auth/login.html", error=error, email=email), 422
    failed = logged_in(session, user, g.login_attempt)
    language = flask_session.get("lang")
    flask_session.clear()  # nothing from before the login carries over (fixation)
    if language:
        flask_session["lang"] = language
    login_user(user)
    flask_session["staff_since"] = flask_session["staff_seen"] = time.time()
    if failed.attempts:
        flash(
            gettext(
                "Since your last login, there were failed attempts to log in with your e-mail "
                "address. Attempts: %(attempts)d. Networks they came from: %(networks)d.",
                attempts=failed.attempts,
                networks=failed.networks,
            )
        )
    session.commit()
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out (a copy of this session's cookie too) and return to the login form."""
    _end_this_session()
    return redirect(url_for("auth.login"))


def _end_this_session() -> None:
    """Log out here, and end this session on every server, for a copy of its cookie too."""
    if current_user.is_authenticated:
        since = flask_session.get("staff_since")
        started = since if isinstance(since, (int, float)) else time.time()
        hours = current_app.config["STAFF_SESSION_HOURS"]
        until = dt.datetime.fromtimestamp(started, dt.UTC) + dt.timedelta(hours=hours)
        session = db.session()
        end_session(session, current_user.login_session, until=until)
        session.commit()
    logout_user()
    flask_session.pop("staff_since", None)
    flask_session.pop("staff_seen", None)


@bp.post("/logout-everywhere")
def logout_everywhere() -> ResponseReturnValue:
    """End every session of this staff member (another browser left logged in, a lost phone)."""
    if current_user.is_authenticated:
        session = db.session()
        user = session.get(StaffUser, current_user.id)
        if user is not None:
            end_all_sessions(session, user, actor=acting())
            session.commit()
    return logout()


def _expire_idle_staff_sessions() -> ResponseReturnValue | None:
    """A staff session ends after a while without use, and after a working day at most.

    Every page under /staff/ counts, whichever blueprint serves it (posters too); the login
    and logout pages themselves do not.
    """
    staff_page = request.path.startswith("/staff/") and request.blueprint != "auth"
    if not staff_page or not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    longest = current_app.config["STAFF_SESSION_HOURS"] * 3600
    seen = flask_session.get("staff_seen", 0)
    since = flask_session.get("staff_since", 0)
    if not isinstance(seen, (int, float)) or not isinstance(since, (int, float)):
        seen = since = 0
    if now - seen > idle or now - since > longest:
        _end_this_session()  # a copy of the cookie, kept busy elsewhere, ends with it
        flash(gettext("Your session has ended. Please log in again."))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    flask_session["staff_seen"] = now
    return None
