"""gunicorn settings for `make serve`; each can be overridden on the command line."""

import multiprocessing
import os

wsgi_app = "library.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The classic rule for sync workers: two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
# On SIGTERM (a deploy), requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# The access log is the app's own request log (library/request_log.py): one line per
# request with the user id, JSON with LOG_FORMAT=json. gunicorn's would be a second line.
accesslog = None
errorlog = "-"
# No request-line cap here: gunicorn would answer a long URL with an HTML 414, and
# under /api/ every answer is JSON. The app bounds what it parses (Django's
# DATA_UPLOAD_MAX_NUMBER_FIELDS); in production the TLS proxy in front caps URL size.
limit_request_line = 0
