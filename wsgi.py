"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

from kiosk.core.config import secret_key_problem
from kiosk.web import create_app

app = create_app()
if (problem := secret_key_problem(app.config)) is not None:
    raise SystemExit(f"kiosk will not serve: {problem}")
