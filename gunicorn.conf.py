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
# A request line or a header over gunicorn's limits is refused before Django sees it,
# and refused at once: with no cap (limit_request_line = 0) gunicorn's parser goes
# quadratic and a 16 MB URL held a worker for 24 s, unauthenticated. 8190 bytes is
# gunicorn's ceiling for the request line; the header limits are its defaults, spelt
# out. The worker answers these refusals in the API's JSON shape (414, 431).
worker_class = "library.gunicorn_workers.JSONErrorSyncWorker"
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn's control socket (gunicornc) defaults to one path per user,
# $HOME/.gunicorn/gunicorn.ctl, so a second instance on the machine unlinks the first
# one's. Nothing here uses it; deploys signal the master (SIGHUP, SIGTERM) instead.
control_socket_disable = True
