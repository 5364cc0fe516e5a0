"""The web layer: the app factory wiring configuration, hooks, login and the blueprints."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.core.config import PROJECT_ROOT, load_config
from kiosk.web import auth, db, hooks, i18n

__all__ = ["create_app"]


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from configuration; does no I/O beyond reading configuration."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(load_config(overrides))
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx: trust the scheme and the client address it reports (the address only
        # keys rate limits, hashed, and is never stored). The Host header it passes on as is.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    hooks.init_app(app)

    from kiosk.cli import register_commands
    from kiosk.web import api, staff
    from kiosk.web.public import charts, pages, wall

    charts.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(wall.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(api.bp)
    register_commands(app)
    return app
