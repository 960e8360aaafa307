"""gunicorn's sync worker, answering the requests it refuses to parse in the API's JSON shape.

gunicorn turns away a request line or headers over its limits (gunicorn.conf.py) before
Django sees them, with an HTML page; every other answer of the API is
`{"detail": ..., "code": ...}`, so these are too. Any other parse error keeps
gunicorn's own answer.
"""

import json

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker

REFUSALS = {
    LimitRequestLine: (414, "URI Too Long", "The request line is too long.", "request_line_too_long"),
    LimitRequestHeaders: (
        431,
        "Request Header Fields Too Large",
        "The request headers are too large or too many.",
        "request_headers_too_large",
    ),
}


class JSONErrorSyncWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc):
        refusal = next((answer for kind, answer in REFUSALS.items() if isinstance(exc, kind)), None)
        if refusal is None:
            return super().handle_error(req, client, addr, exc)
        status, reason, detail, code = refusal
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        body = json.dumps({"detail": detail, "code": code}).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except OSError:
            self.log.debug("Failed to send error message.")
