"""What every response gets: security headers, CSRF, htmx, and readable error pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from kiosk.core.errors import N_, KioskError
from kiosk.safety.ratelimits import RateLimitedError, Scope, over_limit
from kiosk.web import db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

htmx = HTMX()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Attach htmx, CSRF protection, security headers and error handlers."""
    htmx.init_app(app)
    csrf.init_app(app)
    app.before_request(_body_limit)  # before anything reads the body, which fixes the limit
    app.before_request(_refuse_nul_characters)
    app.before_request(_refuse_cross_site_posts)
    app.after_request(_security_headers)
    app.register_error_handler(KioskError, _kiosk_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


class ForbiddenCharacterError(KioskError):
    """Input with a NUL character: no text field may hold one (PostgreSQL cannot store it)."""

    message = N_("The input contains a character that is not allowed.")


LARGER_BODIES = {
    "api.push_responses": 4 * 1024 * 1024,  # a batch of 1000 answers with long wishes
    "staff.kiosks.import_file": 64 * 1024 * 1024,  # a kiosk's whole outbox after weeks offline
    "staff.campaign_posters.upload_logo": 3 * 1024 * 1024,  # a logo of up to 2 MB, and its form
    "staff.drawings.upload": 13 * 1024 * 1024,  # a photo of a paper drawing: 12 MB, its form
}
"""Endpoints that take more than MAX_CONTENT_LENGTH (64 KB: every public form)."""


def _body_limit() -> None:
    limit = LARGER_BODIES.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


def _refuse_nul_characters() -> None:
    """Refuse NUL in any submitted value once, here, rather than in every form."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise ForbiddenCharacterError()


class CrossSiteError(KioskError):
    """A form sent from another website (a cross-site request forgery attempt)."""

    status = 403
    message = N_("This form was sent from another website and was not accepted.")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_cross_site_posts() -> None:
    """Refuse a state-changing request another site's page sent, besides the CSRF token.

    The browser says where a request comes from (Sec-Fetch-Site; Origin). The sync API is
    left out: kiosks call it with a bearer token, no cookie, and no browser.
    """
    if request.method in SAFE_METHODS or request.blueprint == "api":
        return
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise CrossSiteError()
    origin = request.headers.get("Origin")
    # By host name: a proxy may pass the Host without the port the browser saw.
    if origin is not None and urlsplit(origin).hostname != urlsplit(f"//{request.host}").hostname:
        raise CrossSiteError()  # also "null": a sandboxed or privacy-hidden origin


def _security_headers(response: Response) -> Response:
    if request.is_secure:  # behind TLS (with KIOSK_TRUSTED_PROXIES set behind nginx)
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def check_client_rate(scope: Scope, limit_setting: str) -> None:
    """Count this request against its network's limit (named by the setting); commits.

    Past the limit it raises RateLimitedError (kiosk.safety.ratelimits).
    """
    config = current_app.config
    session = db.session()
    with db.write_lock().held():
        past = over_limit(
            session,
            scope,
            secret=config["SECRET_KEY"],
            address=request.remote_addr or "",
            limit=config[limit_setting],
            window=dt.timedelta(minutes=config["RATE_WINDOW_MINUTES"]),
        )
        session.commit()  # the count holds even when the request then fails
    if past:
        raise RateLimitedError()


def render_error(message: str, status: int) -> tuple[str, int]:
    """An error as a fragment for htmx, as a page otherwise."""
    template = "errors/_error.html" if htmx else "errors/error.html"
    args = request.view_args or {}
    if "prefix" in args and "code" in args and status != 404:
        restart = url_for("public.start", prefix=args["prefix"], code=args["code"])
    elif "staff" in request.blueprints:
        restart = url_for("staff.results.index")
    else:
        restart = url_for("public.index")
    return render_template(template, message=message, status=status, restart=restart), status


def _kiosk_error(error: KioskError) -> tuple[str, int]:
    return render_error(gettext(error.message, **error.params), error.status)


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_error(
        gettext("This page was open too long or came from elsewhere. Please reload it."), 400
    )


_HTTP_MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("This page does not exist."),
    405: N_("This page cannot be used like that."),
    413: N_("That was too much text or data at once."),
}


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    status = error.code or 500
    if status >= 500:
        return render_error(gettext("Something went wrong on our side. Please try again."), 500)
    if status not in _HTTP_MESSAGES:
        return error
    if request.blueprint is None and request.path.startswith("/static/"):
        return error
    return render_error(gettext(_HTTP_MESSAGES[status]), status)
