"""gunicorn settings for the kiosk service: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

import os

bind = os.environ.get("KIOSK_BIND", "127.0.0.1:8000")
# Sync workers, one per core: on SQLite, threads would only queue on its single write lock.
workers = int(os.environ.get("KIOSK_WORKERS", "2"))
accesslog = "-"
# No client address, user agent or query string (it carries visit ids): the service keeps no
# personal data, its logs included.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# gunicorn's control socket sits at one path per user: two servers on a machine would fight
# over it, and nothing here uses it.
control_socket_disable = True
