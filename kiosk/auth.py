"""Staff log in and out; the rest of the staff area requires a logged-in user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user

from kiosk import db
from kiosk.accounts import audit, authenticate
from kiosk.errors import ForbiddenError
from kiosk.models import StaffUser
from kiosk.permissions import Permission, allowed

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

    @app.context_processor
    def _permissions() -> dict[str, object]:
        def can(permission: str) -> bool:
            user = current_user
            return bool(user.is_authenticated) and allowed(user.role, Permission(permission))

        return {"can": can}


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
def _load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session().get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    """Follow a ?next= (or a form's next) only within this site; else the staff overview."""
    # "//host" and "/\host" are both read by browsers as another host.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("staff.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form and log a staff member in."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.index"))
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        password = request.form.get("password", "")[:1024]
        session = db.session()
        user = authenticate(session, email, password)
        if user is not None:
            login_user(user)
            audit(session, user, "login")
            session.commit()
            return redirect(safe_next(request.args.get("next")))
        error = gettext("E-mail or password is wrong.")
    status = 422 if error else 200
    return render_template("auth/login.html", error=error, email=email), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out and return to the login form."""
    logout_user()
    return redirect(url_for("auth.login"))
