"""Staff log in and out; the rest of the staff area requires a logged-in user."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user

from kiosk import db
from kiosk.accounts import audit, authenticate
from kiosk.models import StaffUser

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
