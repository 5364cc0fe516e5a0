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
# Some of gunicorn's error lines name the client ("Invalid request from ip=…"): a filter
# blanks every IP address before a line is written (kiosk/core/logscrub.py).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "kiosk.core.logscrub.NoAddresses"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stdout",
            "filters": ["no_addresses"],
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
            "filters": ["no_addresses"],
        },
    },
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
            "class": "logging.Formatter",
        }
    },
}
