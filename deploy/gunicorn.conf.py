"""gunicorn settings for the kiosk service: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

import os

bind = os.environ.get("KIOSK_BIND", "127.0.0.1:8000")
# Sync workers, one per core: on SQLite, threads would only queue on its single write lock.
workers = int(os.environ.get("KIOSK_WORKERS", "2"))
accesslog = "-"
# No client address, user agent or query string (it carries visit ids): the service keeps no
# personal data, its logs included.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
