"""A front-end on another origin, with the cookie transport, in a real Chromium.

A tiny static page (another port of the same host: another origin, the same site) logs
in with cookies, lists and creates authors, refreshes and logs out, holding only the CSRF
token; script never sees a token. A page from an origin not in CORS_ALLOWED_ORIGINS can
neither read the API's answers nor write with the cookies (the CSRF check).
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from accounts.models import LoginSession
from accounts.tests.factories import PASSWORD
from authors.models import Author

pytestmark = pytest.mark.django_db(transaction=True)

FRONT_END = """<!doctype html>
<meta charset="utf-8"><title>Shelf</title>
<script>
const API = new URLSearchParams(location.search).get("api");
let csrf = null;  // from the login answer: a page on another origin cannot read the API's cookie
async function call(method, path, body) {
  const headers = {"Content-Type": "application/json"};
  if (csrf) headers["X-CSRFToken"] = csrf;
  const answer = await fetch(API + path, {
    method, headers, credentials: "include", body: body ? JSON.stringify(body) : undefined,
  });
  const text = await answer.text();
  return {status: answer.status, body: text ? JSON.parse(text) : null};
}
async function logIn(username, password) {
  await restore();  // a cookie login is CSRF-checked too (no login CSRF)
  const answer = await call("POST", "/api/auth/token/", {username, password, transport: "cookie"});
  if (answer.status === 200) csrf = answer.body.csrf_token;
  return answer;
}
async function restore() {  // the CSRF token: before a login, and after a reload (the cookies stay)
  csrf = (await call("GET", "/api/auth/csrf/")).body.csrf_token;
}
const listAuthors = () => call("GET", "/api/authors/");
const createAuthor = (name) => call("POST", "/api/authors/", {name, book: "Milkman", country: "Ireland"});
const refresh = () => call("POST", "/api/auth/token/refresh/", {});
const logOut = () => call("POST", "/api/auth/logout/", {});
</script>
"""

STRANGER = """<!doctype html>
<meta charset="utf-8"><title>Elsewhere</title>
<script>
const API = new URLSearchParams(location.search).get("api");
async function peek() {
  try {
    const answer = await fetch(API + "/api/authors/", {credentials: "include"});
    return {status: answer.status, body: await answer.text()};
  } catch (error) {
    return {blocked: String(error)};
  }
}
</script>
<form id="forged" method="post">
  <input name="name" value="Forged Author"><input name="book" value="Forged"><input name="country" value="Nowhere">
</form>
"""


@pytest.fixture
def static_site(tmp_path):
    """Serve one page from a port of its own; the page's origin is yielded."""
    servers = []

    def serve(hostname: str, html: str) -> str:
        root = tmp_path / f"site{len(servers)}"
        root.mkdir()
        (root / "index.html").write_text(html)
        handler = functools.partial(QuietHandler, directory=str(root))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://{hostname}:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def sites(live_server, static_site, settings):
    """The API, the listed front-end and a stranger: three ports of one host."""
    api = live_server.url
    hostname = urlsplit(api).hostname
    front_end, stranger = static_site(hostname, FRONT_END), static_site(hostname, STRANGER)
    settings.CORS_ALLOWED_ORIGINS = [front_end]
    settings.CSRF_TRUSTED_ORIGINS = [front_end]
    return api, front_end, stranger


def test_a_front_end_on_another_origin_works_with_cookies_it_cannot_read(sites, page, user):
    api, front_end, _ = sites
    page.goto(f"{front_end}/index.html?api={api}")

    login = page.evaluate(f"logIn({user.username!r}, {PASSWORD!r})")
    assert login["status"] == 200
    assert set(login["body"]) == {"access_expires_at", "refresh_expires_at", "csrf_token"}

    created = page.evaluate("createAuthor('Anna Burns')")
    assert created["status"] == 201
    listed = page.evaluate("listAuthors()")
    assert [author["name"] for author in listed["body"]["results"]] == ["Anna Burns"]

    token_cookies = {
        c["name"]: c for c in page.context.cookies() if c["name"].endswith(("_token", "_logout"))
    }
    assert set(token_cookies) == {"access_token", "refresh_token", "refresh_token_logout"}
    assert all(cookie["httpOnly"] for cookie in token_cookies.values())
    old_access = token_cookies["access_token"]["value"]

    refreshed = page.evaluate("refresh()")
    assert refreshed["status"] == 200
    assert "access" not in refreshed["body"]
    assert next(c for c in page.context.cookies() if c["name"] == "access_token")["value"] != old_access
    assert page.evaluate("listAuthors()")["status"] == 200

    # Script sees no token: not on the front-end, nor on a page of the API's own paths.
    assert "_token" not in page.evaluate("document.cookie")
    page.goto(f"{api}/api/auth/token/refresh/")
    assert "access_token" not in page.evaluate("document.cookie")
    assert "refresh_token" not in page.evaluate("document.cookie")

    page.goto(f"{front_end}/index.html?api={api}")
    page.evaluate("restore()")
    logged_out = page.evaluate("logOut()")
    assert logged_out["status"] == 204
    assert not [c for c in page.context.cookies() if c["name"].endswith(("_token", "_logout"))]
    assert page.evaluate("listAuthors()")["status"] == 401
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()


def test_an_unlisted_origin_cannot_read_answers_nor_forge_a_write(sites, page, user):
    api, front_end, stranger = sites
    page.goto(f"{front_end}/index.html?api={api}")
    assert page.evaluate(f"logIn({user.username!r}, {PASSWORD!r})")["status"] == 200
    assert page.evaluate("createAuthor('Anna Burns')")["status"] == 201

    page.goto(f"{stranger}/index.html?api={api}")
    peeked = page.evaluate("peek()")
    assert "blocked" in peeked  # the browser withholds the answer: no CORS header for this origin

    page.evaluate(f"document.getElementById('forged').action = {api + '/api/authors/'!r}")
    with page.expect_response(f"{api}/api/authors/") as forged:
        page.evaluate("document.getElementById('forged').submit()")
    assert forged.value.status == 403
    assert "CSRF Failed" in forged.value.text()
    assert (
        forged.value.request.all_headers().get("cookie", "").count("access_token") == 1
    )  # sent, and refused
    assert list(Author.objects.values_list("name", flat=True)) == ["Anna Burns"]
