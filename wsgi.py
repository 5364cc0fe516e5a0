"""The WSGI entry point: `gunicorn wsgi:app`."""

from kiosk import create_app

app = create_app()
if app.config.get("SECRET_KEY_IS_EPHEMERAL"):
    app.logger.warning(
        "No KIOSK_SECRET_KEY and no instance/secret_key: each worker signs sessions with its "
        "own key. Run `kiosk init-db` once, or set KIOSK_SECRET_KEY."
    )
