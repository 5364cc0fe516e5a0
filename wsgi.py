"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

from kiosk import create_app
from kiosk.config import secret_key_problem

app = create_app()
if (problem := secret_key_problem(app.config)) is not None:
    raise SystemExit(f"kiosk will not serve: {problem}")
