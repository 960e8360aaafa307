"""The order newman runs the converted Postman collection in, and what each step checks.

Every request is one openapi-to-postmanv2 made from the live schema: its URL (on the
collection's baseUrl, from the schema's `servers`), method, headers, auth (Bearer
{{bearerToken}}) and example body. This module only picks them in an order a person
would follow, sets the bodies and query strings a flow needs (only parameters the
schema documents), and adds tests: the status, a few fields, and for errors the
example answer the collection carries for that status. Tokens and ids go from one
answer to the next through collection variables, as a Postman user would set them;
TOTP codes are computed before their request from the secret the setup answered.
"""

import copy
import json
from dataclasses import dataclass, field

# Given on newman's command line (--env-var): the user this run registers, and the
# superuser `manage.py createsuperuser` made.
VARIABLES = ("username", "password", "newPassword", "staffUsername", "staffPassword")

PAIR = {"bearerToken": "answer.access", "refreshToken": "answer.refresh"}


@dataclass
class Step:
    name: str
    method: str
    path: str  # as the schema writes it: /api/authors/{id}/
    status: int
    body: dict | None = None  # None: the converted request's own example body
    query: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # path variables
    checks: list[tuple[str, object]] = field(default_factory=list)  # (JavaScript on `answer`, expected)
    saves: dict = field(default_factory=dict)  # collection variable: JavaScript on `answer`
    documented: bool = False  # the answer is the collection's example for this status
    before: list[str] = field(default_factory=list)  # a pre-request script (JavaScript)


def log_in(name: str, username: str = "{{username}}", password: str = "{{password}}") -> Step:
    return Step(
        name, "POST", "/api/auth/token/", 200, {"username": username, "password": password}, saves=PAIR
    )


def refused(name: str) -> Step:
    """GET /api/accounts/me/ with the current bearer token: a documented 401."""
    return Step(name, "GET", "/api/accounts/me/", 401, documented=True)


# RFC 6238 as authenticator apps compute it (SHA1, 6 digits, 30 s), in the sandbox's
# CryptoJS, since newman has no pyotp: the code of the time step `offset` steps from now.
TOTP = """
const cryptoJs = require('crypto-js');
function totp(secret, offset) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = secret.replace(/=+$/, '').split('').map(c => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = (bits.match(/.{8}/g) || []).map(byte => parseInt(byte, 2).toString(16).padStart(2, '0')).join('');
  const counter = (Math.floor(Date.now() / 30000) + offset).toString(16).padStart(16, '0');
  const digest = cryptoJs.HmacSHA1(cryptoJs.enc.Hex.parse(counter), cryptoJs.enc.Hex.parse(key)).toString();
  const at = parseInt(digest.slice(-1), 16) * 2;
  return String((parseInt(digest.slice(at, at + 8), 16) & 0x7fffffff) % 1000000).padStart(6, '0');
}
const secret = pm.collectionVariables.get('totpSecret');
""".strip().splitlines()


def totp_code(offset: int = 0) -> list[str]:
    """Sets {{totpCode}}: the code of the step `offset` steps from now (a code is accepted
    once, so after one is spent the next is the following step's; the server allows one
    step of drift)."""
    return [*TOTP, f"pm.collectionVariables.set('totpCode', totp(secret, {offset}));"]


# Sets {{wrongCode}}: six digits that are no code within the server's one step of drift.
WRONG_CODE = [
    *TOTP,
    "const right = [-1, 0, 1].map(offset => totp(secret, offset));",
    "pm.collectionVariables.set('wrongCode', ['000000', '111111', '222222', '333333'].find(code => !right.includes(code)));",
]

REGISTRATION = {"username": "{{username}}", "email": "{{username}}@example.com", "password": "{{password}}"}
ANNA = "Anna Burns"
ALI = {"name": "Ali Smith", "book": "Autumn", "country": "United Kingdom", "booker_prize": False}
AUTHOR = {"id": "{{authorId}}"}
USER = {"id": "{{userId}}"}
NAMES = ("answer.results.map(author => author.name)",)

# One row a request, in the order they run.
# fmt: off
STEPS = [
    Step("Is the service up?", "GET", "/api/health/", 200, checks=[("answer.status", "ok")]),
    Step("The token signing keys (none public with HS256)", "GET", "/api/auth/jwks/", 200, checks=[("answer.keys", [])]),
    Step("A CSRF token for the cookie transport", "GET", "/api/auth/csrf/", 200, checks=[("answer.csrf_token.length", 64)]),
    Step("Register", "POST", "/api/auth/register/", 201, REGISTRATION, checks=[("'password' in answer", False)]),
    Step("Register the same name again", "POST", "/api/auth/register/", 400, {"username": "{{username}}", "email": "other-{{username}}@example.com", "password": "{{password}}"}, documented=True),
    log_in("Log in by username"),
    log_in("Log in by email", username="{{username}}@example.com"),
    Step("Log in with a wrong password", "POST", "/api/auth/token/", 401, {"username": "{{username}}", "password": "a wrong guess"}, documented=True),
    Step("Your account", "GET", "/api/accounts/me/", 200, checks=[("answer.username === pm.variables.get('username')", True)]),
    Step("Change your name", "PATCH", "/api/accounts/me/", 200, checks=[("answer.last_name", "King")]),
    Step("List users", "GET", "/api/accounts/users/", 200, query={"page_size": "100"}, checks=[("answer.results.every(user => user.view === 'public' && !('email' in user))", True)]),
    Step("Add an author", "POST", "/api/authors/", 201, checks=[("answer.name", ANNA)], saves={"authorId": "answer.id"}),
    Step("Add another", "POST", "/api/authors/", 201, ALI),
    Step("Add the first one again", "POST", "/api/authors/", 400, documented=True),
    Step("List your authors", "GET", "/api/authors/", 200, checks=[("answer.count", 2)]),
    Step("Winners from the United Kingdom", "GET", "/api/authors/", 200, query={"country": "united kingdom", "booker_prize": "true"}, checks=[(*NAMES, [ANNA])]),
    Step("Not winners, as Python spells False", "GET", "/api/authors/", 200, query={"booker_prize": "False"}, checks=[(*NAMES, ["Ali Smith"])]),
    Step("Search", "GET", "/api/authors/", 200, query={"search": "autumn"}, checks=[(*NAMES, ["Ali Smith"])]),
    Step("By name", "GET", "/api/authors/", 200, query={"ordering": "name"}, checks=[(*NAMES, ["Ali Smith", ANNA])]),
    Step("By an unknown field", "GET", "/api/authors/", 400, query={"ordering": "bogus"}, checks=[("Object.keys(answer)", ["ordering"])]),
    Step("Page 2, one a page", "GET", "/api/authors/", 200, query={"page_size": "1", "page": "2", "ordering": "name"}, checks=[(*NAMES, [ANNA]), ("answer.previous !== null && answer.next === null", True)]),
    Step("Past the last page", "GET", "/api/authors/", 404, query={"page": "9"}, documented=True),
    Step("One author", "GET", "/api/authors/{id}/", 200, ids=AUTHOR, checks=[("answer.name", ANNA)]),
    Step("Replace it", "PUT", "/api/authors/{id}/", 200, ids=AUTHOR, checks=[("answer.book", "Milkman")]),
    Step("Change it", "PATCH", "/api/authors/{id}/", 200, {"booker_prize": False}, ids=AUTHOR, checks=[("answer.booker_prize", False)]),
    Step("Delete it", "DELETE", "/api/authors/{id}/", 204, ids=AUTHOR),
    Step("It is gone", "GET", "/api/authors/{id}/", 404, ids=AUTHOR, documented=True),
    Step("Delete without saying what", "DELETE", "/api/authors/", 400, documented=True),
    Step("Delete your whole library", "DELETE", "/api/authors/", 200, query={"all": "true"}, checks=[("answer.deleted", 1)]),
    Step("Verify your token", "POST", "/api/auth/token/verify/", 200, {"token": "{{bearerToken}}"}),
    Step("Your live sessions", "GET", "/api/auth/sessions/", 200, checks=[("answer.results.map(session => session.current).sort()", [False, True])], saves={"otherSession": "answer.results.find(session => !session.current).id"}),
    Step("Name the other one", "PATCH", "/api/auth/sessions/{id}/", 200, {"name": "Ada's phone"}, ids={"id": "{{otherSession}}"}, checks=[("answer.name", "Ada's phone")]),
    Step("A name with a control character", "PATCH", "/api/auth/sessions/{id}/", 400, {"name": "Ada's\nphone"}, ids={"id": "{{otherSession}}"}, documented=True),
    Step("End the other one", "DELETE", "/api/auth/sessions/{id}/", 204, ids={"id": "{{otherSession}}"}),
    Step("Refresh", "POST", "/api/auth/token/refresh/", 200, {"refresh": "{{refreshToken}}"}, saves={"rotatedRefresh": "pm.collectionVariables.get('refreshToken')", **PAIR}),
    Step("Revoke your access token", "POST", "/api/auth/token/revoke/", 204, {"token": "{{bearerToken}}"}),
    refused("A revoked access token is refused"),
    Step("Its session lives on: refresh", "POST", "/api/auth/token/refresh/", 200, {"refresh": "{{refreshToken}}"}, saves=PAIR),
    Step("Revoke the rotated refresh token", "POST", "/api/auth/token/revoke/", 204, {"token": "{{rotatedRefresh}}"}),
    Step("Its whole session has ended", "POST", "/api/auth/token/refresh/", 401, {"refresh": "{{refreshToken}}"}, documented=True),
    log_in("Log in again"),
    Step("Change your password", "POST", "/api/accounts/me/password/", 200, {"old_password": "{{password}}", "new_password": "{{newPassword}}"}, saves=PAIR),
    Step("Log out", "POST", "/api/auth/logout/", 204, {"refresh": "{{refreshToken}}"}),
    refused("Logged out"),
    log_in("Log in with the new password", password="{{newPassword}}"),
    Step("Log out everywhere", "POST", "/api/auth/logout-all/", 204),
    refused("Logged out everywhere"),
    # By mail: what can be asked without reading the mail (the Python client follows the links).
    Step("Forgot your password", "POST", "/api/auth/password-reset/", 202, {"email": "{{username}}@example.com"}),
    Step("A reset link that is not one", "POST", "/api/auth/password-reset/confirm/", 400, {"uid": "MQ", "token": "not-a-token", "new_password": "{{newPassword}}"}, documented=True),
    Step("Ask for a new confirmation link", "POST", "/api/auth/email/verify/resend/", 202, {"email": "{{username}}@example.com"}),
    Step("A confirmation key that is not one", "POST", "/api/auth/email/verify/", 400, {"key": "not-a-key"}, documented=True),
    # As staff: the superuser `manage.py createsuperuser` made.
    log_in("Log in as staff", username="{{staffUsername}}", password="{{staffPassword}}"),
    Step("List users as staff", "GET", "/api/accounts/users/", 200, query={"page_size": "100"}, checks=[("answer.results.every(user => user.view === 'staff' && 'email' in user)", True)], saves={"userId": "answer.results.find(user => user.username === pm.variables.get('username')).id"}),
    Step("One user as staff", "GET", "/api/accounts/users/{id}/", 200, ids=USER, checks=[("answer.is_active", True)]),
    Step("Deactivate the user", "PATCH", "/api/accounts/users/{id}/", 200, ids=USER, checks=[("answer.is_active", False)]),
    Step("A deactivated user cannot log in", "POST", "/api/auth/token/", 401, {"username": "{{username}}", "password": "{{newPassword}}"}, documented=True),
    Step("Activate the user", "PATCH", "/api/accounts/users/{id}/", 200, {"is_active": True}, ids=USER, checks=[("answer.is_active", True)]),
    Step("Delete the user", "DELETE", "/api/accounts/users/{id}/", 204, ids=USER),
    Step("The user is gone", "GET", "/api/accounts/users/{id}/", 404, ids=USER, documented=True),
    # Your own account, to the end.
    Step("Register once more", "POST", "/api/auth/register/", 201, REGISTRATION),
    log_in("Log in once more"),
    Step("Set up a second factor", "POST", "/api/auth/mfa/totp/setup/", 200, {"password": "{{password}}"}, checks=[("answer.otpauth_url.startsWith('otpauth://totp/') && answer.otpauth_url.includes(`secret=${answer.secret}`)", True)], saves={"totpSecret": "answer.secret"}),
    Step("Turn it on with a code from your app", "POST", "/api/auth/mfa/totp/confirm/", 200, {"code": "{{totpCode}}"}, before=totp_code(), checks=[("answer.recovery_codes.length", 10)], saves={"recoveryCode": "answer.recovery_codes[0]"}),
    Step("It shows on your account", "GET", "/api/accounts/me/", 200, checks=[("answer.mfa_enabled", True)]),
    Step("Log in: the password is now the first step", "POST", "/api/auth/token/", 202, {"username": "{{username}}", "password": "{{password}}"}, checks=[("answer.methods", ["totp", "recovery_code"]), ("'access' in answer || 'refresh' in answer", False)], saves={"mfaToken": "answer.mfa_token"}),
    Step("The second step, a wrong code", "POST", "/api/auth/token/mfa/", 400, {"mfa_token": "{{mfaToken}}", "code": "{{wrongCode}}"}, before=WRONG_CODE, documented=True),
    Step("The second step, the next code from your app", "POST", "/api/auth/token/mfa/", 200, {"mfa_token": "{{mfaToken}}", "code": "{{totpCode}}"}, before=totp_code(1), saves=PAIR),
    Step("New recovery codes, with a recovery code", "POST", "/api/auth/mfa/recovery-codes/", 200, {"password": "{{password}}", "code": "{{recoveryCode}}"}, checks=[("answer.recovery_codes.includes(pm.collectionVariables.get('recoveryCode'))", False)], saves={"recoveryCode": "answer.recovery_codes[0]"}),
    Step("Turn the second factor off, with a recovery code", "DELETE", "/api/auth/mfa/totp/", 204, {"password": "{{password}}", "code": "{{recoveryCode}}"}),
    Step("Your security log: recovery codes used", "GET", "/api/auth/events/", 200, query={"type": "recovery_code_used"}, checks=[("answer.results.map(event => event.type)", ["recovery_code_used", "recovery_code_used"])]),
    Step("Your security log: an unknown type", "GET", "/api/auth/events/", 400, query={"type": "bogus"}, documented=True),
    Step("Delete your account, a wrong password", "DELETE", "/api/accounts/me/", 400, {"password": "guess"}, documented=True),
    Step("Delete your account", "DELETE", "/api/accounts/me/", 204, {"password": "{{password}}"}),
    refused("A deleted account's token is refused"),
]
# fmt: on


def requests_by_operation(collection: dict) -> dict[tuple[str, str], dict]:
    """The converted collection's requests, by (method, path as the schema writes it)."""
    found = {}

    def walk(items):
        for item in items:
            if "item" in item:
                walk(item["item"])
                continue
            url = item["request"]["url"]
            segments = ["{" + part[1:] + "}" if part.startswith(":") else part for part in url["path"]]
            found[(item["request"]["method"], "/" + "/".join(segments))] = item

    walk(collection["item"])
    return found


def test_script(step: Step, example) -> list[str]:
    lines = [
        "const answer = pm.response.code === 204 ? null : pm.response.json();",
        f"pm.test({json.dumps(f'{step.name}: answers {step.status}')}, () => pm.response.to.have.status({step.status}));",
    ]
    for expression, expected in step.checks:
        label = json.dumps(f"{step.name}: {expression} is {json.dumps(expected)}")
        lines.append(f"pm.test({label}, () => pm.expect({expression}).to.eql({json.dumps(expected)}));")
    if step.documented:
        label = json.dumps(f"{step.name}: the documented answer")
        lines.append(f"pm.test({label}, () => pm.expect(answer).to.eql({json.dumps(example)}));")
    for variable, expression in step.saves.items():
        lines.append(
            f"if (pm.response.code === {step.status}) pm.collectionVariables.set({json.dumps(variable)}, {expression});"
        )
    return lines


def arrange(converted: dict) -> tuple[dict, set[tuple[str, str]]]:
    """The collection newman runs, and the operations of the converted one it leaves out."""
    requests = requests_by_operation(converted)
    items = []
    for step in STEPS:
        item = copy.deepcopy(requests[(step.method, step.path)])
        request = item["request"]
        request["name"] = item["name"] = step.name
        if step.body is not None:
            request["body"] = {
                "mode": "raw",
                "raw": json.dumps(step.body),
                "options": {"raw": {"language": "json"}},
            }
        documented_query = {parameter["key"] for parameter in request["url"].get("query", [])}
        assert set(step.query) <= documented_query, (
            f"{step.name}: {set(step.query) - documented_query} undocumented"
        )
        request["url"]["query"] = [{"key": key, "value": value} for key, value in step.query.items()]
        for variable in request["url"].get("variable", []):
            variable["value"] = step.ids[variable["key"]]
        examples = [answer for answer in item.pop("response", []) if answer.get("code") == step.status]
        example = json.loads(examples[0]["body"]) if step.documented else None
        item["event"] = [
            {"listen": "test", "script": {"type": "text/javascript", "exec": test_script(step, example)}}
        ]
        if step.before:
            item["event"].append(
                {"listen": "prerequest", "script": {"type": "text/javascript", "exec": step.before}}
            )
        items.append(item)
    collection = {**converted, "item": items}
    return collection, set(requests) - {(step.method, step.path) for step in STEPS}
